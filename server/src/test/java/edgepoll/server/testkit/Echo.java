package edgepoll.server.testkit;

/** What the echo protocol must send back: the input with ASCII a-z upper-cased (seeds 002/003). */
public final class Echo {
    private Echo() {}

    public static byte[] upper(byte[] b) {
        byte[] u = b.clone();
        for (int i = 0; i < u.length; i++) if (u[i] >= 'a' && u[i] <= 'z') u[i] -= 32;
        return u;
    }
}
