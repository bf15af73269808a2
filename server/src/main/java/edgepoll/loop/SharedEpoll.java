package edgepoll.loop;

import edgepoll.config.Options;
import edgepoll.config.SharedEpollMode;
import edgepoll.sys.CallState;
import edgepoll.sys.Epoll;
import edgepoll.sys.EpollEvents;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import edgepoll.transport.Conn;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What the threads of {@code --shared-epoll} share: ONE epoll instance, the listener, and the
 * connection slots (epoll(7), "Q: ... multiple threads": EPOLLET|EPOLLONESHOT, re-armed with
 * epoll_ctl(MOD) once the thread is done with the fd). Every {@link SharedEpollLoop} waits on the
 * same epoll fd; any thread may get any connection's next event.
 *
 * <p><b>Thread-safe design.</b> The slots live in an {@link AtomicReferenceArray} indexed by fd
 * (fixed capacity {@link #CAPACITY}: a connection on a higher fd number is closed at once). A slot
 * is created once per fd number (compareAndSet) and reused. Its {@link Slot#owner} word is the only
 * synchronisation: a thread handles a connection only after compareAndSet(NOBODY, BUSY) and gives it
 * back with compareAndSet(BUSY, NOBODY) (volatile acquire/release: everything the previous owner
 * wrote into the slot and its buffers happens-before what the next owner reads; the kernel's
 * epoll_ctl/epoll_wait hand-off is not an edge the Java memory model knows). A thread whose CAS
 * fails counts an <i>owner collision</i> and sets BUSY_AGAIN, so the owner handles the connection
 * once more before releasing (no lost edge). With EPOLLONESHOT the kernel reports a connection to
 * at most one thread until it is re-armed, and the owner releases before it re-arms, so no
 * collision can happen; with plain EPOLLET ({@code --shared-epoll plain}) they do. No lock, no
 * allocation per request: the slot's two buffers come from this object's shared arena the first
 * time its fd number is used.
 *
 * <p><b>Ownership.</b> The Server creates this, and closes it ({@link #close()}: every connection
 * still open, the epoll fd, the listener, the arena) after every thread ended. The wake eventfd is
 * the Server's; it is registered level-triggered and never read, so one write wakes every waiter
 * (a level-triggered ready fd is reported to each epoll_wait until it is read).
 */
public final class SharedEpoll implements AutoCloseable {
    /** Highest fd number + 1 a connection may have here. */
    static final int CAPACITY = 1 << 16;
    /** The owner word: nobody holds the slot, a thread does, a thread does and must look once more. */
    static final int NOBODY = 0, BUSY = 1, BUSY_AGAIN = 2;
    /** The generation, read by any thread before it takes the owner word: read and written volatile. */
    private static final VarHandle GENERATION = generationHandle();

    private static VarHandle generationHandle() {
        try {
            return MethodHandles.lookup().findVarHandle(Conn.class, "generation", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * One connection (or a free fd number): the transport's {@link Conn} (its state, OPEN while a
     * connection lives on this fd, and everything else guarded by the owner word), and the owner word.
     */
    static final class Slot extends Conn {
        final AtomicInteger owner = new AtomicInteger(NOBODY);

        Slot(int fd) {
            super(fd);
        }

        /** Owned by the accepting thread: a new socket on this fd; returns its generation, published before the fd is registered. */
        int open() {
            reopen();
            int g = generation + 1;
            GENERATION.setVolatile(this, g);
            return g;
        }

        /** The current generation, as any thread may read it before taking the owner word. */
        int currentGeneration() {
            return (int) GENERATION.getVolatile(this);
        }
    }

    final int epfd;
    final int listenFd;
    final int wakeFd;
    final boolean oneshot;
    final Options options;
    /**
     * Set by the first stop request of any of the threads: they all stop together, since the one
     * level-triggered wake fd, once written, is reported to every waiter until they exit (a
     * per-thread flag made the others spin on it until their own request came).
     */
    final java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
    final AtomicReferenceArray<Slot> slots = new AtomicReferenceArray<>(CAPACITY);
    /** Buffers and the protocols' response templates: they outlive any one thread (a reply begun by one may be finished by another). */
    final Arena arena = Arena.ofShared();
    private final MemorySegment cs = CallState.allocate(arena);

    public SharedEpoll(Options options, int listenFd, int wakeFd) throws SyscallException {
        this.options = options;
        this.listenFd = listenFd;
        this.wakeFd = wakeFd;
        this.oneshot = options.sharedEpoll() == SharedEpollMode.ONESHOT;
        this.epfd = Syscalls.epollCreate1(cs, Epoll.EPOLL_CLOEXEC);
        if (epfd < 0) {
            arena.close();
            throw new SyscallException("epoll_create1(EPOLL_CLOEXEC)", -epfd);
        }
        EpollEvents ctl = new EpollEvents(arena, 1);
        ctl.set(0, Epoll.EPOLLIN, Readiness.WAKE);
        int rc = Syscalls.epollCtl(cs, epfd, Epoll.EPOLL_CTL_ADD, wakeFd, ctl.segment());
        // The listener is edge-triggered without ONESHOT: each arrival is reported to one waiter,
        // which accepts until EAGAIN; two threads accepting at once is fine (accept4 is atomic).
        if (rc == 0) {
            ctl.set(0, Epoll.EPOLLIN | Epoll.EPOLLET, Readiness.LISTENER);
            rc = Syscalls.epollCtl(cs, epfd, Epoll.EPOLL_CTL_ADD, listenFd, ctl.segment());
        }
        if (rc < 0) {
            Syscalls.close(cs, epfd);
            arena.close();
            throw new SyscallException("epoll_ctl(ADD) on the shared instance", -rc);
        }
    }

    /** The interest a connection is registered (and re-armed) with. */
    int interest(boolean outputPending) {
        if (!oneshot) return Epoll.EPOLLIN | Epoll.EPOLLOUT | Epoll.EPOLLRDHUP | Epoll.EPOLLET;  // once, never changed
        // Re-arming with EPOLLOUT while nothing waits would report the (almost always) writable socket at once.
        return (outputPending ? Epoll.EPOLLOUT : Epoll.EPOLLIN | Epoll.EPOLLRDHUP) | Epoll.EPOLLET | Epoll.EPOLLONESHOT;
    }

    /** The slot for {@code fd}, created the first time its number is used; null beyond CAPACITY. */
    Slot slot(int fd) {
        if (fd >= CAPACITY) return null;
        Slot s = slots.get(fd);
        if (s == null) {
            Slot fresh = new Slot(fd);  // cold: once per fd number
            int size = options.sliceSize();
            fresh.in = arena.allocate(size);
            fresh.out = arena.allocate(size);
            s = slots.compareAndExchange(fd, null, fresh);
            if (s == null) s = fresh;
        }
        return s;
    }

    /** After every thread ended: closes what is still open, the epoll fd, the listener and the arena. */
    @Override
    public void close() {
        for (int i = 0; i < CAPACITY; i++) {
            Slot s = slots.get(i);
            if (s != null && s.state == Conn.OPEN) {
                s.state = Conn.FREE;
                Syscalls.close(cs, s.fd);
            }
        }
        Syscalls.close(cs, epfd);
        Syscalls.close(cs, listenFd);
        arena.close();
    }
}
