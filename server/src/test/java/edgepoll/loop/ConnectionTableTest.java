package edgepoll.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.config.Options;
import edgepoll.kernel.LoopSyscalls;
import edgepoll.worker.BufferPool;
import edgepoll.sys.Net;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connection table's dispatch guard on real fds (eventfds stand in for sockets: the table only
 * closes them). An event whose token names a connection that is no longer live must find nothing:
 * neither a connection marked closed in this batch nor a slot freed after an earlier one, whose fd
 * number may already belong to something else (a dup kept alive elsewhere keeps epoll reporting it).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectionTableTest {

    @Test
    void tokensOfClosedAndFreedConnectionsFindNothing() {
        try (Arena arena = Arena.ofConfined()) {
            LoopSyscalls sys = new LoopSyscalls(arena, null);
            ConnectionTable table = new ConnectionTable(sys, new BusySweep(0), new BufferPool(arena, 1024), Options.defaults());
            int fd = sys.eventfd(Net.EFD_CLOEXEC);
            assertTrue(fd >= 0);
            Connection c = table.open(fd);
            long token = ConnectionTable.token(c);
            assertSame(c, table.lookup(token), "a live connection is found by its token");

            table.closeLater(c);
            assertNull(table.lookup(token), "marked closed in this batch: its other events are dropped");
            assertEquals(1, table.closeDeferred());
            assertEquals(Connection.FREE, c.state);
            assertNull(table.lookup(token), "a FREE slot with the same generation is not a connection");
            assertEquals(2, sys.counters.staleEvents());

            int again = sys.eventfd(Net.EFD_CLOEXEC);  // the kernel hands out the lowest free number: the same one
            Connection reused = table.open(again);
            assertNotNull(reused);
            if (again == fd) assertSame(c, reused, "the same slot, given the next generation");
            assertNull(table.lookup(token), "the previous generation's token does not reach the new connection");
            assertSame(reused, table.lookup(ConnectionTable.token(reused)));
            table.closeLater(reused);
            table.closeDeferred();
        }
    }
}
