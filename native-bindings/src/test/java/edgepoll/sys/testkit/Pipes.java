package edgepoll.sys.testkit;

import edgepoll.sys.Net;
import edgepoll.sys.SyscallException;
import edgepoll.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A real pipe2(O_NONBLOCK|O_CLOEXEC) pair that closes both ends when closed. */
public record Pipes(int readFd, int writeFd, MemorySegment callState) implements AutoCloseable {

    /** Opens a non-blocking pipe; {@code callState} is the test thread's capture segment. */
    public static Pipes open(Arena arena, MemorySegment callState) throws SyscallException {
        MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
        SyscallException.check("pipe2", Syscalls.pipe2(callState, fds, Net.O_NONBLOCK | Net.O_CLOEXEC));
        return new Pipes(fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1), callState);
    }

    /** Writes {@code n} bytes of 'x' to the write end; returns what write(2) returned. */
    public long write(Arena arena, int n) {
        MemorySegment buf = arena.allocate(n);
        buf.fill((byte) 'x');
        return Syscalls.write(callState, writeFd, buf, n);
    }

    /** Reads up to {@code n} bytes from the read end; returns what read(2) returned. */
    public long read(Arena arena, int n) {
        return Syscalls.read(callState, readFd, arena.allocate(n), n);
    }

    @Override
    public void close() {
        Syscalls.close(callState, readFd);
        Syscalls.close(callState, writeFd);
    }
}
