package dev.vdsoscope.measure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.vdsoscope.vdso.ClockId;

/**
 * Decides, by measurement, whether each clock's time comes from the vDSO or from a system call.
 * The vDSO path (VdsoCalls, as any program would call it) is timed against the forced system call
 * for the same clock on the same machine a moment later; a vDSO that falls back runs the system
 * call itself plus a little, so the ratio is near 1 or above, and one that serves time is many
 * times cheaper. The verdict uses the ratio, not a fixed number of nanoseconds, so it holds on a
 * fast or slow CPU alike; the samples of the two paths alternate and the ratio is the median of
 * the pairs' ratios, so that other work on the machine, which comes and goes, cancels out.
 */
public final class Doctor {
    private Doctor() {}

    /** Below this ratio of vDSO to system-call cost, the vDSO served the call. */
    public static final double SERVED_BELOW_RATIO = 0.5;
    /**
     * Many short samples rather than a few long ones: on a loaded machine most short pairs escape
     * preemption, so the median pair is a clean one.
     */
    private static final int SAMPLES = 41;

    /** What serves a call: the vDSO, in user space, or the system call. */
    public enum Verdict { VDSO, SYSCALL }

    /** What decided a verdict. */
    public enum Method {
        /** A seccomp filter that marks the system call ({@link KernelEntryProof}): proof. */
        SECCOMP("proved with a seccomp filter that marks the system call"),
        /** The vDSO path's cost against the forced system call's: an inference, which load can blur. */
        TIMING("decided by timing");

        private final String description;

        Method(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /**
     * One clock's verdict with its evidence and the method that decided it; {@code expectedVdso} is
     * false for the CPU-time control. {@code steady}: whether the timings are settled (the verdict of a
     * proof does not depend on them).
     */
    public record ClockVerdict(ClockId clock, boolean expectedVdso, Verdict verdict, Stats vdsoNs, Stats syscallNs,
            double ratio, boolean steady, String evidence, Method method) {
        /** A clock the vDSO should serve but does not. */
        public boolean fallsBack() {
            return expectedVdso && verdict == Verdict.SYSCALL;
        }
    }

    /** The doctor's findings: the vDSO's environment, the clocksources, and a verdict for each clock. */
    public record Diagnosis(VdsoEnvironment environment, Clocksources clocksources, List<ClockVerdict> clocks) {
        public boolean anyFallback() {
            return clocks.stream().anyMatch(ClockVerdict::fallsBack);
        }
    }

    /** The whole diagnosis, {@code perPath} of measuring for each path of each clock. */
    public static Diagnosis diagnose(List<ClockId> clocks, Duration perPath) {
        List<ClockVerdict> verdicts = new ArrayList<>();
        for (ClockId clock : clocks) {
            verdicts.add(measure(clock, perPath));
        }
        return new Diagnosis(VdsoEnvironment.current(), Clocksources.read(), verdicts);
    }

    public static ClockVerdict measure(ClockId clock, Duration perPath) {
        return measure(clock, new CallTimer(perPath, SAMPLES));
    }

    /**
     * One clock in about {@code 2 * perPath}, warm-up capped too (for the default report): the
     * verdict is marked unsteady when the JIT had not finished.
     */
    public static ClockVerdict quick(ClockId clock, Duration perPath) {
        return measure(clock, new CallTimer(perPath, SAMPLES, perPath));
    }

    private static ClockVerdict measure(ClockId clock, CallTimer timer) {
        List<Timing> timings = timer.timeInterleaved(List.of(Calls.clockGettime(clock, CallPath.VDSO).batch(),
                Calls.clockGettime(clock, CallPath.SYSCALL).batch()));
        Timing vdso = timings.get(0);
        Timing syscall = timings.get(1);
        // Sample i of each path ran back to back: their ratio cancels the load of that moment.
        double ratio = vdso.medianRatioTo(syscall);
        Verdict verdict = ratio < SERVED_BELOW_RATIO ? Verdict.VDSO : Verdict.SYSCALL;
        String evidence = String.format(Locale.ROOT, "vDSO path %.1f ns, forced system call %.1f ns (medians):"
                + " median ratio of paired samples %.2f %s %.1f", vdso.nsPerCall().median(),
                syscall.nsPerCall().median(), ratio, verdict == Verdict.VDSO ? "<" : ">=", SERVED_BELOW_RATIO);
        boolean steady = vdso.steady() && syscall.steady();
        if (!steady) {
            evidence += " (warm-up cut short: the JIT may not have finished)";
        }
        Optional<KernelEntryProof.Finding> proof = KernelEntryProof.clockGettime(clock);
        if (proof.isPresent()) {
            boolean entersKernel = proof.get() == KernelEntryProof.Finding.ENTERS_KERNEL;
            return new ClockVerdict(clock, expectedVdso(clock), entersKernel ? Verdict.SYSCALL : Verdict.VDSO,
                    vdso.nsPerCall(), syscall.nsPerCall(), ratio, steady, (entersKernel
                            ? "its clock_gettime system call was made (the filter's marker came back)"
                            : "no clock_gettime system call was made under the filter") + "; timing: " + evidence,
                    Method.SECCOMP);
        }
        return new ClockVerdict(clock, expectedVdso(clock), verdict, vdso.nsPerCall(), syscall.nsPerCall(), ratio,
                steady, evidence, Method.TIMING);
    }

    /** The CPU-time clocks are never served by the vDSO: the kernel must account the running task. */
    static boolean expectedVdso(ClockId clock) {
        return clock != ClockId.CLOCK_PROCESS_CPUTIME_ID && clock != ClockId.CLOCK_THREAD_CPUTIME_ID;
    }
}
