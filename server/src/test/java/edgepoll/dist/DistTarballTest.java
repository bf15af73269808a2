package edgepoll.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgepoll.server.testkit.JarContents;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/dist makes a tarball that serves with no JDK around: unpacked in a scratch directory and
 * started through bin/edgepoll with PATH=/usr/bin:/bin and no JAVA_HOME (a java on that PATH, if any,
 * is not the one used: Debian's /usr/bin/java 17 would refuse to run the jar), it answers one HTTP
 * request on loopback and exits 0 on SIGTERM. Runs after package (surefire execution "packaged").
 */
@Tag("packaged")
@Timeout(180)
class DistTarballTest {
    @TempDir
    Path tmp;

    @Test
    void theTarballServesOneRequestWithNoJdkOnThePath() throws Exception {
        Path root = Path.of(System.getProperty("edgepoll.root", ".."));
        Path jar = Path.of(System.getProperty("edgepoll.jar", "target/edgepoll.jar"));
        long t0 = System.nanoTime();
        ProcessBuilder dist = new ProcessBuilder("bash", root.resolve("scripts/dist").toString(),
                "--jar", jar.toString(), "--out", tmp.toString()).redirectErrorStream(true);
        dist.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process d = dist.start();
        String distOut = new String(d.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(d.waitFor(120, TimeUnit.SECONDS), distOut);
        assertEquals(0, d.exitValue(), distOut);
        Path tarball;
        try (Stream<Path> s = Files.list(tmp)) {
            tarball = s.filter(p -> p.getFileName().toString().matches("edgepoll-.+-linux-x86_64\\.tar\\.gz")).findFirst().orElse(null);
        }
        assertNotNull(tarball, distOut);
        long built = System.nanoTime();

        Path unpacked = Files.createDirectory(tmp.resolve("unpacked"));
        Process tar = new ProcessBuilder("tar", "-C", unpacked.toString(), "-xzf", tarball.toString()).redirectErrorStream(true).start();
        String tarOut = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tar.waitFor(60, TimeUnit.SECONDS) && tar.exitValue() == 0, tarOut);
        String top = tarball.getFileName().toString().replace(".tar.gz", "");
        Path launcher = unpacked.resolve(top).resolve("bin/edgepoll");
        assertTrue(Files.isExecutable(launcher), "bin/edgepoll in " + tarball);
        Path lib = unpacked.resolve(top).resolve("lib");
        try (Stream<Path> s = Files.list(lib)) {
            assertEquals(List.of("edgepoll.jar"), s.map(p -> p.getFileName().toString()).toList(), "lib/ holds the server jar alone");
        }
        assertEquals(List.of(), JarContents.wrong(lib.resolve("edgepoll.jar")), "lib/edgepoll.jar: the server, no experiment");

        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "--port", "0").redirectError(tmp.resolve("stderr").toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/bin:/bin");
        Process server = pb.start();
        try {
            BufferedReader stdout = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String first = CompletableFuture.supplyAsync(() -> {
                try {
                    return stdout.readLine();
                } catch (java.io.IOException e) {
                    return null;
                }
            }).get(30, TimeUnit.SECONDS);
            assertNotNull(first, "no first line; stderr: " + Files.readString(tmp.resolve("stderr")));
            Matcher m = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) .*").matcher(first);
            assertTrue(m.matches(), first);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1))), 5_000);
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                InputStream in = s.getInputStream();
                String status = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1)).readLine();
                assertEquals("HTTP/1.1 200 OK", status);
            }
            server.destroy();  // SIGTERM to bin/edgepoll, which exec'd the bundled java
            assertTrue(server.waitFor(10, TimeUnit.SECONDS), "exits within 10 s of SIGTERM");
            assertEquals(0, server.exitValue(), Files.readString(tmp.resolve("stderr")));
        } finally {
            server.destroyForcibly();
        }
        System.out.printf("dist: built %s in %.1f s, served and stopped in %.1f s; runtime: %s%n", tarball.getFileName(),
                (built - t0) / 1e9, (System.nanoTime() - built) / 1e9,
                List.of(distOut.strip().split("\n")).stream().filter(l -> l.startsWith("dist:")).findFirst().orElse(""));
    }
}
