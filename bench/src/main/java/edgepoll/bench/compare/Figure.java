package edgepoll.bench.compare;

import java.util.function.ToDoubleFunction;

/**
 * A figure a comparison is made on: its median in a report's table ({@link Report.Agg}), its value
 * in one window ({@link Compare.Run}), and what a ratio below and above 1.00 is called in a verdict.
 */
enum Figure {
    CPU("CPU per request", Report.Agg::cpuUs, Compare.Run::cpuUsPerRequest, "cheaper", "dearer"),
    USER("user CPU per request", Report.Agg::userUs, Compare.Run::userUsPerRequest, "cheaper", "dearer"),
    P99("p99 latency", Report.Agg::p99us, run -> run.m().p99us(), "lower", "higher"),
    RPS("req/s", Report.Agg::rps, run -> run.m().rps(), "slower", "faster");

    final String label;
    final ToDoubleFunction<Report.Agg> median;
    final ToDoubleFunction<Compare.Run> perRun;
    final String below;
    final String above;

    Figure(String label, ToDoubleFunction<Report.Agg> median, ToDoubleFunction<Compare.Run> perRun, String below, String above) {
        this.label = label;
        this.median = median;
        this.perRun = perRun;
        this.below = below;
        this.above = above;
    }

    /** The verdict on a ratio of this figure: e.g. "cheaper", "no detectable difference (within ±1.8%)", "dearer". */
    String verdict(Stats.Interval i) {
        return Stats.words(i, below, above);
    }
}
