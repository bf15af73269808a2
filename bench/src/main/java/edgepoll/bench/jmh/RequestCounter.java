package edgepoll.bench.jmh;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Requests answered, as a JMH secondary metric ({@code ·requests}, per second in Throughput mode):
 * one benchmark invocation carries connections × depth requests, and this turns invocations back
 * into requests.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class RequestCounter {
    public long requests;

    @Setup(Level.Iteration)
    public void reset() {
        requests = 0;
    }
}
