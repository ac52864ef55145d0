package dev.vdsoscope.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.vdsoscope.measure.Doctor.KernelModes;
import dev.vdsoscope.measure.Doctor.KernelModes.BaseMode;
import dev.vdsoscope.vdso.ClockId;

/**
 * The doctor's cause lines, from clock modes as the kernel sets them on other machines (an hpet
 * clocksource leaves VDSO_CLOCKMODE_NONE, which this machine's clocksources never do).
 */
class DoctorCauseTest {
    private static Doctor.ClockVerdict verdict(ClockId clock, Doctor.Verdict verdict) {
        Stats ns = Stats.of(new double[] {100});
        return new Doctor.ClockVerdict(clock, true, verdict, ns, ns, 1.0, true, "measured", Doctor.Method.SECCOMP);
    }

    @Test
    void aFallbackOnAClocksourceWithoutAVdsoModeNamesTheModeAndTheClocksource() {
        KernelModes modes = new KernelModes(Map.of(ClockId.CLOCK_MONOTONIC,
                new BaseMode("clock_data[CS_HRES_COARSE]", "VDSO_CLOCKMODE_NONE", false),
                ClockId.CLOCK_MONOTONIC_COARSE, new BaseMode("clock_data[CS_HRES_COARSE]", "VDSO_CLOCKMODE_NONE", true)),
                null);
        assertThat(modes.cause(verdict(ClockId.CLOCK_MONOTONIC, Doctor.Verdict.SYSCALL), "hpet")).hasValue(
                "the kernel set VDSO_CLOCKMODE_NONE for its clock base (clock_data[CS_HRES_COARSE]): the clocksource hpet"
                        + " has no vDSO mode, so the vDSO makes the system call");
        assertThat(modes.cause(verdict(ClockId.CLOCK_MONOTONIC_COARSE, Doctor.Verdict.VDSO), "hpet").orElseThrow())
                .startsWith("reads only clock_data[CS_HRES_COARSE]'s base time");
        assertThat(modes.cause(verdict(ClockId.CLOCK_TAI, Doctor.Verdict.VDSO), "hpet")).isEmpty();
    }

    @Test
    void aFallbackDespiteAVdsoModeSaysTheCauseIsElsewhere() {
        KernelModes modes = new KernelModes(Map.of(ClockId.CLOCK_REALTIME,
                new BaseMode("clock_data[CS_HRES_COARSE]", "VDSO_CLOCKMODE_TSC", false)), null);
        assertThat(modes.cause(verdict(ClockId.CLOCK_REALTIME, Doctor.Verdict.SYSCALL), "tsc").orElseThrow())
                .startsWith("clock_data[CS_HRES_COARSE] is in VDSO_CLOCKMODE_TSC, so the vDSO should serve it");
        assertThat(modes.cause(verdict(ClockId.CLOCK_REALTIME, Doctor.Verdict.VDSO), "tsc"))
                .hasValue("clock_data[CS_HRES_COARSE] is in VDSO_CLOCKMODE_TSC");
    }
}
