package edgepoll.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.config.Options;
import edgepoll.proto.EchoProtocol;
import edgepoll.kernel.LoopSyscalls;
import edgepoll.stats.Sys;
import edgepoll.sys.CallState;
import edgepoll.sys.Net;
import edgepoll.sys.Syscalls;
import edgepoll.transport.LoopClock;
import edgepoll.worker.BufferPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Transfer} on a real pipe: what a read is asked, and what its result means to the drains. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TransferTest {

    /**
     * A full input buffer leaves no room to read into: read(2) asked for 0 bytes returns 0, which
     * EtDrain and LtDrain take as EOF, although the peer has closed nothing (here the pipe holds
     * bytes). readSome must make no such read and answer something no drain reads as EOF.
     */
    @Test
    void aFullInputBufferIsNeverReadAsEof() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = CallState.allocate(arena);
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            assertEquals(0, Syscalls.pipe2(cs, fds, Net.O_NONBLOCK | Net.O_CLOEXEC));
            int readEnd = fds.getAtIndex(ValueLayout.JAVA_INT, 0), writeEnd = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
            MemorySegment bytes = arena.allocateFrom("pending");
            assertTrue(Syscalls.write(cs, writeEnd, bytes, bytes.byteSize()) > 0);

            LoopSyscalls sys = new LoopSyscalls(arena, null);
            ConnectionTable table = new ConnectionTable(sys, new BusySweep(0), new BufferPool(arena, 1024), Options.defaults());
            Transfer io = new Transfer(sys, table, new EchoProtocol(), new LoopClock(), false, true);
            Connection c = table.open(readEnd);
            table.lendInput(c);
            c.inPos = 0;
            c.inLen = (int) c.in.byteSize();  // full: nothing consumed, no room left

            long n = io.readSome(c);
            assertNotEquals(0, n, "a full buffer is not EOF");
            assertTrue(n < 0 && n != -edgepoll.sys.Errno.EAGAIN && n != -edgepoll.sys.Errno.EINTR,
                    "an error the drains close on, not one they wait or retry on: " + n);
            assertEquals(0, sys.counters.calls(Sys.READ), "no read of 0 bytes was made");
            assertEquals(1024, c.inLen, "the buffered bytes are untouched");

            table.closeLater(c);
            table.closeDeferred();
            Syscalls.close(cs, writeEnd);
        }
    }
}
