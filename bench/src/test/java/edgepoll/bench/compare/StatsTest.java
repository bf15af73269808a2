package edgepoll.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 22's statistics on synthetic data with a known answer: the paired bootstrap finds a planted
 * 5% difference under drift four times its size and finds none in an A/A sample, its intervals cover
 * the truth about 95% of the time, the verdicts are classified by the interval, and the window rule
 * drops exactly the windows a neighbour disturbed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StatsTest {
    /**
     * 16 blocks of two servers' CPU per request: the block's drift (±20%, what the shared VM does between
     * windows minutes apart) falls on both; each window adds its own 2% of noise; {@code factor} is the truth.
     */
    private static double[][] blocks(double factor, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] x = new double[16], y = new double[16];
        for (int b = 0; b < 16; b++) {
            double drift = 0.8 + 0.4 * rnd.nextDouble();
            y[b] = 10 * drift * (1 + 0.02 * gauss(rnd));
            x[b] = factor * 10 * drift * (1 + 0.02 * gauss(rnd));
        }
        return new double[][] {x, y};
    }

    private static double gauss(SplittableRandom rnd) {
        return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    @Test
    void thePairedBootstrapFindsAPlanted5PercentDifferenceUnderDrift() {
        double[][] d = blocks(1.05, 42);
        Stats.Interval ci = Stats.pairedRatio(d[0], d[1], 1);
        assertEquals(16, ci.n());
        assertTrue(ci.lo() > 1.0 && ci.contains(1.05), "the interval excludes 1.00 and holds the planted 1.05: " + ci);
        assertEquals("dearer", Figure.CPU.verdict(ci));
        assertTrue(ci.halfWidthPct() < 3, "pairing cancels the drift: " + ci.halfWidthPct());
        // the same data unpaired (each server's mean on its own) could not tell: the drift is in both
        Stats.Interval x = Stats.mean(d[0], 1), y = Stats.mean(d[1], 2);
        assertTrue(x.lo() < y.hi(), "unpaired means overlap: " + x + " " + y);
    }

    @Test
    void anAaSampleShowsNoDifference() {
        double[][] d = blocks(1.0, 7);
        Stats.Interval ci = Stats.pairedRatio(d[0], d[1], 1);
        assertTrue(ci.contains(1.0), ci.toString());
        assertTrue(Figure.CPU.verdict(ci).startsWith("no detectable difference (within ±"), Figure.CPU.verdict(ci));
    }

    /** Over 400 A/A samples the 95% interval holds 1.00 about 95% of the time: neither too narrow nor far too wide. */
    @Test
    void theIntervalCoversTheTruthAbout95PercentOfTheTime() {
        int covered = 0, samples = 400;
        for (int s = 0; s < samples; s++) {
            double[][] d = blocks(1.0, 1000 + s);
            if (Stats.pairedRatio(d[0], d[1], s).contains(1.0)) covered++;
        }
        double rate = (double) covered / samples;
        assertTrue(rate >= 0.91 && rate <= 0.99, "coverage " + rate);
    }

    @Test
    void theSameDataGiveTheSameInterval() {
        double[][] d = blocks(1.02, 3);
        assertEquals(Stats.pairedRatio(d[0], d[1], 9), Stats.pairedRatio(d[0], d[1], 9));
        assertEquals(Stats.pairedRatio(d[0], d[1], 9).estimate(), 1 / Stats.pairedRatio(d[1], d[0], 9).estimate(), 1e-12,
                "A over B is the inverse of B over A");
    }

    /** User time above a floor: the ratio of the blocks' mean differences, planted at 0.5. */
    @Test
    void theRatioOfMeanDifferencesFindsAPlantedHalf() {
        SplittableRandom rnd = new SplittableRandom(5);
        double[] a = new double[16], b = new double[16];
        for (int i = 0; i < 16; i++) {
            b[i] = 1.4 + 0.1 * gauss(rnd);
            a[i] = 0.7 + 0.1 * gauss(rnd);
        }
        Stats.Interval ci = Stats.ratioOfMeans(a, b, 1);
        assertTrue(ci.contains(0.5) && ci.hi() < 0.6, ci.toString());
        assertEquals("cheaper", Figure.USER.verdict(ci));
    }

    @Test
    void verdictsAreClassifiedByTheInterval() {
        assertEquals("cheaper", Figure.CPU.verdict(new Stats.Interval(0.97, 0.95, 0.99, 16)));
        assertEquals("dearer", Figure.CPU.verdict(new Stats.Interval(1.05, 1.02, 1.08, 16)));
        assertEquals("no detectable difference (within ±2.5%)", Figure.CPU.verdict(new Stats.Interval(1.0, 0.98, 1.025, 16)));
        assertEquals("faster", Figure.RPS.verdict(new Stats.Interval(1.2, 1.1, 1.3, 16)));
        assertEquals("slower", Figure.RPS.verdict(new Stats.Interval(0.8, 0.7, 0.9, 16)));
        assertEquals("too few blocks (3 < 5)", Figure.CPU.verdict(new Stats.Interval(0.5, 0.4, 0.6, 3)));
        assertEquals(Stats.Verdict.TOO_FEW, Stats.Verdict.of(Stats.pairedRatio(new double[] {1}, new double[] {2}, 1)));
        assertEquals(1.5, new Stats.Interval(1.0, 0.98, 1.01, 16).halfWidthPct(), 1e-9);
    }

    @Test
    void theExpandedIntervalsTailsFollowStudentsT() {
        assertEquals(0.975, Stats.normalCdf(1.959964), 1e-6);
        assertEquals(2.131, Stats.tQuantile(0.975, 15), 0.002);
        assertEquals(2.776, Stats.tQuantile(0.975, 4), 0.02);
        // 16 blocks: Φ(−√(16/15)·2.131) = 0.0139, where a plain percentile interval would take 0.025
        assertEquals(0.0139, Stats.expandedTail(16), 0.0005);
        assertEquals(0, Stats.expandedTail(3));
        assertTrue(Stats.expandedTail(200) > 0.024 && Stats.expandedTail(200) < 0.025);
    }

    @Test
    void theWindowRuleDropsOnlyWhatANeighbourDid() {
        assertNull(WindowRule.dropReason(0, 0, 3));
        assertNull(WindowRule.dropReason(2.0, 2.0, 10.0), "at the limits: kept");
        assertNull(WindowRule.dropReason(Double.NaN, Double.NaN, Double.NaN), "not measured: kept");
        assertTrue(WindowRule.dropReason(2.5, 0, 0).contains("host steal 2.5%"));
        assertTrue(WindowRule.dropReason(0, 3, 0).contains("host steal"));
        assertTrue(WindowRule.dropReason(0, 0, 12).contains("other processes took 12.0%"));
        String both = WindowRule.dropReason(5, 0, 30);
        assertTrue(both.contains("steal") && both.contains("other processes"), both);
    }
}
