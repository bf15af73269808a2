package edgepoll.sys;

import edgepoll.sys.gen.timeval;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** {@code struct timeval { time_t tv_sec; suseconds_t tv_usec; }} for SO_RCVTIMEO/SO_SNDTIMEO. */
public final class TimeVal {
    private TimeVal() {}

    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(timeval.layout());
    }

    /** Writes {@code ms} milliseconds into {@code tv}. */
    public static void set(MemorySegment tv, long ms) {
        timeval.tv_sec(tv, ms / 1000);
        timeval.tv_usec(tv, (ms % 1000) * 1000);
    }
}
