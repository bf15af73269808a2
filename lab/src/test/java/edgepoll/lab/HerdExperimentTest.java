package edgepoll.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** scripts/herd-experiment (docs/many-loops.md), its quick paced form. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HerdExperimentTest {
    /**
     * The quick form of scripts/herd-experiment's paced storm: N = 4, 300 connections from one
     * client, each made only when every loop thread sleeps in epoll_wait (read from /proc, bounded
     * waits). Then the kernel's numbers show exactly: a shared listener wakes every loop for each
     * connection, so N - 1 = 3 wasted wake-ups per connection in et and in lt; EXCLUSIVE wakes one
     * loop and REUSEPORT only the owner, so about 0 (done-when: below 0.2).
     *
     * <p>The shared threshold is 2.9, not 3: "wasted" is the shared run's wake-ups per connection
     * minus the reuseport run's (docs/many-loops.md), and one stray wake-up of the baseline (a loop
     * thread stopping at a JVM safepoint on its way back to epoll_wait, a pace that timed out on a
     * loaded machine) moves that difference by 1/300 per wake-up; seen as 2.97-3.02 here in 24 runs. The burst
     * storm's figures depend on how busy the machine is (docs/many-loops.md) and are not asserted.
     */
    @Test
    void quickHerdExperimentPaced() throws Exception {
        List<HerdExperiment.Run> runs = new ArrayList<>();
        for (String mode : List.of("et", "lt")) {
            for (String listener : List.of("reuseport", "shared", "exclusive")) {
                runs.add(HerdExperiment.withBaseline(HerdExperiment.paced(mode, listener, 4, 300, -1), runs));
            }
        }
        System.out.print(HerdExperiment.table(runs));
        for (HerdExperiment.Run r : runs) {
            assertEquals(r.clients(), r.served(), () -> "not all served: " + r);
            assertTrue(r.fdsBack(), () -> "fds not back: " + r);
            String what = String.format(Locale.ROOT, "%s %s: %.2f wasted wake-ups per connection (%d pace misses)",
                    r.mode(), r.listener(), r.wastedPerConnection(), r.paceMisses());
            if (r.listener().equals("shared")) assertTrue(r.wastedPerConnection() >= 2.9, what);
            else assertTrue(r.wastedPerConnection() < 0.2, what);
        }
    }
}
