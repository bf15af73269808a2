package edgepoll.loop;

import java.util.Arrays;

/**
 * The interest list of the backends that keep none in the kernel (poll, busy sweep): fd, interest
 * and token per entry, dense (entries {@code [0, count)}, removal moves the last entry into the
 * gap) so a turn visits only live entries, with an fd-indexed map to each entry's position so add,
 * modify and remove are O(1). A listener just notes where an entry moved. Owned by the loop thread.
 */
final class Interests {
    /** Tells a backend that keeps a parallel array (poll's pollfd list) that entry {@code from} moved to {@code to}. */
    interface Moves {
        void moved(int from, int to);
    }

    int count;
    int[] fd = new int[256];
    int[] interest = new int[256];
    long[] token = new long[256];
    private int[] indexOf = new int[1024];
    private final Moves moves;

    Interests(Moves moves) {
        this.moves = moves;
        Arrays.fill(indexOf, -1);
    }

    /** Appends an entry; returns its index. */
    int add(int f, int mask, long t) {
        if (count == fd.length) {
            int n = count * 2;
            fd = Arrays.copyOf(fd, n);
            interest = Arrays.copyOf(interest, n);
            token = Arrays.copyOf(token, n);
        }
        if (f >= indexOf.length) {
            int old = indexOf.length;
            indexOf = Arrays.copyOf(indexOf, Math.max(f + 1, old * 2));
            Arrays.fill(indexOf, old, indexOf.length, -1);
        }
        fd[count] = f;
        interest[count] = mask;
        token[count] = t;
        indexOf[f] = count;
        return count++;
    }

    /** Changes {@code f}'s entry (0: watched, nothing asked: a muted fd); returns its index. */
    int set(int f, int mask, long t) {
        int i = indexOf(f);
        interest[i] = mask;
        token[i] = t;
        return i;
    }

    /** The index of {@code f}'s entry, or -1. */
    int indexOf(int f) {
        return f < indexOf.length ? indexOf[f] : -1;
    }

    void remove(int f) {
        int i = indexOf(f);
        if (i < 0) return;
        indexOf[f] = -1;
        int last = --count;
        if (i != last) {
            fd[i] = fd[last];
            interest[i] = interest[last];
            token[i] = token[last];
            indexOf[fd[i]] = i;
            moves.moved(last, i);
        }
    }
}
