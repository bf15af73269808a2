package edgepoll.sys;

import edgepoll.sys.gen.LibC;
import edgepoll.sys.gen.sockaddr_in;
import edgepoll.sys.gen.sockaddr_in6;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Builds and reads {@code struct sockaddr_in} / {@code sockaddr_in6} for bind, connect and
 * getsockname. Cold path: listener and client set-up only.
 *
 * <pre>{@code
 * struct sockaddr_in  { sa_family_t sin_family; in_port_t sin_port; struct in_addr sin_addr; unsigned char sin_zero[8]; };
 * struct sockaddr_in6 { sa_family_t sin6_family; in_port_t sin6_port; uint32_t sin6_flowinfo; struct in6_addr sin6_addr; uint32_t sin6_scope_id; };
 * }</pre>
 */
public final class SockAddrs {
    private SockAddrs() {}

    /** A socket address in native memory: pass {@code segment} and {@code length} to bind/connect. */
    public record SockAddr(int family, MemorySegment segment, int length) {}

    /** Large enough for either family, for getsockname. */
    public static final long MAX_LENGTH = Math.max(sockaddr_in.layout().byteSize(), sockaddr_in6.layout().byteSize());

    /**
     * A numeric IPv4 or IPv6 address ("127.0.0.1", "::1", "0.0.0.0"; "localhost" means 127.0.0.1)
     * and a port, parsed with inet_pton(3) into memory owned by {@code arena}.
     *
     * @throws IllegalArgumentException for a host that is not a numeric address, or a bad port
     */
    public static SockAddr of(Arena arena, String host, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range 0..65535: " + port);
        }
        String h = host.equals("localhost") ? "127.0.0.1" : host;
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        MemorySegment text = arena.allocateFrom(h);
        short netPort = Short.reverseBytes((short) port);  // in_port_t is big-endian; x86_64 is little-endian
        if (h.indexOf(':') < 0) {
            MemorySegment sa = arena.allocate(sockaddr_in.layout());
            sockaddr_in.sin_family(sa, (short) Net.AF_INET);
            sockaddr_in.sin_port(sa, netPort);
            if (LibC.inet_pton(Net.AF_INET, text, sockaddr_in.sin_addr(sa)) == 1) {
                return new SockAddr(Net.AF_INET, sa, (int) sa.byteSize());
            }
        } else {
            MemorySegment sa = arena.allocate(sockaddr_in6.layout());
            sockaddr_in6.sin6_family(sa, (short) Net.AF_INET6);
            sockaddr_in6.sin6_port(sa, netPort);
            if (LibC.inet_pton(Net.AF_INET6, text, sockaddr_in6.sin6_addr(sa)) == 1) {
                return new SockAddr(Net.AF_INET6, sa, (int) sa.byteSize());
            }
        }
        throw new IllegalArgumentException("not a numeric IPv4 or IPv6 address: " + host);
    }

    /** The port of a sockaddr_in or sockaddr_in6 (they keep it at the same offset), in host order. */
    public static int port(MemorySegment sockaddr) {
        short family = sockaddr.get(ValueLayout.JAVA_SHORT, 0);
        short net = family == Net.AF_INET6 ? sockaddr_in6.sin6_port(sockaddr) : sockaddr_in.sin_port(sockaddr);
        return Short.toUnsignedInt(Short.reverseBytes(net));
    }

    /** getsockname(fd)'s port: the port the kernel chose for a listener bound to port 0. */
    public static int localPort(MemorySegment callState, int fd) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(MAX_LENGTH, 8);
            MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, (int) MAX_LENGTH);
            SyscallException.check("getsockname(fd=" + fd + ")", Syscalls.getsockname(callState, fd, sa, len));
            return port(sa);
        }
    }
}
