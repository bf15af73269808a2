package edgepoll.sys.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** This process's open fds, through /proc/self/fd, to prove a test leaked none. */
public final class FdCount {
    private FdCount() {}

    public static int now() {
        String[] names = new File("/proc/self/fd").list();
        if (names == null) {
            throw new IllegalStateException("/proc/self/fd is not readable");
        }
        return names.length;
    }

    /**
     * fd number to what it points at, for the kinds a server opens: sockets, pipes and anonymous
     * inodes (epoll, eventfd, timerfd). Files the JVM opens lazily and keeps (jars, /dev/urandom)
     * are left out: they are not the server's to close.
     */
    public static Map<Integer, String> describe() {
        Map<Integer, String> fds = new TreeMap<>();
        String[] names = new File("/proc/self/fd").list();
        if (names == null) return fds;
        for (String n : names) {
            try {
                String target = Files.readSymbolicLink(Path.of("/proc/self/fd", n)).toString();
                if (target.startsWith("socket:") || target.startsWith("pipe:") || target.startsWith("anon_inode:")) {
                    fds.put(Integer.parseInt(n), target);
                }
            } catch (IOException | NumberFormatException e) {
                // closed between list and readlink (the directory stream's own fd): not a leak
            }
        }
        return fds;
    }
}
