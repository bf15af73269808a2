package edgepoll.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.sys.gen.LibC;
import edgepoll.sys.testkit.IncludeList;
import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated bindings agree with the C compiler on this machine: every constant, struct size and
 * field offset named in includes.txt. The C probe is written from includes.txt and the generated
 * layouts at test time, compiled with gcc against the same edgepoll.h jextract read, and run; its
 * output is compared line by line with what the Java side holds.
 */
class AbiConformanceTest {

    @TempDir
    Path tmp;

    private static String cType(String kind, String name) {
        return (kind.equals("union") ? "union " : "struct ") + name;
    }

    private static GroupLayout layoutOf(String name) throws ReflectiveOperationException {
        return (GroupLayout) Class.forName("edgepoll.sys.gen." + name).getMethod("layout").invoke(null);
    }

    @Test
    void constantsSizesAndOffsetsMatchTheCompiler() throws Exception {
        Path gcc = findGcc();
        List<IncludeList.Entry> entries = IncludeList.read();
        Map<String, Long> expectedByJava = new LinkedHashMap<>();
        StringBuilder c = new StringBuilder();
        c.append("#include \"").append(IncludeList.jextractDir().resolve("edgepoll.h").toAbsolutePath()).append("\"\n");
        c.append("#include <stdio.h>\n#include <stddef.h>\nint main(void) {\n");
        for (IncludeList.Entry e : entries) {
            switch (e.kind()) {
                case "constant" -> {
                    Object v = LibC.class.getMethod(e.name()).invoke(null);
                    long java = ((Number) v).longValue();
                    // C prints the value as long long; an int-typed Java constant is compared modulo 2^32
                    // (EPOLLET is 1u << 31 in C and Integer.MIN_VALUE in Java).
                    boolean isInt = v instanceof Integer;
                    expectedByJava.put("const " + e.name(), java);
                    c.append("  printf(\"const ").append(e.name()).append(" %lld\\n\", (long long) ")
                            .append(isInt ? "(int) " : "").append("(").append(e.name()).append("));\n");
                }
                case "struct", "union" -> {
                    GroupLayout layout = layoutOf(e.name());
                    String type = cType(e.kind(), e.name());
                    expectedByJava.put("sizeof " + e.name(), layout.byteSize());
                    c.append("  printf(\"sizeof ").append(e.name()).append(" %lld\\n\", (long long) sizeof(")
                            .append(type).append("));\n");
                    addOffsets(e.name(), type, layout, 0, expectedByJava, c);
                }
                default -> { }
            }
        }
        c.append("  return 0;\n}\n");
        Map<String, Long> expectedByC = compileAndRun(gcc, c.toString());

        List<String> mismatches = new ArrayList<>();
        expectedByJava.forEach((key, java) -> {
            Long cv = expectedByC.get(key);
            if (cv == null || cv.longValue() != java.longValue()) {
                mismatches.add(key + ": java=" + java + " C=" + cv);
            }
        });
        System.out.println("ABI probe compared " + expectedByJava.size() + " constants, sizes and offsets with gcc");
        assertTrue(expectedByJava.size() > 100, "compared only " + expectedByJava.size());
        assertEquals(List.of(), mismatches, "generated bindings disagree with the C headers");
        // The one layout everything depends on, spelled out: packed, 12 bytes, data at offset 4 (x86_64).
        assertEquals(12L, expectedByC.get("sizeof epoll_event"));
        assertEquals(4L, expectedByC.get("offsetof epoll_event.data"));
        assertEquals(12L, EpollEvents.SIZE);
        // The io_uring ABI the ring code relies on: 64-byte SQEs, 16-byte CQEs, the buffer ring's
        // tail overlaying bufs[0].resv at byte 14.
        assertEquals(64L, expectedByC.get("sizeof io_uring_sqe"));
        assertEquals(16L, expectedByC.get("sizeof io_uring_cqe"));
        assertEquals(14L, expectedByC.get("offsetof io_uring_buf_ring.tail"));
        assertEquals(40L, expectedByC.get("offsetof io_uring_sqe.buf_group"));
    }

    /**
     * One {@code offsetof} line per named field of {@code group}, at {@code base} bytes into the
     * struct. jextract names an anonymous struct or union member {@code $anon$LINE:COL}; C reaches
     * its fields as if they were the parent's (C11), so those are compared by their own names
     * ({@code io_uring_sqe.addr}, {@code io_uring_buf_ring.tail}).
     */
    private static void addOffsets(String struct, String type, GroupLayout group, long base,
                                   Map<String, Long> expectedByJava, StringBuilder c) {
        for (MemoryLayout m : group.memberLayouts()) {
            if (m.name().isEmpty()) continue;  // padding
            String f = m.name().get();
            long offset = base + group.byteOffset(MemoryLayout.PathElement.groupElement(f));
            if (f.startsWith("$anon$") && m instanceof GroupLayout anon) {
                addOffsets(struct, type, anon, offset, expectedByJava, c);
                continue;
            }
            expectedByJava.put("offsetof " + struct + "." + f, offset);
            c.append("  printf(\"offsetof ").append(struct).append('.').append(f)
                    .append(" %lld\\n\", (long long) offsetof(").append(type).append(", ").append(f).append("));\n");
        }
    }

    private static Path findGcc() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, "gcc");
            if (Files.isExecutable(p)) return p;
        }
        String reason = "SKIPPED AbiConformanceTest: gcc is not on PATH (apt-get install gcc; .ci/run installs it)";
        System.err.println(reason);
        Assumptions.abort(reason);
        return null;
    }

    private Map<String, Long> compileAndRun(Path gcc, String source) throws IOException, InterruptedException {
        Path src = tmp.resolve("abi_probe.c");
        Path exe = tmp.resolve("abi_probe");
        Files.writeString(src, source);
        run(List.of(gcc.toString(), "-std=gnu11", "-Wall", "-o", exe.toString(), src.toString()));
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : run(List.of(exe.toString())).split("\n")) {
            int sp = line.lastIndexOf(' ');
            values.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1)));
        }
        return values;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + command);
        assertEquals(0, p.exitValue(), command + " failed:\n" + out);
        return out;
    }
}
