package edgepoll.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The intrusive timer list: deadline order, O(1) re-arming. */
class TimerListTest {

    @Test
    void timerListExpiresInDeadlineOrderAndRearmsInConstantTime() {
        TimerList list = new TimerList(100);
        Connection a = new Connection(1), b = new Connection(2), c = new Connection(3);
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
