package edgepoll.sys;

import edgepoll.sys.gen.LibC;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Every errno-setting libc call edgepoll makes, linked once with
 * {@code Linker.Option.captureCallState("errno")}.
 *
 * <p>Each handle is built from the symbol address and the function descriptor jextract generated
 * ({@code x$address()}, {@code x$descriptor()}); jextract's own handles cannot capture errno, so
 * they are not used for these calls. Each method takes the caller's capture segment (see
 * {@link CallState}) and returns the C result when it is {@code >= 0}, else {@code -errno}: the
 * hot path compares ints ({@code rc == -Errno.EAGAIN}) and never throws. Turning a negative result
 * into an exception is the caller's choice, off the hot path ({@link SyscallException}).
 *
 * <p>Allocation: none once C2 has compiled the call site, 40 bytes per call before. The linker
 * passes the capture segment of every captureCallState handle through
 * {@code SharedUtils.checkCaptureSegment}, which returns {@code segment.asSlice(0, layout)}: a new
 * {@code NativeMemorySegmentImpl} per call (JDK 25; OpenJDK's mainline source too), which only C2's escape analysis removes,
 * when the whole downcall chain is inlined into one compilation. The interpreter and C1 allocate
 * it on every call (exactly 40.00 B per syscall under {@code -Xint} or
 * {@code -XX:TieredStopAtLevel=1}). Nothing on this side avoids it: the filter is part of the
 * handle, whatever its type or however it is invoked, and reading errno without the capture option
 * would race with the JVM, which may overwrite errno between the call and the read. So the
 * handles here are invoked with {@code invokeExact} at their exact types (no adaptation), with one
 * capture segment per thread passed as is; the server's HotPathTest waits for C2 before it
 * asserts 0 bytes per request.
 *
 * <p>Owns no memory and no fd; it is safe to call from any thread with that thread's segment.
 */
public final class Syscalls {
    private Syscalls() {}

    static {
        Platform.check();
    }

    private static final Linker LINKER = Linker.nativeLinker();

    private static MethodHandle capturing(MemorySegment address, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(address, descriptor, CallState.CAPTURE_ERRNO);
    }

    /**
     * With _GNU_SOURCE, glibc declares the {@code struct sockaddr *} parameter of bind, connect,
     * accept4 and getsockname as a {@code __attribute__((transparent_union))} typedef
     * ({@code __SOCKADDR_ARG}), which jextract describes as a union passed by value. The System V
     * x86_64 ABI passes a transparent union exactly as its first member, a pointer, so the
     * generated descriptor is used with that one argument layout replaced by {@code C_POINTER}.
     */
    private static FunctionDescriptor sockaddrAsPointer(FunctionDescriptor generated) {
        return replaceArgument(generated, 1, LibC.C_POINTER);
    }

    /**
     * The generated descriptor with the buffer pointer (argument 1) passed as a raw address, a
     * {@code long}: the hot path reads into and sends from the middle of a buffer, and a
     * {@code MemorySegment} for "buffer + offset" would be one object per call unless the JIT's
     * escape analysis removes it, which depends on inlining depth (measured: 40 bytes per read
     * when it did not). The {@code *At} methods below check bounds themselves; the caller keeps the
     * buffer's arena open across the call (the loop closes its arena after its last syscall).
     */
    private static FunctionDescriptor bufferAsAddress(FunctionDescriptor generated) {
        return replaceArgument(generated, 1, LibC.C_LONG);
    }

    private static FunctionDescriptor replaceArgument(FunctionDescriptor generated, int index, MemoryLayout layout) {
        MemoryLayout[] args = generated.argumentLayouts().toArray(MemoryLayout[]::new);
        args[index] = layout;
        return FunctionDescriptor.of(generated.returnLayout().orElseThrow(), args);
    }

    // int socket(int domain, int type, int protocol)
    private static final MethodHandle SOCKET = capturing(LibC.socket$address(), LibC.socket$descriptor());
    // int bind(int fd, const struct sockaddr *addr, socklen_t len)
    private static final MethodHandle BIND = capturing(LibC.bind$address(), sockaddrAsPointer(LibC.bind$descriptor()));
    // int listen(int fd, int backlog)
    private static final MethodHandle LISTEN = capturing(LibC.listen$address(), LibC.listen$descriptor());
    // int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
    private static final MethodHandle ACCEPT4 = capturing(LibC.accept4$address(), sockaddrAsPointer(LibC.accept4$descriptor()));
    // int connect(int fd, const struct sockaddr *addr, socklen_t len)
    private static final MethodHandle CONNECT = capturing(LibC.connect$address(), sockaddrAsPointer(LibC.connect$descriptor()));
    // ssize_t read(int fd, void *buf, size_t n)
    private static final MethodHandle READ = capturing(LibC.read$address(), LibC.read$descriptor());
    // ssize_t write(int fd, const void *buf, size_t n)
    private static final MethodHandle WRITE = capturing(LibC.write$address(), LibC.write$descriptor());
    // ssize_t recv(int fd, void *buf, size_t n, int flags)
    private static final MethodHandle RECV = capturing(LibC.recv$address(), LibC.recv$descriptor());
    // ssize_t send(int fd, const void *buf, size_t n, int flags)
    private static final MethodHandle SEND = capturing(LibC.send$address(), LibC.send$descriptor());
    // read(2) and send(2) with the buffer as a raw address (see bufferAsAddress)
    private static final MethodHandle READ_AT = capturing(LibC.read$address(), bufferAsAddress(LibC.read$descriptor()));
    private static final MethodHandle SEND_AT = capturing(LibC.send$address(), bufferAsAddress(LibC.send$descriptor()));
    // int close(int fd)
    private static final MethodHandle CLOSE = capturing(LibC.close$address(), LibC.close$descriptor());
    // int shutdown(int fd, int how)
    private static final MethodHandle SHUTDOWN = capturing(LibC.shutdown$address(), LibC.shutdown$descriptor());
    // int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
    private static final MethodHandle SETSOCKOPT = capturing(LibC.setsockopt$address(), LibC.setsockopt$descriptor());
    // int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
    private static final MethodHandle GETSOCKOPT = capturing(LibC.getsockopt$address(), LibC.getsockopt$descriptor());
    // int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
    private static final MethodHandle GETSOCKNAME = capturing(LibC.getsockname$address(), sockaddrAsPointer(LibC.getsockname$descriptor()));
    // int epoll_create1(int flags)
    private static final MethodHandle EPOLL_CREATE1 = capturing(LibC.epoll_create1$address(), LibC.epoll_create1$descriptor());
    // int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)
    private static final MethodHandle EPOLL_CTL = capturing(LibC.epoll_ctl$address(), LibC.epoll_ctl$descriptor());
    // int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
    private static final MethodHandle EPOLL_WAIT = capturing(LibC.epoll_wait$address(), LibC.epoll_wait$descriptor());
    // int poll(struct pollfd *fds, nfds_t nfds, int timeout)
    private static final MethodHandle POLL = capturing(LibC.poll$address(), LibC.poll$descriptor());
    // int pipe2(int fds[2], int flags)
    private static final MethodHandle PIPE2 = capturing(LibC.pipe2$address(), LibC.pipe2$descriptor());
    // int eventfd(unsigned int initval, int flags)
    private static final MethodHandle EVENTFD = capturing(LibC.eventfd$address(), LibC.eventfd$descriptor());
    // int timerfd_create(clockid_t clock, int flags)
    private static final MethodHandle TIMERFD_CREATE = capturing(LibC.timerfd_create$address(), LibC.timerfd_create$descriptor());
    // int timerfd_settime(int fd, int flags, const struct itimerspec *new, struct itimerspec *old)
    private static final MethodHandle TIMERFD_SETTIME = capturing(LibC.timerfd_settime$address(), LibC.timerfd_settime$descriptor());
    // int getrlimit(int resource, struct rlimit *rlim)
    private static final MethodHandle GETRLIMIT = capturing(LibC.getrlimit$address(), LibC.getrlimit$descriptor());
    // int setrlimit(int resource, const struct rlimit *rlim)
    private static final MethodHandle SETRLIMIT = capturing(LibC.setrlimit$address(), LibC.setrlimit$descriptor());
    // int fcntl(int fd, int cmd, ...): linked for the one-int-argument form (F_GETFL, F_SETFL, F_SETFD, ...)
    private static final MethodHandle FCNTL = LINKER.downcallHandle(LibC.fcntl.address(),
            FunctionDescriptor.of(LibC.C_INT, LibC.C_INT, LibC.C_INT, LibC.C_INT),
            CallState.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));

    private static int ret(MemorySegment cs, int rc) {
        return rc >= 0 ? rc : -CallState.errno(cs);
    }

    private static long ret(MemorySegment cs, long rc) {
        return rc >= 0 ? rc : -CallState.errno(cs);
    }

    private static AssertionError linkageBroken(Throwable t) {
        // invokeExact fails only if a handle's type does not match its call site: a bug, not an I/O error.
        return new AssertionError("downcall failed: " + t, t);
    }

    public static int socket(MemorySegment cs, int domain, int type, int protocol) {
        try { return ret(cs, (int) SOCKET.invokeExact(cs, domain, type, protocol)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static int bind(MemorySegment cs, int fd, MemorySegment addr, int len) {
        try { return ret(cs, (int) BIND.invokeExact(cs, fd, addr, len)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static int listen(MemorySegment cs, int fd, int backlog) {
        try { return ret(cs, (int) LISTEN.invokeExact(cs, fd, backlog)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    /** accept4(fd, addr, addrlen, flags); pass {@code MemorySegment.NULL} twice to skip the peer address. */
    public static int accept4(MemorySegment cs, int fd, MemorySegment addr, MemorySegment addrLen, int flags) {
        try { return ret(cs, (int) ACCEPT4.invokeExact(cs, fd, addr, addrLen, flags)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static int connect(MemorySegment cs, int fd, MemorySegment addr, int len) {
        try { return ret(cs, (int) CONNECT.invokeExact(cs, fd, addr, len)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static long read(MemorySegment cs, int fd, MemorySegment buf, long n) {
        try { return ret(cs, (long) READ.invokeExact(cs, fd, buf, n)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static long write(MemorySegment cs, int fd, MemorySegment buf, long n) {
        try { return ret(cs, (long) WRITE.invokeExact(cs, fd, buf, n)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    /** read(fd, buf + offset, n), with no object per call; bounds are checked against {@code buf}. */
    public static long readAt(MemorySegment cs, int fd, MemorySegment buf, long offset, long n) {
        java.util.Objects.checkFromIndexSize(offset, n, buf.byteSize());
        try { return ret(cs, (long) READ_AT.invokeExact(cs, fd, buf.address() + offset, n)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    /** send(fd, buf + offset, n, flags), with no object per call; bounds are checked against {@code buf}. */
    public static long sendAt(MemorySegment cs, int fd, MemorySegment buf, long offset, long n, int flags) {
        java.util.Objects.checkFromIndexSize(offset, n, buf.byteSize());
        try { return ret(cs, (long) SEND_AT.invokeExact(cs, fd, buf.address() + offset, n, flags)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static long recv(MemorySegment cs, int fd, MemorySegment buf, long n, int flags) {
        try { return ret(cs, (long) RECV.invokeExact(cs, fd, buf, n, flags)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static long send(MemorySegment cs, int fd, MemorySegment buf, long n, int flags) {
        try { return ret(cs, (long) SEND.invokeExact(cs, fd, buf, n, flags)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static int close(MemorySegment cs, int fd) {
        try { return ret(cs, (int) CLOSE.invokeExact(cs, fd)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static int shutdown(MemorySegment cs, int fd, int how) {
        try { return ret(cs, (int) SHUTDOWN.invokeExact(cs, fd, how)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static int setsockopt(MemorySegment cs, int fd, int level, int name, MemorySegment val, int len) {
        try { return ret(cs, (int) SETSOCKOPT.invokeExact(cs, fd, level, name, val, len)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static int getsockopt(MemorySegment cs, int fd, int level, int name, MemorySegment val, MemorySegment len) {
        try { return ret(cs, (int) GETSOCKOPT.invokeExact(cs, fd, level, name, val, len)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static int getsockname(MemorySegment cs, int fd, MemorySegment addr, MemorySegment len) {
        try { return ret(cs, (int) GETSOCKNAME.invokeExact(cs, fd, addr, len)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static int epollCreate1(MemorySegment cs, int flags) {
        try { return ret(cs, (int) EPOLL_CREATE1.invokeExact(cs, flags)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static int epollCtl(MemorySegment cs, int epfd, int op, int fd, MemorySegment event) {
        try { return ret(cs, (int) EPOLL_CTL.invokeExact(cs, epfd, op, fd, event)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static int epollWait(MemorySegment cs, int epfd, MemorySegment events, int maxEvents, int timeoutMs) {
        try { return ret(cs, (int) EPOLL_WAIT.invokeExact(cs, epfd, events, maxEvents, timeoutMs)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static int poll(MemorySegment cs, MemorySegment fds, long nfds, int timeoutMs) {
        try { return ret(cs, (int) POLL.invokeExact(cs, fds, nfds, timeoutMs)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    /** pipe2 into {@code fds}, an int[2] segment: fds[0] is the read end. */
    public static int pipe2(MemorySegment cs, MemorySegment fds, int flags) {
        try { return ret(cs, (int) PIPE2.invokeExact(cs, fds, flags)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static int eventfd(MemorySegment cs, int initval, int flags) {
        try { return ret(cs, (int) EVENTFD.invokeExact(cs, initval, flags)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static int timerfdCreate(MemorySegment cs, int clock, int flags) {
        try { return ret(cs, (int) TIMERFD_CREATE.invokeExact(cs, clock, flags)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static int timerfdSettime(MemorySegment cs, int fd, int flags, MemorySegment newValue, MemorySegment oldValue) {
        try { return ret(cs, (int) TIMERFD_SETTIME.invokeExact(cs, fd, flags, newValue, oldValue)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static int getrlimit(MemorySegment cs, int resource, MemorySegment rlimit) {
        try { return ret(cs, (int) GETRLIMIT.invokeExact(cs, resource, rlimit)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static int setrlimit(MemorySegment cs, int resource, MemorySegment rlimit) {
        try { return ret(cs, (int) SETRLIMIT.invokeExact(cs, resource, rlimit)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    public static int fcntl(MemorySegment cs, int fd, int cmd, int arg) {
        try { return ret(cs, (int) FCNTL.invokeExact(cs, fd, cmd, arg)); }
        catch (Throwable t) { throw linkageBroken(t); }
    }

    /** gettid(2): the kernel thread id, which strace prints and {@code strace -p TID} follows. Cannot fail. */
    public static int gettid() {
        return LibC.gettid();
    }
}
