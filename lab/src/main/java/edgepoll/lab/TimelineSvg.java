package edgepoll.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws {@code --trace-format perfetto} files as one SVG, one panel per file: a row per track
 * (the loop's, then each connection's), each syscall a box at its start and duration (at least
 * 2 px wide so a microsecond call stays visible), and the flow arrows as lines from the wake-up to
 * the calls it caused (under io_uring: each CQE a box, the arrows from the io_uring_enter that
 * submitted its SQE). The same JSON opens in ui.perfetto.dev; this renderer exists because the
 * figures in docs/timelines.md are made where no browser can reach it.
 *
 * <p>Each panel's time axis spans the panel's connections (first accept4 to last close, with a
 * margin), or the whole trace when it has none.
 *
 * <pre>java -cp server/target/edgepoll.jar:lab/target/lab.jar edgepoll.lab.TimelineSvg OUT.svg "title=trace.json" ...</pre>
 */
public final class TimelineSvg {
    private TimelineSvg() {}

    static final int WIDTH = 1100, LEFT = 170, RIGHT = 20, ROW = 26, BOX = 18;

    record Slice(int tid, String name, double ts, double dur, Map<String, Object> args) {}

    record Flow(int fromTid, double fromTs, int toTid, double toTs) {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: TimelineSvg OUT.svg title=trace.json [title=trace.json ...]");
            System.exit(2);
        }
        List<String[]> panels = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            panels.add(eq < 0 ? new String[] {args[i], args[i]} : new String[] {args[i].substring(0, eq), args[i].substring(eq + 1)});
        }
        StringBuilder body = new StringBuilder();
        int y = 10;
        boolean uring = false;
        for (String[] p : panels) {
            String json = Files.readString(Path.of(p[1]));
            uring |= json.contains("\"cat\":\"cqe\"");
            y = panel(body, p[0], json, y);
        }
        Files.writeString(Path.of(args[0]), svg(body, y + legend(body, y, uring) + 10));
        System.out.println("wrote " + args[0]);
    }

    private static String svg(StringBuilder body, int height) {
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + WIDTH + "\" height=\"" + height
                + "\" font-family=\"monospace\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
                + "<defs><marker id=\"a\" markerWidth=\"6\" markerHeight=\"6\" refX=\"5\" refY=\"3\" orient=\"auto\">"
                + "<path d=\"M0,0 L6,3 L0,6 z\" fill=\"#c0392b\"/></marker></defs>\n" + body + "</svg>\n";
    }

    static String color(Slice s) {
        Object r = s.args().get("result");
        boolean failed = r instanceof Double d && d < 0;
        return switch (s.name()) {
            case "epoll_wait", "poll", "io_uring_enter" -> "#d5d8dc";
            case "read", "cqe recv" -> failed ? "#e74c3c" : "#3498db";
            case "sendto", "cqe send" -> failed ? "#e74c3c" : "#27ae60";
            case "accept4", "cqe accept" -> failed ? "#f1948a" : "#8e44ad";
            default -> s.name().startsWith("epoll_ctl") ? "#f39c12" : "#7f8c8d";
        };
    }

    private static int legend(StringBuilder b, int y, boolean uring) {
        String[][] items = uring
                ? new String[][] {{"#d5d8dc", "io_uring_enter (blocked)"}, {"#8e44ad", "cqe accept"}, {"#3498db", "cqe recv"},
                    {"#27ae60", "cqe send"}, {"#e74c3c", "error"}, {"#7f8c8d", "cqe close, other"}}
                : new String[][] {{"#d5d8dc", "epoll_wait (blocked)"}, {"#8e44ad", "accept4"}, {"#f39c12", "epoll_ctl"},
                    {"#3498db", "read"}, {"#27ae60", "sendto"}, {"#e74c3c", "EAGAIN / error"}, {"#7f8c8d", "close, shutdown, other"}};
        int x = LEFT;
        for (String[] it : items) {
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
                    x, y, it[0], x + 16, y + 10, it[1]));
            x += 30 + it[1].length() * 7;
        }
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#c0392b\" marker-end=\"url(#a)\"/>"
                + "<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT, y + 26, LEFT + 30, y + 26, LEFT + 36, y + 30,
                uring ? "the io_uring_enter that submitted an SQE -&gt; its CQE" : "the event epoll_wait reported -&gt; the call it caused"));
        return 36;
    }

    /** One trace file: its tracks (thread names and their sort order), its slices and its flows. */
    record Trace(Map<Integer, String> names, Map<Integer, Double> order, List<Slice> slices, List<Flow> flows) {
        /** The tracks in their sort order: the loop's first, then each connection's. */
        List<Integer> tracks() {
            List<Integer> tracks = new ArrayList<>(names.keySet());
            tracks.sort((p, q) -> Double.compare(order.getOrDefault(p, 0.0), order.getOrDefault(q, 0.0)));
            return tracks;
        }
    }

    /** The panel's time axis: from {@code t0} to {@code t1} (microseconds of the trace), {@code scale} px per microsecond. */
    record Axis(double t0, double t1, double scale) {
        double x(double t) {
            return LEFT + (t - t0) * scale;
        }
    }

    @SuppressWarnings("unchecked")
    static Trace read(String json) {
        Map<String, Object> root = (Map<String, Object>) Json.parse(json);
        List<Map<String, Object>> events = (List<Map<String, Object>>) root.get("traceEvents");
        Trace t = new Trace(new HashMap<>(), new HashMap<>(), new ArrayList<>(), new ArrayList<>());
        Map<String, double[]> flowStart = new HashMap<>();
        for (Map<String, Object> e : events) {
            String ph = (String) e.get("ph");
            int tid = e.get("tid") instanceof Double d ? d.intValue() : 0;
            Map<String, Object> a = (Map<String, Object>) e.getOrDefault("args", Map.of());
            switch (ph) {
                case "M" -> {
                    if ("thread_name".equals(e.get("name"))) t.names().put(tid, (String) a.get("name"));
                    if ("thread_sort_index".equals(e.get("name"))) t.order().put(tid, (Double) a.get("sort_index"));
                }
                case "X" -> t.slices().add(new Slice(tid, (String) e.get("name"), (Double) e.get("ts"), (Double) e.get("dur"), a));
                case "s" -> flowStart.put(String.valueOf(e.get("id")), new double[] {tid, (Double) e.get("ts")});
                case "f" -> {
                    double[] s = flowStart.get(String.valueOf(e.get("id")));
                    if (s != null) t.flows().add(new Flow((int) s[0], s[1], tid, (Double) e.get("ts")));
                }
                default -> { }
            }
        }
        return t;
    }

    /** The connections' span (first accept4 to the last call off the loop's track), or the whole trace's, with a margin. */
    static Axis axis(List<Slice> slices, int loopTid) {
        double t0 = Double.MAX_VALUE, t1 = -Double.MAX_VALUE;
        for (Slice s : slices) {
            if (s.tid() != loopTid || s.name().equals("accept4") || s.name().equals("cqe accept")) {  // the connections' span
                t0 = Math.min(t0, s.ts());
                t1 = Math.max(t1, s.ts() + s.dur());
            }
        }
        if (t0 > t1) {
            for (Slice s : slices) {
                t0 = Math.min(t0, s.ts());
                t1 = Math.max(t1, s.ts() + s.dur());
            }
        }
        double margin = Math.max(5, (t1 - t0) * 0.04);
        t0 -= margin;
        t1 += margin;
        return new Axis(t0, t1, (WIDTH - LEFT - RIGHT) / (t1 - t0));
    }

    static int panel(StringBuilder b, String title, String json, int y) {
        Trace trace = read(json);
        List<Integer> tracks = trace.tracks();
        Axis axis = axis(trace.slices(), tracks.isEmpty() ? 0 : tracks.get(0));
        b.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">%s</text>%n", y + 14, esc(title)));
        y += 24;
        Map<Integer, Integer> rowY = new HashMap<>();
        for (int i = 0; i < tracks.size(); i++) {
            int ry = y + i * ROW;
            rowY.put(tracks.get(i), ry);
            b.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">%s</text><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>%n",
                    ry + 13, esc(trace.names().get(tracks.get(i))), LEFT, ry + BOX / 2, WIDTH - RIGHT, ry + BOX / 2));
        }
        for (Slice s : trace.slices()) {
            Integer ry = rowY.get(s.tid());
            if (ry != null && s.ts() + s.dur() >= axis.t0() && s.ts() <= axis.t1()) slice(b, s, ry, axis);
        }
        for (Flow f : trace.flows()) {
            Integer fy = rowY.get(f.fromTid()), ty = rowY.get(f.toTid());
            if (fy == null || ty == null || f.toTs() < axis.t0() || f.toTs() > axis.t1()) continue;
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#c0392b\" stroke-width=\"0.8\" marker-end=\"url(#a)\"/>%n",
                    axis.x(Math.max(axis.t0(), f.fromTs())), fy + BOX, axis.x(f.toTs()), ty));
        }
        y += tracks.size() * ROW;
        ticks(b, y, axis);
        return y + 30;
    }

    /** One call: a box (at least 2 px wide) with its details as a tooltip, and its name inside when it fits. */
    private static void slice(StringBuilder b, Slice s, int ry, Axis axis) {
        double x0 = axis.x(Math.max(s.ts(), axis.t0()));
        double x1 = axis.x(Math.min(s.ts() + s.dur(), axis.t1()));
        double w = Math.max(2, x1 - x0);
        Object r = s.args().get("result");
        String tip = s.name() + " fd=" + num(s.args().get("fd")) + (s.args().containsKey("size") ? " size=" + num(s.args().get("size")) : "")
                + " = " + num(r) + (s.args().containsKey("errno") ? " " + s.args().get("errno") : "")
                + String.format(Locale.ROOT, " (%.1f us)", s.dur());
        b.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s</title></rect>%n",
                x0, ry, w, BOX, color(s), esc(tip)));
        String label = s.name().equals("epoll_wait") || s.name().equals("io_uring_enter") ? s.name() + " = " + num(r)
                : s.name() + (s.args().containsKey("errno") ? " " + s.args().get("errno") : "");
        if (w > label.length() * 6.6 + 4) {
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"%s\">%s</text>%n", x0 + 3, ry + 13,
                    color(s).equals("#d5d8dc") ? "#333" : "white", esc(label)));
        }
    }

    /** The time axis under the rows at {@code y}: microseconds (or ms) from the panel's start. */
    private static void ticks(StringBuilder b, int y, Axis axis) {
        double span = axis.t1() - axis.t0();
        double step = Math.pow(10, Math.floor(Math.log10(span / 5)));
        if (span / step > 10) step *= 2;
        if (span / step > 10) step *= 2.5;
        for (double t = 0; t <= span; t += step) {
            double x = LEFT + t * axis.scale();
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/><text x=\"%.1f\" y=\"%d\" fill=\"#555\">%s</text>%n",
                    x, y, x, y + 4, x - 10, y + 16, t >= 1000 ? String.format(Locale.ROOT, "%.1f ms", t / 1000) : String.format(Locale.ROOT, "%.0f us", t)));
        }
    }

    private static String num(Object o) {
        return o instanceof Double d ? Long.toString(d.longValue()) : String.valueOf(o);
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
