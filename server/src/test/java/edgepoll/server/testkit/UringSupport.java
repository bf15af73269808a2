package edgepoll.server.testkit;

import edgepoll.sys.SyscallException;
import edgepoll.uring.UringLoop;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether this kernel lets the process use io_uring. Where it does not (seccomp in a container,
 * {@code kernel.io_uring_disabled}, an old kernel), a test of --mode uring is not run: it prints
 * {@code SKIPPED} with the errno and aborts (JUnit counts it as skipped, never as passed).
 */
public final class UringSupport {
    private UringSupport() {}

    private static volatile String refusal;
    private static volatile boolean checked;

    /** Null when io_uring works here, else the one-line reason. */
    public static String refusal() {
        if (!checked) {
            try {
                UringLoop.checkAvailable();
            } catch (SyscallException e) {
                refusal = e.getMessage();
            }
            checked = true;
        }
        return refusal;
    }

    public static void assumeAvailable() {
        String r = refusal();
        if (r != null) {
            StackWalker.StackFrame caller = StackWalker.getInstance()
                    .walk(s -> s.filter(f -> f.getClassName().endsWith("Test")).findFirst()).orElse(null);
            System.err.println("SKIPPED " + (caller == null ? "" : caller.getClassName() + "." + caller.getMethodName() + ": ") + r);
            Assumptions.abort(r);
        }
    }
}
