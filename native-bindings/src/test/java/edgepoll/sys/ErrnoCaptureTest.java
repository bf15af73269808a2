package edgepoll.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.sys.testkit.Pipes;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** errno comes back through the capture segment, as {@code -errno}, for real failing calls. */
class ErrnoCaptureTest {

    @Test
    void readOnEmptyNonBlockingPipeReturnsMinusEagain() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = CallState.allocate(arena);
            try (Pipes p = Pipes.open(arena, cs)) {
                assertEquals(-Errno.EAGAIN, p.read(arena, 16));
                assertEquals("EAGAIN", Errno.name(Errno.EAGAIN));
                assertEquals("Resource temporarily unavailable", Errno.message(Errno.EAGAIN));
            }
        }
    }

    /**
     * The claim is about the compiled steady state as a loop reaches it, so it is measured in a JVM
     * of its own ({@link EagainRounds}): in the test JVM, whether C2 inlines the whole downcall chain
     * into the caller (and so removes the capture slice, 40 B a call) depended on what other tests
     * had compiled first — a clean-clone CI run once saw every round allocate, the next run none.
     * A fresh JVM has only this caller's profile, as a loop thread has.
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
    void eagainPathAllocatesNothingOnTheHeap() throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                EagainRounds.class.getName()).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes());
        assertTrue(child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the measuring JVM ended");
        System.out.print(out);
        assertEquals(0, child.exitValue(), "the measuring JVM: " + out);
        assertTrue(out.contains("rounds:"), out);
        String line = out.lines().filter(l -> l.contains("rounds:")).findFirst().orElseThrow();
        String[] rounds = line.substring(line.indexOf("rounds:") + 7).trim().split("[\\s,\\[\\]]+");
        long last = Long.parseLong(rounds[rounds.length - 1]);
        assertTrue(last < 4096, "EAGAIN path allocated in every round of 100,000 calls: " + out);
    }

    /**
     * The measuring JVM: rounds of 100,000 reads of an empty non-blocking pipe (a small method
     * holding the call, invoked again and again and compiled whole, as the loops reach it), at most
     * 20; the first that allocates nothing proves the path; one object per call would be >= 1.6 MB
     * in every round. Prints the bytes of each round.
     */
    static final class EagainRounds {
        public static void main(String[] args) throws Exception {
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment cs = CallState.allocate(arena);
                MemorySegment buf = arena.allocate(64);
                try (Pipes p = Pipes.open(arena, cs)) {
                    for (int i = 0; i < 200; i++) {  // warm up: let the JIT compile readMany with the call inlined
                        if (readMany(cs, p.readFd(), buf, 1_000) != -1_000L * Errno.EAGAIN) throw new AssertionError("not EAGAIN");
                    }
                    long tid = Thread.currentThread().threadId();
                    java.util.List<Long> rounds = new java.util.ArrayList<>();
                    for (int round = 0; round < 20; round++) {
                        long before = threads.getThreadAllocatedBytes(tid);
                        long rc = 0;
                        for (int i = 0; i < 100; i++) rc += readMany(cs, p.readFd(), buf, 1_000);
                        long allocated = threads.getThreadAllocatedBytes(tid) - before;
                        if (rc != -100_000L * Errno.EAGAIN) throw new AssertionError("not EAGAIN: " + rc);
                        rounds.add(allocated);
                        if (allocated < 4096) break;  // a few hundred bytes of slack for the measuring call itself
                    }
                    System.out.println("bytes allocated by each round of 100,000 reads that failed with EAGAIN, rounds: " + rounds);
                }
            }
        }
    }

    /** {@code n} reads of an empty non-blocking pipe, their results summed: the call as a loop makes it. */
    private static long readMany(MemorySegment cs, int fd, MemorySegment buf, int n) {
        long rc = 0;
        for (int i = 0; i < n; i++) rc += Syscalls.read(cs, fd, buf, 64);
        return rc;
    }

    @Test
    void readAtAndSendAtUseTheOffsetAndCheckBounds() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = CallState.allocate(arena);
            try (Pipes p = Pipes.open(arena, cs)) {
                MemorySegment buf = arena.allocate(64);
                buf.fill((byte) 'a');
                buf.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 10, (byte) 'Z');
                assertEquals(3, Syscalls.write(cs, p.writeFd(), buf.asSlice(9), 3));  // "aZa"
                MemorySegment in = arena.allocate(64);
                assertEquals(3, Syscalls.readAt(cs, p.readFd(), in, 40, 8));
                assertEquals('Z', (char) in.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 41));
                assertEquals(0, in.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 39), "nothing written before the offset");
                org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
                        () -> Syscalls.readAt(cs, p.readFd(), in, 60, 8), "60 + 8 > 64");
                org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
                        () -> Syscalls.sendAt(cs, p.writeFd(), in, -1, 8, 0));
                assertEquals(-Errno.EAGAIN, Syscalls.readAt(cs, p.readFd(), in, 0, 64));
            }
        }
    }

    @Test
    void closeOfMinusOneReturnsMinusEbadf() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = CallState.allocate(arena);
            assertEquals(-Errno.EBADF, Syscalls.close(cs, -1));
            var e = new SyscallException("close(fd=-1)", Errno.EBADF);
            assertEquals("close(fd=-1): Bad file descriptor (EBADF)", e.getMessage());
        }
    }

    @Test
    void bindingABoundPortReturnsMinusEaddrinuse() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = CallState.allocate(arena);
            int a = SyscallException.check("socket", Syscalls.socket(cs, Net.AF_INET, Net.SOCK_STREAM | Net.SOCK_CLOEXEC, 0));
            int b = SyscallException.check("socket", Syscalls.socket(cs, Net.AF_INET, Net.SOCK_STREAM | Net.SOCK_CLOEXEC, 0));
            try {
                var any = SockAddrs.of(arena, "127.0.0.1", 0);
                assertEquals(0, Syscalls.bind(cs, a, any.segment(), any.length()));
                assertEquals(0, Syscalls.listen(cs, a, 1));
                int port = SockAddrs.localPort(cs, a);
                assertTrue(port > 0);
                var taken = SockAddrs.of(arena, "127.0.0.1", port);
                assertEquals(-Errno.EADDRINUSE, Syscalls.bind(cs, b, taken.segment(), taken.length()));
            } finally {
                Syscalls.close(cs, a);
                Syscalls.close(cs, b);
            }
        }
    }

    @Test
    void errnoSurvivesGarbageCollectionsBetweenCallAndRead() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread collector = new Thread(() -> {
            while (!stop.get()) {
                System.gc();
            }
        }, "gc-loop");
        collector.start();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = CallState.allocate(arena);
            try (Pipes p = Pipes.open(arena, cs)) {
                for (int i = 0; i < 2_000; i++) {
                    assertEquals(-Errno.EAGAIN, p.read(arena, 8), "read on empty pipe, iteration " + i);
                    assertEquals(-Errno.EBADF, Syscalls.close(cs, -1), "close(-1), iteration " + i);
                    if (i % 100 == 0) {
                        // The capture segment still holds the last errno after a collection ran.
                        System.gc();
                        assertEquals(Errno.EBADF, CallState.errno(cs));
                    }
                }
            }
        } finally {
            stop.set(true);
            collector.join(10_000);
        }
    }
}
