package edgepoll.loop;

import edgepoll.config.Mode;
import edgepoll.config.Options;
import edgepoll.kernel.LoopSyscalls;
import edgepoll.sys.SyscallException;
import java.lang.foreign.Arena;

/**
 * Which readiness backend and which drain policy each event-loop {@code --mode} combines:
 *
 * <pre>
 *   --mode                 backend                      policy
 *   et (--drain strict)    epoll, EPOLLET registration  StrictEt
 *   et --drain short-read  epoll, EPOLLET registration  ShortReadEt
 *   et --drain naive       epoll, EPOLLET registration  NaiveEt (broken on purpose: the ET stall)
 *   lt                     epoll, level registration    LtDrain
 *   poll                   poll(2)                      LtDrain
 *   busy-poll              busy sweep                   LtDrain
 * </pre>
 *
 * The ET policies need an edge-triggered backend (they rely on one event per edge); the LT policy
 * works on any backend that reports a ready fd until it is not ready.
 */
public final class Loops {
    private Loops() {}

    enum Kind { STRICT_ET, SHORT_READ_ET, NAIVE_ET, LT, POLL, BUSY_POLL }

    /**
     * The loop {@code options} ask for, serving {@code listenFd}, woken through {@code wakeFd}. The
     * switch names every {@link Mode}: a new one does not compile until it says whether this
     * package runs it (the Server's switch sends uring and the blocking models elsewhere).
     */
    public static EventLoop create(int index, Options options, int listenFd, int wakeFd) {
        Kind kind = switch (options.mode()) {
            case ET -> switch (options.drain()) {
                case STRICT -> Kind.STRICT_ET;
                case SHORT_READ -> Kind.SHORT_READ_ET;
                case NAIVE -> Kind.NAIVE_ET;
            };
            case LT -> Kind.LT;
            case POLL -> Kind.POLL;
            case BUSY_POLL -> Kind.BUSY_POLL;
            case BLOCKING, THREADS, VIRTUAL_THREADS, URING ->
                    throw new IllegalArgumentException("not a readiness mode: " + options.mode());
        };
        return new EventLoop(index, options, listenFd, wakeFd, kind);
    }

    static boolean edgeTriggered(Kind kind) {
        return kind == Kind.STRICT_ET || kind == Kind.SHORT_READ_ET || kind == Kind.NAIVE_ET;
    }

    static Readiness readiness(Kind kind, Arena arena, LoopSyscalls sys, Options options, int wakeFd) throws SyscallException {
        return switch (kind) {
            case STRICT_ET, SHORT_READ_ET, NAIVE_ET -> new EpollReadiness(arena, sys, true, options.maxEvents(), wakeFd);
            case LT -> new EpollReadiness(arena, sys, false, options.maxEvents(), wakeFd);
            case POLL -> new PollReadiness(arena, sys, wakeFd);
            case BUSY_POLL -> new BusySweep(options.pollSleepMs());
        };
    }

    static DrainPolicy policy(Kind kind, DrainPolicy.Parts parts) {
        return switch (kind) {
            case STRICT_ET -> new StrictEt(parts);
            case SHORT_READ_ET -> new ShortReadEt(parts);
            case NAIVE_ET -> new NaiveEt(parts);
            case LT, POLL, BUSY_POLL -> new LtDrain(parts);
        };
    }
}
