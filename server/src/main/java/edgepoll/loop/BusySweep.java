package edgepoll.loop;

import edgepoll.sys.Epoll;

/**
 * The busy-sweep backend ({@code --mode busy-poll}, seeds 002/003): no readiness API at all. Every
 * "wait" reports every watched fd as ready for whatever it is watched for, so the loop tries one
 * accept4 on the listener, a read on every connection without pending output and a send on every
 * connection with some, and counts each EAGAIN that comes back. Correct, and wasteful on purpose:
 * with nothing to do it still spins a core ({@code --poll-sleep} trades that for latency, as the
 * seed's time.sleep does), and the stats show the waste as EAGAIN per request.
 *
 * <p>It never blocks, so it ignores the wake eventfd: the loop sees a stop request at its next turn.
 */
final class BusySweep implements Readiness {
    private final long sleepMs;
    private final Interests list = new Interests((from, to) -> {});
    private long[] firedToken = new long[256];
    private int[] firedEvents = new int[256];

    BusySweep(long sleepMs) {
        this.sleepMs = sleepMs;
    }

    @Override
    public int add(int fd, Interest interest, long token) {
        list.add(fd, interest.bits, token);
        return 0;
    }

    @Override
    public int modify(int fd, Interest interest, long token) {
        list.set(fd, interest.bits, token);
        return 0;
    }

    @Override
    public int mute(int fd, long token) {
        list.set(fd, 0, token);
        return 0;
    }

    @Override
    public int unwatch(int fd) {
        list.remove(fd);
        return 0;
    }

    @Override
    public int await(int timeoutMs) {
        if (sleepMs > 0) {
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int n = list.count;
        if (firedToken.length < n) {
            firedToken = new long[Math.max(n, firedToken.length * 2)];
            firedEvents = new int[firedToken.length];
        }
        int fired = 0;
        for (int i = 0; i < n; i++) {
            int ask = list.interest[i] & (Epoll.EPOLLIN | Epoll.EPOLLOUT);
            if (ask == 0) continue;
            firedToken[fired] = list.token[i];
            firedEvents[fired++] = ask;
        }
        return fired;
    }

    @Override
    public long token(int i) {
        return firedToken[i];
    }

    @Override
    public int events(int i) {
        return firedEvents[i];
    }

    @Override
    public void close() {}
}
