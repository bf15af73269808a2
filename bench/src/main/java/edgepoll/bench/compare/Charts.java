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

    static void write(Config cfg, Map<String, Map<String, Report.Agg>> agg, Map<String, Map<String, Long>> strace,
                      Map<String, Long> straceRequests, String source) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> conns = new ArrayList<>();
        List<String> connWorkloads = new ArrayList<>();
        for (Workloads.Workload w : cfg.workloads()) {
            if (w.protocol().equals("http") && w.depth() == 1 && w.rate() == 0) {
                conns.add(String.valueOf(w.connections()));
                connWorkloads.add(w.name());
            }
        }
        if (!conns.isEmpty()) {
            CategoryChart c = chart("req/s by keep-alive connections (wrk, one thread)", "connections", "requests per second");
            for (Servers.Spec s : cfg.servers()) {
                List<Number> ys = new ArrayList<>();
                for (String w : connWorkloads) ys.add(value(agg, w, s.name(), Report.Agg::rps));
                if (ys.stream().anyMatch(y -> y.doubleValue() > 0)) c.addSeries(s.name(), conns, ys);
            }
            save(c, cfg, "rps-by-connections");
        }
        List<String> labels = cfg.workloads().stream().map(Workloads.Workload::label).toList();
        CategoryChart byWorkload = chart("req/s by workload (median)", "workload", "requests (echo: messages) per second");
        CategoryChart cpu = chart("server CPU per request (median)", "workload", "µs of CPU per request");
        for (Servers.Spec s : cfg.servers()) {
            List<Number> rps = new ArrayList<>(), us = new ArrayList<>();
            for (Workloads.Workload w : cfg.workloads()) {
                rps.add(value(agg, w.name(), s.name(), Report.Agg::rps));
                us.add(value(agg, w.name(), s.name(), Report.Agg::cpuUs));
            }
            byWorkload.addSeries(s.name(), labels, rps);
            cpu.addSeries(s.name(), labels, us);
        }
        save(byWorkload, cfg, "rps-by-workload");
        save(cpu, cfg, "cpu-per-request");
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
        BitmapEncoder.saveBitmap(c, cfg.out().resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
