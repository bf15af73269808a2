package edgepoll.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one command-line reader of the project: the server's {@link Options}, the load generator,
 * the line client, the peer servers and bench-compare all walk their arguments with it, so every
 * tool accepts {@code --flag value} and {@code --flag=value} alike and fails on a bad value with
 * the same kind of one-line message (an {@link IllegalArgumentException}; the caller prints it and
 * exits 2).
 *
 * <pre>{@code
 * Flags f = new Flags(args);
 * while (f.hasNext()) {
 *     switch (f.next()) {
 *         case "--port" -> port = f.intValue(0, 65535);
 *         case "--nodelay" -> nodelay = true;
 *         default -> throw f.unknown();
 *     }
 * }
 * }</pre>
 */
public final class Flags {
    private final List<String> args;
    private int i;
    private String flag;

    public Flags(String[] args) {
        this.args = splitEquals(args);
    }

    public boolean hasNext() {
        return i < args.size();
    }

    /** The next flag (the current one from now on). */
    public String next() {
        flag = args.get(i++);
        return flag;
    }

    /** The current flag's value: the next argument, or the one-line error when there is none. */
    public String value() {
        if (i >= args.size()) throw new IllegalArgumentException(flag + " needs a value");
        return args.get(i++);
    }

    public long longValue(long min, long max) {
        return number(flag, value(), min, max);
    }

    public int intValue(int min, int max) {
        return (int) number(flag, value(), min, max);
    }

    /** The current flag's value as the one of {@code allowed} spelled so (by {@code toString()}), or the one-line error. */
    public <E> E oneOf(List<E> allowed) {
        return oneOf(flag, value(), allowed);
    }

    public long durationMsValue() {
        return durationMs(flag, value());
    }

    /** The error for a flag no case matched. */
    public IllegalArgumentException unknown() {
        return new IllegalArgumentException("unknown option: " + flag);
    }

    /** The arguments with every {@code --flag=value} split into {@code --flag value}. */
    public static List<String> splitEquals(String[] args) {
        List<String> a = new ArrayList<>();
        for (String s : args) {
            int eq = s.indexOf('=');
            if (s.startsWith("--") && eq > 0) {
                a.add(s.substring(0, eq));
                a.add(s.substring(eq + 1));
            } else {
                a.add(s);
            }
        }
        return a;
    }

    /** {@code v} if it is one of {@code allowed}, or the one-line error. */
    public static String oneOf(String flag, String v, String... allowed) {
        return oneOf(flag, v, List.of(allowed));
    }

    /** The one of {@code allowed} whose {@code toString()} is {@code v}, or the one-line error listing them all. */
    public static <E> E oneOf(String flag, String v, List<E> allowed) {
        for (E x : allowed) {
            if (x.toString().equals(v)) return x;
        }
        throw new IllegalArgumentException(flag + " must be one of " + spellings(allowed) + ", not '" + v + "'");
    }

    /** {@code a|b|c}: how a usage line and an error list the values a flag takes. */
    public static String spellings(List<?> values) {
        StringBuilder sb = new StringBuilder();
        for (Object x : values) sb.append(sb.isEmpty() ? "" : "|").append(x);
        return sb.toString();
    }

    /**
     * How a flag's enum value is spelled on the command line, in the first line, the stats and the
     * JSON: its name in lower case, {@code _} as {@code -} (BUSY_POLL is busy-poll). The config
     * enums return it from {@code toString()}, so printing one prints the word the flag took.
     */
    public static String spelling(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A whole number in [min, max], or the one-line error. */
    public static long number(String flag, String v, long min, long max) {
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a whole number, not '" + v + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(flag + " must be between " + min + " and " + max + ", not " + n);
        }
        return n;
    }

    /** "0", "250ms", "10s", "2m", or a bare number of seconds, in milliseconds. */
    public static long durationMs(String flag, String v) {
        String s = v.toLowerCase(Locale.ROOT);
        long unit = 1000;
        if (s.endsWith("ms")) { unit = 1; s = s.substring(0, s.length() - 2); }
        else if (s.endsWith("s")) { s = s.substring(0, s.length() - 1); }
        else if (s.endsWith("m")) { unit = 60_000; s = s.substring(0, s.length() - 1); }
        try {
            long n = Long.parseLong(s);
            if (n < 0) throw new NumberFormatException();
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(flag + " needs a duration like 500ms, 10s or 2m, not '" + v + "'");
        }
    }
}
