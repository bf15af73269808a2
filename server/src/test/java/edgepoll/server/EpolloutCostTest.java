package edgepoll.server;

import edgepoll.stats.Stats;
import edgepoll.stats.Sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.Live;
import edgepoll.server.testkit.RawClient;
import edgepoll.server.testkit.ServerHandle;
import org.junit.jupiter.api.Test;

/** The epoll_ctl cost of each loop's EPOLLOUT policy, counted (README "EPOLLOUT under ET"). */
class EpolloutCostTest {
    /** A stopping LT loop switches its listener's interest off: one MOD that is not a connection's. */
    private static final java.util.Map<String, Long> STOP_MOD = java.util.Map.of("et", 0L, "lt", 1L);

    private static Stats run(String variant, int responseSize, int requests) throws Exception {
        try (ServerHandle s = ServerHandle.start(variant, "--response-size", Integer.toString(responseSize));
             RawClient c = new RawClient(s.port(), 20_000)) {
            for (int i = 0; i < requests; i++) {
                long eagainBefore = s.server().liveStats().total().eagain(Sys.SEND);
                c.send("GET / HTTP/1.1\r\n\r\n");
                if (responseSize > 100_000) {  // a late reader: the client reads once the server met EAGAIN
                    Live.await(s, "the server's send to meet EAGAIN", st -> st.eagain(Sys.SEND) > eagainBefore);
                }
                assertEquals(responseSize, c.readResponse(false).body().length);
            }
            c.close();
            Live.awaitClosed(s, 1);
            return s.stop();
        }
    }

    @Test
    void smallResponsesCostNoModInEitherMode() throws Exception {
        for (String v : new String[] {"et", "lt"}) {
            Stats st = run(v, 13, 200);
            assertEquals(3, st.total().calls(Sys.EPOLL_CTL_ADD), v + ": listener, eventfd, one connection");
            assertEquals(STOP_MOD.get(v), st.total().calls(Sys.EPOLL_CTL_MOD),
                    v + ": no MOD when every reply fits the socket (lt: the stop's one, on the listener)");
        }
    }

    @Test
    void blockedWritesCostTwoModsEachUnderLtAndNoneUnderEt() throws Exception {
        Stats et = run("et", 16 << 20, 5);
        assertEquals(0, et.total().calls(Sys.EPOLL_CTL_MOD), "ET registers EPOLLOUT once");
        assertTrue(et.total().eagain(Sys.SEND) > 0);
        Stats lt = run("lt", 16 << 20, 5);
        long mods = lt.total().calls(Sys.EPOLL_CTL_MOD) - STOP_MOD.get("lt");
        System.out.printf("16 MiB responses x5: ET epoll_ctl(MOD)=0, LT epoll_ctl(MOD)=%d, LT sendto EAGAIN=%d%n",
                mods, lt.total().eagain(Sys.SEND));
        assertTrue(mods >= 2 * 5, "LT turns EPOLLOUT on and off around each blocked response: " + mods);
        assertEquals(0, mods % 2, "every MOD on has its MOD off");
    }
}
