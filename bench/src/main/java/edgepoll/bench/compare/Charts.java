package edgepoll.bench.compare;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** The report's charts, drawn by XChart into PNG files next to report.md. */
final class Charts {
    private Charts() {}

    static final String[] GROUPS = {"reads", "writes", "waits", "epoll_ctl", "other"};

    /** strace -c calls grouped as the report's columns: reads, writes, waits, epoll_ctl, other. */
    static double[] groups(Map<String, Long> calls) {
        double[] g = new double[GROUPS.length];
        for (Map.Entry<String, Long> e : calls.entrySet()) {
            int i = switch (e.getKey()) {
                case "read", "recvfrom", "readv", "recvmsg" -> 0;
                case "write", "sendto", "writev", "sendmsg", "sendfile" -> 1;
                case "epoll_wait", "epoll_pwait", "epoll_pwait2", "poll", "ppoll", "select", "pselect6" -> 2;
                case "epoll_ctl" -> 3;
                default -> 4;
            };
            g[i] += e.getValue();
        }
        return g;
    }

    static void write(Report r, Map<String, Map<String, Long>> strace, Map<String, Long> straceRequests, String source) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Config cfg = r.cfg;
        Map<String, Map<String, Report.Agg>> agg = r.agg;
        List<String> conns = new ArrayList<>();
        List<String> connWorkloads = new ArrayList<>();
        for (Workloads.Workload w : cfg.workloads()) {
            if (w.protocol().equals("http") && w.depth() == 1 && w.rate() == 0) {
                conns.add(String.valueOf(w.connections()));
                connWorkloads.add(w.name());
            }
        }
        if (!conns.isEmpty()) {
            CategoryChart c = chart("req/s by keep-alive connections (wrk, one thread; mean, 95% interval)", "connections", "requests per second");
            for (Servers.Spec s : cfg.servers()) {
                List<Number> ys = new ArrayList<>(), es = new ArrayList<>();
                for (String w : connWorkloads) add(r, w, s.name(), Figure.RPS, ys, es);
                if (ys.stream().anyMatch(y -> y.doubleValue() > 0)) c.addSeries(s.name(), conns, ys, es);
            }
            if (!c.getSeriesMap().isEmpty()) save(c, cfg, "rps-by-connections");
        }
        List<String> labels = cfg.workloads().stream().map(Workloads.Workload::label).toList();
        CategoryChart byWorkload = chart("req/s by workload (mean, 95% interval)", "workload", "requests (echo: messages) per second");
        CategoryChart cpu = chart("server CPU per request (mean, 95% interval)", "workload", "µs of CPU per request");
        for (Servers.Spec s : cfg.servers()) {
            List<Number> rps = new ArrayList<>(), rpsErr = new ArrayList<>(), us = new ArrayList<>(), usErr = new ArrayList<>();
            for (Workloads.Workload w : cfg.workloads()) {
                add(r, w.name(), s.name(), Figure.RPS, rps, rpsErr);
                add(r, w.name(), s.name(), Figure.CPU, us, usErr);
            }
            byWorkload.addSeries(s.name(), labels, rps, rpsErr);
            cpu.addSeries(s.name(), labels, us, usErr);
        }
        save(byWorkload, cfg, "rps-by-workload");
        save(cpu, cfg, "cpu-per-request");
        ratios(r);
        Workloads.Workload split = cfg.workloads().stream().filter(w -> w.name().equals("http-c64")).findFirst()
                .orElse(cfg.workloads().get(0));
        CategoryChart userKernel = chart("server CPU per request, user and kernel (" + split.label() + ", median)", "server",
                "µs of CPU per request");
        userKernel.getStyler().setStacked(true);
        userKernel.getStyler().setXAxisLabelRotation(20);
        List<String> names = cfg.servers().stream().map(Servers.Spec::name).filter(n -> agg.getOrDefault(split.name(), Map.of()).containsKey(n)).toList();
        if (!names.isEmpty()) {
            userKernel.addSeries("user", names, names.stream().map(n -> (Number) value(agg, split.name(), n, Report.Agg::userUs)).toList());
            userKernel.addSeries("kernel", names, names.stream().map(n -> (Number) value(agg, split.name(), n, Report.Agg::kernelUs)).toList());
            save(userKernel, cfg, "cpu-user-kernel");
        }
        if (!strace.isEmpty()) {
            CategoryChart sys = chart("syscalls per request (" + source + ", keep-alive c=64)", "server", "syscalls per request");
            sys.getStyler().setXAxisLabelRotation(20);
            sys.getStyler().setStacked(true);
            List<String> servers = new ArrayList<>(strace.keySet());
            for (int g = 0; g < GROUPS.length; g++) {
                List<Number> ys = new ArrayList<>();
                for (String s : servers) ys.add(groups(strace.get(s))[g] / Math.max(1, straceRequests.get(s)));
                sys.addSeries(GROUPS[g], servers, ys);
            }
            save(sys, cfg, "syscalls-per-request");
        }
    }

    /** A server's mean figure and the wider side of its 95% interval (XChart draws symmetric whiskers); 0 when it did not run. */
    private static void add(Report r, String workload, String server, Figure f, List<Number> ys, List<Number> errs) {
        Stats.Interval ci = r.get(workload, server) == null ? Stats.NONE : r.mean(workload, server, f);
        ys.add(Double.isNaN(ci.estimate()) ? 0 : ci.estimate());
        errs.add(Double.isNaN(ci.lo()) ? 0 : Math.max(ci.hi() - ci.estimate(), ci.estimate() - ci.lo()));
    }

    /** The CPU comparisons of issue 22's targets, each ratio with its 95% interval as whiskers, one series per workload. */
    private static void ratios(Report r) throws IOException {
        CategoryChart c = chart("CPU per request, server over peer (paired ratio, 95% interval)", "comparison", "ratio");
        c.getStyler().setXAxisLabelRotation(20);
        c.getStyler().setYAxisMin(0.0);
        List<String> pairs = Targets.cpuComparisons("").stream().map(p -> p[0] + " / " + p[1]).toList();
        boolean any = false;
        for (String load : Cli.TARGET_WORKLOADS) {
            if (!r.agg.containsKey(load)) continue;
            List<Number> ys = new ArrayList<>(), es = new ArrayList<>();
            for (String[] p : Targets.cpuComparisons(load)) {
                Stats.Interval ci = r.get(load, p[0]) == null || r.get(load, p[1]) == null ? Stats.NONE : r.ratio(load, p[0], p[1], Figure.CPU);
                ys.add(Double.isNaN(ci.estimate()) ? 0 : ci.estimate());
                es.add(Double.isNaN(ci.lo()) ? 0 : Math.max(ci.hi() - ci.estimate(), ci.estimate() - ci.lo()));
            }
            if (ys.stream().anyMatch(y -> y.doubleValue() > 0)) {
                c.addSeries(Workloads.byName(load).label(), pairs, ys, es);
                any = true;
            }
        }
        if (any) save(c, r.cfg, "ratios");
    }

    private static double value(Map<String, Map<String, Report.Agg>> agg, String workload, String server,
                                java.util.function.ToDoubleFunction<Report.Agg> f) {
        Map<String, Report.Agg> m = agg.get(workload);
        Report.Agg a = m == null ? null : m.get(server);
        double v = a == null ? 0 : f.applyAsDouble(a);
        return Double.isNaN(v) ? 0 : v;
    }

    private static CategoryChart chart(String title, String x, String y) {
        CategoryChart c = new CategoryChartBuilder().width(1100).height(560).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setAvailableSpaceFill(0.85);
        c.getStyler().setOverlapped(false);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setXAxisLabelRotation(0);
        c.getStyler().setYAxisDecimalPattern("#,##0.##");
        return c;
    }

    private static void save(CategoryChart c, Config cfg, String name) throws IOException {
        if (c.getSeriesMap().isEmpty()) return;  // XChart cannot draw a chart without a series
        BitmapEncoder.saveBitmap(c, cfg.out().resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
