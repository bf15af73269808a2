/** Benchmarks: the JMH suite, the peer servers and the side-by-side comparison harness. */
package edgepoll.bench;
