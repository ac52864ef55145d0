package dev.vdsoscope.measure;

/**
 * What {@link CallTimer} found: nanoseconds per call over {@code samples} batches of
 * {@code callsPerSample}. {@code steady} is false when warm-up hit its cap before the cost per call
 * stopped falling (the JIT may not have finished): the figures are then upper bounds.
 * {@code sampleNs} holds each sample in the order taken.
 */
public record Timing(long callsPerSample, int samples, long warmupCalls, boolean steady, Stats nsPerCall,
        double[] sampleNs) {
    /**
     * The median of this timing's samples divided one by one by {@code other}'s: for two timings
     * from {@link CallTimer#timeInterleaved}, whose sample i ran back to back, so each pair met the
     * same load and the ratio cancels it.
     */
    public double medianRatioTo(Timing other) {
        double[] ratios = new double[Math.min(samples, other.samples())];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = sampleNs[i] / other.sampleNs()[i];
        }
        return Stats.of(ratios).median();
    }
}
