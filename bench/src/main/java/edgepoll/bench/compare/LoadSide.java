package edgepoll.bench.compare;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the load runs and which address it targets: the one place every load process of the
 * comparison (wrk, rateload, edgepoll's load) is launched from. {@code prefix} runs it where it
 * belongs ({@code taskset -c LOAD_CPU}, or nothing when unpinned; over a link, {@code nsenter
 * --net=/run/netns/NS} before it, so the load sits in the link lab's load namespace); {@code host}
 * is the servers' address as the load sees it (loopback, or {@code --host}: the servers also listen
 * on it, {@link Servers#start}); {@code link} describes the link between the two (scripts/lib/linklab.sh's
 * {@code linklab_describe}), null on loopback.
 */
record LoadSide(List<String> prefix, String host, String link) {
    static final String LOOPBACK = "127.0.0.1";

    LoadSide(List<String> prefix, String host) {
        this(prefix, host, null);
    }

    /** {@code cmd}, launched on the load side. */
    List<String> command(List<String> cmd) {
        List<String> c = new ArrayList<>(prefix);
        c.addAll(cmd);
        return c;
    }

    String url(int port) {
        return "http://" + host + ":" + port + "/";
    }

    /** One line for the report: what the load and the servers talk over. */
    String network() {
        return link == null ? (host.equals(LOOPBACK) ? "loopback (127.0.0.1, MTU 65536)" : "this host's " + host + " (no link of its own)")
                : "a link of its own: " + link;
    }
}
