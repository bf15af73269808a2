package edgepoll.server;

/**
 * {@code --mode busy-poll}: seeds 002/003. Non-blocking sockets and no readiness API at all: every
 * sweep tries one accept4, then a read on every connection without pending output and a send on
 * every connection with some, and counts every EAGAIN that comes back. Correct, and wasteful on
 * purpose: with nothing to do it still spins a core ({@code --poll-sleep} trades that for latency,
 * as the seed's time.sleep does), and the stats show the waste as EAGAIN per request.
 */
final class BusyPollLoop extends ScanningLoop {

    BusyPollLoop(int index, Options options, int listenFd, int wakeFd) {
        super(index, options, listenFd, wakeFd);
    }

    @Override
    void awaitAndDispatch(int timeoutMs) {
        long sleep = options.pollSleepMs();
        if (sleep > 0) {
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopRequested = true;
            }
        }
        now();
        onAcceptable();
        int n = activeCount;
        for (int i = 0; i < n; i++) {
            Connection c = active[i];
            if (c.state == Connection.CLOSED) continue;
            if (c.outputPending()) onWritable(c);
            else onReadable(c);
        }
    }
}
