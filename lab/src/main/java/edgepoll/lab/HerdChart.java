package edgepoll.lab;

import java.util.List;
import java.util.Locale;

/** The herd experiment's chart, as SVG written by hand (XChart belongs to the bench module, which depends on this one). */
final class HerdChart {
    private HerdChart() {}

    /** A grouped bar chart of wasted wake-ups per connection (burst and paced storms): one group per N and storm, one bar per mode x listener. */
    static String svg(List<HerdExperiment.Run> runs) {
        List<HerdExperiment.Run> storms = runs.stream().filter(HerdExperiment.Run::isStorm).toList();
        // groups: "N=4 burst", "N=4 paced", ... in the order the runs came
        List<String> ns = storms.stream().map(HerdChart::group).distinct().toList();
        List<String> series = storms.stream().map(r -> r.mode() + " " + r.listener()).distinct().toList();
        double max = Math.max(1, storms.stream().mapToDouble(HerdExperiment.Run::wastedPerConnection).max().orElse(1));
        int w = 200 + 140 * Math.max(1, ns.size()), h = 420, left = 60, bottom = 360, top = 40, groupW = (w - left - 180) / Math.max(1, ns.size());
        int barW = Math.max(4, (groupW - 20) / Math.max(1, series.size()));
        String[] colors = {"#1f77b4", "#aec7e8", "#2ca02c", "#98df8a", "#d62728", "#ff9896"};
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n", w, h));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append("<text x=\"10\" y=\"20\" font-size=\"14\">Wasted wake-ups per accepted connection, by loops N and storm"
                + " (burst: 16 clients at once; paced: one at a time, every loop asleep)</text>\n");
        for (int t = 0; t <= 4; t++) {
            double v = max * t / 4;
            int y = bottom - (int) ((bottom - top) * t / 4.0);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/><text x=\"5\" y=\"%d\">%.1f</text>%n", left, y, w - 180, y, y + 4, v));
        }
        for (int g = 0; g < ns.size(); g++) {
            int gx = left + g * groupW + 10;
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", gx + groupW / 2 - 30, bottom + 20, ns.get(g)));
            for (int s = 0; s < series.size(); s++) {
                int gi = g, si = s;
                double v = storms.stream().filter(r -> group(r).equals(ns.get(gi)) && (r.mode() + " " + r.listener()).equals(series.get(si)))
                        .mapToDouble(HerdExperiment.Run::wastedPerConnection).findFirst().orElse(0);
                int bh = (int) ((bottom - top) * v / max);
                sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s %s: %.2f</title></rect>%n",
                        gx + s * barW, bottom - bh, barW - 2, bh, colors[s % colors.length], series.get(s), ns.get(g), v));
            }
        }
        for (int s = 0; s < series.size(); s++) {
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
                    w - 170, top + s * 20, colors[s % colors.length], w - 152, top + s * 20 + 11, series.get(s)));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static String group(HerdExperiment.Run r) {
        return "N=" + r.loops() + " " + r.storm();
    }
}
