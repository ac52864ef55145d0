package dev.vdsoscope.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.vdsoscope.vdso.ClockId;
import dev.vdsoscope.vdso.VdsoCalls;

/**
 * The FFM call into the vDSO's clock_gettime(CLOCK_MONOTONIC), the path bench/vdso-vs-c.sh compares
 * with the same call made from C. System.nanoTime, which HotSpot compiles to its own inline
 * clock_gettime call, is the JVM's best case for the same job.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ClockGettimeBenchmark {
    /** Not a constant, so that the JIT cannot specialise the call for one clock id. */
    int monotonic = ClockId.CLOCK_MONOTONIC.id();

    @Benchmark
    public long vdsoClockGettimeMonotonic() {
        return VdsoCalls.clockGettimeNanos(monotonic);
    }

    @Benchmark
    public long systemNanoTime() {
        return System.nanoTime();
    }
}
