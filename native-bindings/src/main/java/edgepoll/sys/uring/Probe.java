package edgepoll.sys.uring;

import edgepoll.sys.IoUringCalls;
import edgepoll.sys.SyscallException;
import edgepoll.sys.gen.LibC;
import edgepoll.sys.gen.io_uring_probe;
import edgepoll.sys.gen.io_uring_probe_op;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Which opcodes a kernel's io_uring supports: {@code io_uring_register(IORING_REGISTER_PROBE)}
 * (5.6) on a ring, read once into a plain array. The struct and its flexible {@code ops[]} array
 * are the generated {@code io_uring_probe} / {@code io_uring_probe_op} layouts, sized for the
 * {@code IORING_OP_LAST} opcodes of the bound headers; an opcode is supported when its entry has
 * {@code IO_URING_OP_SUPPORTED}. Cold path (allocates).
 *
 * <p>The probe knows opcodes only: not the multishot or buffer-select flags of an opcode, nor
 * register operations such as {@code IORING_REGISTER_PBUF_RING}, which a caller checks by doing them.
 */
public final class Probe {
    private static final int OP_LAST = LibC.IORING_OP_LAST();
    private static final int SUPPORTED = LibC.IO_URING_OP_SUPPORTED();

    private final boolean[] supported;
    private final int lastOp;

    private Probe(boolean[] supported, int lastOp) {
        this.supported = supported;
        this.lastOp = lastOp;
    }

    /** Probes {@code ring}'s kernel; throws io_uring_register's errno (EINVAL before 5.6). */
    public static Probe of(Ring ring) throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            long size = io_uring_probe.layout().byteSize() + OP_LAST * io_uring_probe_op.layout().byteSize();
            MemorySegment p = a.allocate(size, io_uring_probe.layout().byteAlignment());
            SyscallException.check("io_uring_register(PROBE)",
                    IoUringCalls.register(ring.callState(), ring.fd(), LibC.IORING_REGISTER_PROBE(), p, OP_LAST));
            int opsLen = Byte.toUnsignedInt(io_uring_probe.ops_len(p));
            boolean[] ok = new boolean[OP_LAST];
            MemorySegment ops = p.asSlice(io_uring_probe.ops$offset());
            for (int i = 0; i < Math.min(opsLen, OP_LAST); i++) {
                MemorySegment op = io_uring_probe_op.asSlice(ops, i);
                ok[Byte.toUnsignedInt(io_uring_probe_op.op(op))] = (io_uring_probe_op.flags(op) & SUPPORTED) != 0;
            }
            return new Probe(ok, Byte.toUnsignedInt(io_uring_probe.last_op(p)));
        }
    }

    /** Whether the kernel supports opcode {@code op} (an {@code IORING_OP_*}, e.g. {@link Prep#OP_RECV}). */
    public boolean supports(int op) {
        int i = Byte.toUnsignedInt((byte) op);
        return i < supported.length && supported[i];
    }

    /** The kernel's highest opcode (its IORING_OP_LAST - 1; may exceed what the bindings know). */
    public int lastOp() {
        return lastOp;
    }
}
