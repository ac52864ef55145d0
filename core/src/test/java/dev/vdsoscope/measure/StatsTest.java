package dev.vdsoscope.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void quartilesInterpolateBetweenRanksLikeNumpyLinear() {
        // numpy.percentile([7, 1, 3, 9, 5], [25, 50, 75]) == [3, 5, 7]; with 4 values: [1.75, 2.5, 3.25].
        Stats odd = Stats.of(new double[] {7, 1, 3, 9, 5});
        assertThat(odd).isEqualTo(new Stats(5, 1, 9, 3, 7));
        Stats even = Stats.of(new double[] {4, 1, 3, 2});
        assertThat(even.median()).isCloseTo(2.5, within(1e-12));
        assertThat(even.q1()).isCloseTo(1.75, within(1e-12));
        assertThat(even.q3()).isCloseTo(3.25, within(1e-12));
    }

    @Test
    void leavesTheSamplesInTheirOrder() {
        double[] samples = {3, 2, 1};
        Stats.of(samples);
        assertThat(samples).containsExactly(3, 2, 1);
    }
}
