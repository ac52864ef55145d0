package dev.vdsoscope.measure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Times a {@link TimedCall.Batch}: warms it up until the JIT has compiled the loop and the cost per
 * call stops falling, then times batches (never single calls: a call costs less than the clock's
 * own overhead) long enough to dwarf System.nanoTime's resolution, and summarises them.
 */
public final class CallTimer {
    public static final int MIN_SAMPLES = 10;
    /**
     * A sample lasts about this long: far above System.nanoTime's resolution, and short enough that
     * on a loaded machine many samples run between two preemptions (which the median and the
     * minimum then leave out). A longer budget buys more samples, not longer ones.
     */
    private static final long SAMPLE_NANOS = 2_000_000;
    /** C2 compiles a loop after tens of thousands of back edges; warm-up goes well past that. */
    private static final long MIN_WARMUP_CALLS = 200_000;
    /**
     * Warm-up starts with this many rounds of {@link #FIRST_BATCH} calls: HotSpot compiles a method
     * after some hundreds of invocations but a loop only after tens of thousands of iterations, and
     * the first calls through FFM are interpreted at microseconds each.
     */
    private static final int SMALL_ROUNDS = 1000;
    private static final long FIRST_BATCH = 16;
    /** Rounds in a row without a 3 % improvement that count as steady state. */
    private static final int STEADY_ROUNDS = 4;
    private static final double WARMUP_SHARE = 0.3;
    /**
     * Warm-up runs on past its share of the budget until steady, by default up to this: under load a
     * JIT compilation can take a second, and timing interpreted calls would be worthless.
     */
    public static final Duration MAX_WARMUP = Duration.ofSeconds(3);

    private final long budgetNanos;
    /** At least this many samples; more when the budget allows. */
    private final int samples;
    private final long maxWarmupNanos;
    /** Where each batch's result goes, so that the JIT cannot drop the calls as dead code. */
    private static volatile long sink;

    /**
     * {@code budget} is the time for one call path, warm-up included, unless the warm-up needs more;
     * {@code samples} the fewest samples taken.
     */
    public CallTimer(Duration budget, int samples) {
        this(budget, samples, MAX_WARMUP);
    }

    /** With a shorter cap on warm-up, for quick checks that must not overrun; see {@link Timing#steady()}. */
    public CallTimer(Duration budget, int samples, Duration maxWarmup) {
        if (samples < MIN_SAMPLES) {
            throw new IllegalArgumentException("at least " + MIN_SAMPLES + " samples are needed, not " + samples);
        }
        this.budgetNanos = budget.toNanos();
        this.samples = samples;
        this.maxWarmupNanos = maxWarmup.toNanos();
    }

    public Timing time(TimedCall.Batch batch) {
        return timeInterleaved(List.of(batch)).getFirst();
    }

    /**
     * Times several batches that are to be compared: each is warmed up in turn, then their samples
     * alternate, so that a change in the machine's load (other processes, frequency) affects all
     * of them alike and sample i of one may be set against sample i of another.
     */
    public List<Timing> timeInterleaved(List<TimedCall.Batch> batches) {
        long sampleNanos = Math.max(100_000, Math.min(SAMPLE_NANOS, (long) (budgetNanos * (1 - WARMUP_SHARE) / samples)));
        int samples = (int) Math.max(this.samples, budgetNanos * (1 - WARMUP_SHARE) / sampleNanos);
        long[] callsPerSample = new long[batches.size()];
        long[] warmupCalls = new long[batches.size()];
        boolean[] steady = new boolean[batches.size()];
        for (int b = 0; b < batches.size(); b++) {
            warmUp(batches.get(b), sampleNanos, b, callsPerSample, warmupCalls, steady);
        }
        double[][] nsPerCall = new double[batches.size()][samples];
        for (int i = 0; i < samples; i++) {
            for (int b = 0; b < batches.size(); b++) {
                nsPerCall[b][i] = (double) timeBatch(batches.get(b), callsPerSample[b]) / callsPerSample[b];
            }
        }
        List<Timing> timings = new ArrayList<>();
        for (int b = 0; b < batches.size(); b++) {
            timings.add(new Timing(callsPerSample[b], samples, warmupCalls[b], steady[b], Stats.of(nsPerCall[b]),
                    nsPerCall[b]));
        }
        return timings;
    }

    /** Runs batch {@code b} until the cost per call stops falling; records the sample size that fills sampleNanos. */
    private void warmUp(TimedCall.Batch batch, long sampleNanos, int b, long[] callsPerSample, long[] warmupCalls,
            boolean[] steadyReached) {
        long start = System.nanoTime();
        long warmupShareEnd = start + (long) (budgetNanos * WARMUP_SHARE);
        long warmupLimit = start + Math.max(maxWarmupNanos, (long) (budgetNanos * WARMUP_SHARE));
        long calls = FIRST_BATCH;
        double best = Double.MAX_VALUE;
        int steady = 0;
        int rounds = 0;
        while (steady < STEADY_ROUNDS || warmupCalls[b] < MIN_WARMUP_CALLS || System.nanoTime() < warmupShareEnd) {
            long elapsed = timeBatch(batch, calls);
            warmupCalls[b] += calls;
            double perCall = (double) elapsed / calls;
            // A bigger batch spreads the timer's own cost thinner: only rounds at one size tell steadiness.
            boolean growing = ++rounds > SMALL_ROUNDS && elapsed < sampleNanos;
            if (perCall < best * 0.97) {
                best = perCall;
                steady = 0;
            } else if (!growing) {
                steady++;
            }
            if (growing) {
                calls *= 2;
            }
            if (System.nanoTime() > warmupLimit) {
                break;
            }
        }
        callsPerSample[b] = Math.max(1, (long) (sampleNanos / best));
        steadyReached[b] = steady >= STEADY_ROUNDS && warmupCalls[b] >= MIN_WARMUP_CALLS;
    }

    private static long timeBatch(TimedCall.Batch batch, long calls) {
        long start = System.nanoTime();
        long result = batch.run(calls);
        long elapsed = System.nanoTime() - start;
        sink = result;
        return elapsed;
    }
}
