package dev.vdsoscope.measure;

import java.util.Arrays;

/** The spread of a set of samples: median, quartiles and extremes. */
public record Stats(double median, double min, double max, double q1, double q3) {
    public static Stats of(double[] samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        return new Stats(quantile(sorted, 0.5), sorted[0], sorted[sorted.length - 1], quantile(sorted, 0.25),
                quantile(sorted, 0.75));
    }

    /** Linear interpolation between the closest ranks. */
    private static double quantile(double[] sorted, double q) {
        double rank = q * (sorted.length - 1);
        int low = (int) Math.floor(rank);
        int high = (int) Math.ceil(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}
