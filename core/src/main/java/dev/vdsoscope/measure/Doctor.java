package dev.vdsoscope.measure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.vdsoscope.vdso.ClockId;
import dev.vdsoscope.vdso.Vvar;
import dev.vdsoscope.vdso.VvarSnapshot;

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

    /**
     * The diagnosis: the environment, the clocksources, a verdict per clock, and what the kernel's
     * vvar data says of each clock (its clock base's clock_mode), which names the cause of a fallback.
     */
    public record Diagnosis(VdsoEnvironment environment, Clocksources clocksources, List<ClockVerdict> clocks,
            KernelModes kernel) {
        public boolean anyFallback() {
            return clocks.stream().anyMatch(ClockVerdict::fallsBack);
        }

        /** Why the vDSO serves this clock or not, as the kernel's clock mode says; empty where it says nothing. */
        public Optional<String> cause(ClockVerdict verdict) {
            return kernel.cause(verdict, clocksources.current());
        }
    }

    /**
     * The clock mode the kernel set for the clock base behind each clock, read from this process's
     * vvar data ({@link Vvar}); {@code unavailable} says why there is none (no BTF, another layout).
     *
     * @param modes the clock base and its mode, per clock the vDSO reads a counter for or a base time of
     */
    public record KernelModes(Map<ClockId, BaseMode> modes, String unavailable) {
        /** One clock's base ({@code clock_data[CS_HRES_COARSE]}) and the mode the kernel set for it. */
        public record BaseMode(String base, String mode, boolean coarse) {}

        static final String NONE = "VDSO_CLOCKMODE_NONE";

        /** Reads this process's vvar data; never fails: where it cannot be read, says why. */
        public static KernelModes read() {
            VvarSnapshot snapshot;
            try {
                snapshot = Vvar.snapshotNow();
            } catch (Vvar.UnavailableException e) {
                return new KernelModes(Map.of(), e.getMessage());
            }
            Map<ClockId, BaseMode> modes = new EnumMap<>(ClockId.class);
            List<VvarSnapshot.ClockBase> bases = snapshot.time().bases();
            for (int i = 0; i < bases.size(); i++) {
                VvarSnapshot.ClockBase base = bases.get(i);
                for (VvarSnapshot.Timestamp t : base.basetimes()) {
                    ClockId clock = ClockId.valueOf(t.clock());
                    modes.put(clock, new BaseMode(base.name(), base.clockModeName(), !t.shifted()));
                }
            }
            return new KernelModes(Map.copyOf(modes), null);
        }

        Optional<String> cause(ClockVerdict verdict, String clocksource) {
            BaseMode base = modes.get(verdict.clock());
            if (base == null) {
                return Optional.empty();
            }
            if (base.coarse()) {
                return Optional.of("reads only " + base.base() + "'s base time, with no counter, whatever its clock mode"
                        + " (" + base.mode() + ")");
            }
            if (base.mode().equals(NONE)) {
                return Optional.of("the kernel set " + NONE + " for its clock base (" + base.base() + "): the clocksource "
                        + (clocksource == null ? "in use" : clocksource) + " has no vDSO mode, so the vDSO makes the system call");
            }
            return Optional.of(base.base() + " is in " + base.mode() + (verdict.fallsBack()
                    ? ", so the vDSO should serve it: the fallback comes from elsewhere (the counter read failed,"
                            + " or a seccomp or ptrace tool intercepts it)" : ""));
        }
    }

    /** The whole diagnosis, {@code perPath} of measuring for each path of each clock. */
    public static Diagnosis diagnose(List<ClockId> clocks, Duration perPath) {
        List<ClockVerdict> verdicts = new ArrayList<>();
        for (ClockId clock : clocks) {
            verdicts.add(measure(clock, perPath));
        }
        return new Diagnosis(VdsoEnvironment.current(), Clocksources.read(), verdicts, KernelModes.read());
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
