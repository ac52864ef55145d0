package dev.vdsoscope.measure;

/**
 * What {@link CallTimer} found: nanoseconds per call over {@code samples} batches of
 * {@code callsPerSample}. {@code steady} is false when warm-up hit its cap before the cost per call
 * stopped falling (the JIT may not have finished): the figures are then upper bounds.
 * {@code sampleNs} holds each sample in the order taken.
 */
public record Timing(long callsPerSample, int samples, long warmupCalls, boolean steady, Stats nsPerCall,
        double[] sampleNs) {}
