package edgepoll.bench.compare;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough JSON for the figures the harness reads (edgepoll's stats and load reports, both
 * written by edgepoll with known keys) and writes; not a general parser.
 */
final class Json {
    private Json() {}

    private static final String NUMBER = "(-?[0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)";

    /** The first number stored under {@code "key"}; NaN for null or a missing key. */
    static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*" + NUMBER).matcher(json);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** Sum of every number in the object stored under {@code "key"} (0 when absent or empty). */
    static double sum(String json, String key) {
        int at = objectStart(json, key);
        if (at < 0) return 0;
        Matcher m = Pattern.compile(":\\s*" + NUMBER).matcher(json.substring(at, objectEnd(json, at)));
        double s = 0;
        while (m.find()) s += Double.parseDouble(m.group(1));
        return s;
    }

    /** The text of the object under {@code "key"}, or null. */
    static String object(String json, String key) {
        int at = objectStart(json, key);
        return at < 0 ? null : json.substring(at, objectEnd(json, at));
    }

    private static int objectStart(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*\\{").matcher(json);
        return m.find() ? m.end() - 1 : -1;
    }

    private static int objectEnd(String json, int open) {
        int depth = 0;
        boolean inString = false;
        for (int i = open; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("unterminated object");
    }

    static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    /** A number as JSON: null for NaN and infinities, else up to 4 decimals. */
    static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return "null";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return String.valueOf((long) v);
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
