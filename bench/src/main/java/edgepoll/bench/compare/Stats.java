package edgepoll.bench.compare;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The statistics of a paired, blocked comparison (issue 22): a statistic over the blocks, its 95%
 * interval from a bootstrap that resamples whole blocks (so both servers of a pair are resampled
 * together, and the drift they shared cancels in their ratio), and a three-word verdict.
 *
 * <p>The interval is Hesterberg's expanded percentile interval: the plain percentile bootstrap is
 * too narrow for a small sample (it behaves like a z interval with the sample's own spread, ignoring
 * that the spread is itself estimated); the expanded one takes its percentiles at
 * {@code Φ(−√(n/(n−1))·t(n−1))} instead of 2.5%, which for 16 blocks is the 1.4th and 98.6th. The
 * resampling is seeded, so the same data give the same interval.
 */
final class Stats {
    private Stats() {}

    static final double LEVEL = 0.95;
    static final int RESAMPLES = 10_000;
    /** Below this many paired blocks an interval is printed but gives no verdict. */
    static final int MIN_BLOCKS = 5;

    /** A statistic of the blocks picked by {@code idx} (a resample: indices into the sample, with repeats). */
    @FunctionalInterface
    interface Statistic {
        double of(int[] idx);
    }

    /** An estimate, its 95% interval and the number of blocks behind it. */
    record Interval(double estimate, double lo, double hi, int n) {
        /** Half the interval's width, in percent of the estimate: the "±X%" of a ratio's precision. */
        double halfWidthPct() {
            return 100 * (hi - lo) / 2 / Math.abs(estimate);
        }

        boolean contains(double v) {
            return lo <= v && v <= hi;
        }

        String text() {
            if (Double.isNaN(estimate)) return "–";
            return Double.isNaN(lo) ? String.format(Locale.ROOT, "%.3f× [no interval]", estimate)
                    : String.format(Locale.ROOT, "%.3f× [%.3f, %.3f]", estimate, lo, hi);
        }
    }

    static final Interval NONE = new Interval(Double.NaN, Double.NaN, Double.NaN, 0);

    /** The bootstrap interval of {@code stat} over {@code n} blocks. */
    static Interval bootstrap(int n, Statistic stat, long seed) {
        if (n == 0) return NONE;
        int[] all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        double estimate = stat.of(all);
        if (n == 1) return new Interval(estimate, Double.NaN, Double.NaN, 1);
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] t = new double[RESAMPLES];
        int[] idx = new int[n];
        int k = 0;
        for (int r = 0; r < RESAMPLES; r++) {
            for (int i = 0; i < n; i++) idx[i] = rnd.nextInt(n);
            double v = stat.of(idx);
            if (!Double.isNaN(v) && !Double.isInfinite(v)) t[k++] = v;
        }
        if (k == 0) return new Interval(estimate, Double.NaN, Double.NaN, n);
        double[] s = Arrays.copyOf(t, k);
        Arrays.sort(s);
        double tail = expandedTail(n);
        return new Interval(estimate, quantile(s, tail), quantile(s, 1 - tail), n);
    }

    /** Geometric mean over the blocks of {@code x[b] / y[b]}: a paired ratio, symmetric (A/B is 1/(B/A)). */
    static Interval pairedRatio(double[] x, double[] y, long seed) {
        double[] logs = new double[x.length];
        for (int i = 0; i < x.length; i++) logs[i] = Math.log(x[i] / y[i]);
        return bootstrap(x.length, idx -> {
            double s = 0;
            for (int i : idx) s += logs[i];
            return Math.exp(s / idx.length);
        }, seed);
    }

    /** mean(a) / mean(b) over the blocks: for differences (user time above a floor) that may be near 0 in one block. */
    static Interval ratioOfMeans(double[] a, double[] b, long seed) {
        return bootstrap(a.length, idx -> {
            double sa = 0, sb = 0;
            for (int i : idx) {
                sa += a[i];
                sb += b[i];
            }
            return sb <= 0 ? Double.NaN : sa / sb;
        }, seed);
    }

    /** The mean of {@code x} over the blocks: a server's own figure, for the charts' error bars. */
    static Interval mean(double[] x, long seed) {
        return bootstrap(x.length, idx -> {
            double s = 0;
            for (int i : idx) s += x[i];
            return s / idx.length;
        }, seed);
    }

    /** The verdict of a ratio's interval: lower than 1.00, higher, neither, or too few blocks to say. */
    enum Verdict {
        LOWER, SAME, HIGHER, TOO_FEW;

        static Verdict of(Interval i) {
            if (i.n() < MIN_BLOCKS || Double.isNaN(i.lo()) || Double.isNaN(i.hi())) return TOO_FEW;
            if (i.hi() < 1) return LOWER;
            if (i.lo() > 1) return HIGHER;
            return SAME;
        }
    }

    /**
     * The verdict in words: {@code lower}/{@code higher} name what a ratio below/above 1.00 means for
     * the figure (cheaper/dearer for CPU); no difference says how close the interval holds it to 1.00.
     */
    static String words(Interval i, String lower, String higher) {
        return switch (Verdict.of(i)) {
            case LOWER -> lower;
            case HIGHER -> higher;
            case SAME -> String.format(Locale.ROOT, "no detectable difference (within ±%.1f%%)",
                    Math.ceil(1000 * Math.max(1 - i.lo(), i.hi() - 1)) / 10);
            case TOO_FEW -> "too few blocks (" + i.n() + " < " + MIN_BLOCKS + ")";
        };
    }

    /** The expanded percentile interval's lower tail for {@code n} blocks; 0 (the whole range) below 4. */
    static double expandedTail(int n) {
        if (n < 4) return 0;
        double t = tQuantile(1 - (1 - LEVEL) / 2, n - 1);
        return normalCdf(-Math.sqrt(n / (n - 1.0)) * t);
    }

    /** Linear interpolation between order statistics (type 7). */
    static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /** Φ, from erf (Abramowitz and Stegun 7.1.26, error under 1.5e-7). */
    static double normalCdf(double z) {
        double x = Math.abs(z) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
                * Math.exp(-x * x);
        return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
    }

    /** Student's t quantile for {@code df} ≥ 3: the Cornish-Fisher expansion about the normal quantile. */
    static double tQuantile(double p, int df) {
        double z = normalQuantile(p), z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z, v = df;
        return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
                + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v);
    }

    /** The normal quantile by bisection on {@link #normalCdf}: a handful of calls per report. */
    static double normalQuantile(double p) {
        double lo = -10, hi = 10;
        for (int i = 0; i < 100; i++) {
            double mid = (lo + hi) / 2;
            if (normalCdf(mid) < p) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }

    /** A bootstrap seed from the comparison's names: the same comparison of the same data, the same interval. */
    static long seed(String... names) {
        return String.join("/", names).hashCode() * 0x9E3779B97F4A7C15L;
    }
}
