package edgepoll.sys;

import edgepoll.sys.gen.itimerspec;
import edgepoll.sys.gen.timespec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct itimerspec { struct timespec it_interval; struct timespec it_value; }} for
 * timerfd_settime(2): a one-shot timer (zero interval). Written by offset, so arming a timer on a
 * hot path makes no slice object.
 */
public final class TimerSpec {
    private TimerSpec() {}

    private static final long VALUE_SEC = itimerspec.it_value$offset() + timespec.tv_sec$offset();
    private static final long VALUE_NSEC = itimerspec.it_value$offset() + timespec.tv_nsec$offset();

    /** A zeroed itimerspec owned by {@code arena}. */
    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(itimerspec.layout());
    }

    /** One expiry {@code nanos} from now (relative; 0 would disarm, so the caller passes at least 1). */
    public static void setOneShot(MemorySegment spec, long nanos) {
        spec.set(ValueLayout.JAVA_LONG, VALUE_SEC, nanos / 1_000_000_000L);
        spec.set(ValueLayout.JAVA_LONG, VALUE_NSEC, nanos % 1_000_000_000L);
    }
}
