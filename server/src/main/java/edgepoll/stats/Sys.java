package edgepoll.stats;

/** The syscalls an event loop makes, as counted by {@link SyscallCounters}; the names strace prints. */
public enum Sys {
    EPOLL_CREATE1("epoll_create1"),
    EPOLL_WAIT("epoll_wait"),
    EPOLL_CTL_ADD("epoll_ctl(ADD)"),
    EPOLL_CTL_MOD("epoll_ctl(MOD)"),
    EPOLL_CTL_DEL("epoll_ctl(DEL)"),
    ACCEPT4("accept4"),
    POLL("poll"),
    READ("read"),
    SEND("sendto"),
    SHUTDOWN("shutdown"),
    SETSOCKOPT("setsockopt"),
    CLOSE("close"),
    EVENTFD2("eventfd2"),
    IO_URING_SETUP("io_uring_setup"),
    IO_URING_ENTER("io_uring_enter"),
    IO_URING_REGISTER("io_uring_register");

    /** strace's name: glibc's send(2) is the sendto syscall with a NULL address. */
    public final String straceName;

    Sys(String straceName) {
        this.straceName = straceName;
    }

    public static final Sys[] ALL = values();
}
