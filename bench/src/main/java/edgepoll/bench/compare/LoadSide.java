package edgepoll.bench.compare;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the load runs and which address it targets: the one place every load process of the
 * comparison (wrk, rateload, edgepoll's load) is launched from. {@code prefix} runs it where it
 * belongs (today {@code taskset -c LOAD_CPU}, or nothing when unpinned); {@code host} is the
 * servers' address as the load sees it (today loopback). A load on the other end of a link would
 * change these two and nothing else (rateload.c itself connects to loopback only).
 */
record LoadSide(List<String> prefix, String host) {
    static final String LOOPBACK = "127.0.0.1";

    /** {@code cmd}, launched on the load side. */
    List<String> command(List<String> cmd) {
        List<String> c = new ArrayList<>(prefix);
        c.addAll(cmd);
        return c;
    }

    String url(int port) {
        return "http://" + host + ":" + port + "/";
    }
}
