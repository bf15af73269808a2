package edgepoll.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The intrusive timer list: deadline order, O(1) re-arming. */
class TimerListTest {
    /** A connection with nothing of a loop's own: the list only uses what every loop's connection has. */
    private static final class Plain extends Conn {
        Plain(int fd) {
            super(fd);
        }
    }

    @Test
    void timerListExpiresInDeadlineOrderAndRearmsInConstantTime() {
        TimerList list = new TimerList(100);
        Conn a = new Plain(1), b = new Plain(2), c = new Plain(3);
        list.arm(a, 0);
        list.arm(b, 10);
        list.arm(c, 20);
        list.arm(a, 30);  // activity on a moves it to the back
        assertEquals(null, list.expired(109));
        assertEquals(b, list.expired(110));
        list.remove(b);
        assertEquals(10, list.untilNext(110));
        assertEquals(c, list.expired(120));
        list.remove(c);
        assertEquals(a, list.expired(130));
        list.remove(a);
        assertEquals(-1, list.untilNext(130));
    }
}
