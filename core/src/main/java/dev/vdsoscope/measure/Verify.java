package dev.vdsoscope.measure;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

import dev.vdsoscope.linux.Libc;
import dev.vdsoscope.linux.Syscall;
import dev.vdsoscope.vdso.ClockId;
import dev.vdsoscope.vdso.VdsoCalls;
import dev.vdsoscope.vdso.VdsoRandom;

/**
 * The vDSO checked against the system calls it stands for, as the kernel's own selftests
 * (vdso_test_correctness, vdso_test_abi, vdso_test_getrandom) and vdsotest's verify mode check it:
 * <ul>
 * <li>clock_gettime, every clock: system call, vDSO, system call in a row, the vDSO's answer between
 * the two (for the settable clocks REALTIME, REALTIME_COARSE and TAI, within {@link #SETTABLE_SLACK}
 * either way, as a clock step between the calls is allowed);</li>
 * <li>clock_getres equal to the system call's, every clock;</li>
 * <li>clock ids the kernel does not serve (-1, INT_MIN, INT_MAX, 12 to 23): the same error as the
 * system call;</li>
 * <li>gettimeofday and time between two CLOCK_REALTIME system calls;</li>
 * <li>getcpu, with the thread pinned to each allowed CPU in turn: that CPU;</li>
 * <li>getrandom: every size fully answered, and unknown flags refused as the system call refuses them;</li>
 * <li>optionally, bad pointers ({@link FaultCheck}): the vDSO faults, the system call says EFAULT.</li>
 * </ul>
 * Each check is repeated for the duration given. In a time namespace both sides apply its offsets,
 * so the bracketing checks them too.
 */
public final class Verify {
    /** How far a settable clock may step between two calls before its order counts as broken. */
    static final long SETTABLE_SLACK_NANOS = 1_000_000;
    public static final Duration SETTABLE_SLACK = Duration.ofNanos(SETTABLE_SLACK_NANOS);

    /** One check: what, of which subject, passed or not, and what was seen when it failed (or counted). */
    public record Check(String check, String subject, boolean passed, long rounds, String detail) {}

    /** Every check verify made; it passed when they all did. */
    public record Report(List<Check> checks) {
        public boolean passed() {
            return checks.stream().allMatch(Check::passed);
        }
    }

    /**
     * The vDSO side: this process's vDSO, which every method calls by default; a fake that misbehaves
     * on purpose (a fault injected for a test) overrides the one it breaks.
     */
    public interface Calls {
        /** clock_gettime: 0 or minus errno; seconds and nanoseconds in {@code out}. */
        default int clockGettime(int clock, long[] out) {
            return VdsoCalls.clockGettimeInto(clock, out);
        }

        default int clockGetres(int clock, long[] out) {
            return VdsoCalls.clockGetresInto(clock, out);
        }

        /** gettimeofday: seconds and microseconds. */
        default long[] gettimeofday() {
            VdsoCalls.Timespec tv = VdsoCalls.gettimeofday();
            return new long[] {tv.seconds(), tv.nanos()};
        }

        default long time() {
            return VdsoCalls.time();
        }

        default int getcpu() {
            return VdsoCalls.getcpu().cpu();
        }

        /** getrandom into a native buffer: the count, or minus errno. */
        default long getrandom(MemorySegment buffer, int flags) {
            return VdsoRandom.getrandom(buffer, flags);
        }
    }

    /** This process's vDSO. */
    public static final Calls VDSO = new Calls() {};

    private static final int[] INVALID_CLOCKS = {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 12, 13, 14, 15, 16, 17,
            18, 19, 20, 21, 22, 23};
    private static final int[] RANDOM_SIZES = {0, 1, 16, 32, 256, 4096, 65536};
    private static final int EINVAL = 22;
    /** Each repeated check runs at least this often, however short the duration. */
    private static final int MIN_ROUNDS = 1000;

    private final Calls vdso;
    private final MemorySegment ts;
    private final long clockGettime;
    private final long clockGetres;
    private final long[] answer = new long[2];

    private Verify(Calls vdso, Arena arena) {
        this.vdso = vdso;
        this.ts = arena.allocate(16, 8);
        this.clockGettime = Syscall.number("clock_gettime").orElseThrow();
        this.clockGetres = Syscall.number("clock_getres").orElseThrow();
    }

    /**
     * Every check, repeated for about {@code duration} in all; with {@code faults}, also vdsotest's
     * abi mode: bad pointers, the vDSO side in child JVMs that are expected to die of them.
     */
    public static Report run(Calls vdso, Duration duration, boolean faults) {
        try (Arena arena = Arena.ofConfined()) {
            return new Verify(vdso, arena).all(duration, faults);
        }
    }

    private Report all(Duration duration, boolean faults) {
        List<Check> checks = new ArrayList<>();
        long perCheck = Math.max(1, duration.toNanos() / (ClockId.values().length + 4));
        for (ClockId clock : ClockId.values()) {
            checks.add(order(clock, perCheck));
        }
        for (ClockId clock : ClockId.values()) {
            checks.add(resolution(clock));
        }
        checks.add(invalidClocks());
        checks.add(gettimeofday(perCheck));
        checks.add(timeCheck(perCheck));
        checks.add(getcpu());
        checks.add(getrandom());
        if (faults) {
            checks.addAll(faults());
        }
        return new Report(List.copyOf(checks));
    }

    private long syscallNanos(long number, int clock) {
        long result = Syscall.invoke(number, clock, ts.address(), 0);
        if (result != 0) {
            return Long.MIN_VALUE;
        }
        return ts.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + ts.get(ValueLayout.JAVA_LONG, 8);
    }

    private static boolean settable(ClockId clock) {
        return clock == ClockId.CLOCK_REALTIME || clock == ClockId.CLOCK_REALTIME_COARSE || clock == ClockId.CLOCK_TAI;
    }

    private Check order(ClockId clock, long nanos) {
        long slack = settable(clock) ? SETTABLE_SLACK_NANOS : 0;
        long rounds = 0;
        long deadline = System.nanoTime() + nanos;
        do {
            rounds++;
            long before = syscallNanos(clockGettime, clock.id());
            int result = vdso.clockGettime(clock.id(), answer);
            long after = syscallNanos(clockGettime, clock.id());
            long seen = answer[0] * 1_000_000_000L + answer[1];
            if (result != 0 || before == Long.MIN_VALUE || after == Long.MIN_VALUE) {
                return new Check("clock_gettime order", clock.name(), false, rounds, "an error: vDSO " + result);
            }
            if (answer[1] < 0 || answer[1] >= 1_000_000_000L || seen < before - slack || seen > after + slack) {
                return new Check("clock_gettime order", clock.name(), false, rounds, String.format(Locale.ROOT,
                        "system call %s, vDSO %s, system call %s: the vDSO's answer is %s", instant(before),
                        instant(seen), instant(after), seen < before - slack ? "before the first" : "after the second"));
            }
        } while (rounds < MIN_ROUNDS || System.nanoTime() < deadline);
        return new Check("clock_gettime order", clock.name(), true, rounds, "");
    }

    private static String instant(long nanos) {
        return Math.floorDiv(nanos, 1_000_000_000L) + "." + String.format(Locale.ROOT, "%09d", Math.floorMod(nanos,
                1_000_000_000L));
    }

    private Check resolution(ClockId clock) {
        long sys = Syscall.invoke(clockGetres, clock.id(), ts.address(), 0);
        long sysSeconds = ts.get(ValueLayout.JAVA_LONG, 0);
        long sysNanos = ts.get(ValueLayout.JAVA_LONG, 8);
        int result = vdso.clockGetres(clock.id(), answer);
        boolean same = result == sys && (sys != 0 || (answer[0] == sysSeconds && answer[1] == sysNanos));
        return new Check("clock_getres equal", clock.name(), same, 1, same ? "" : String.format(Locale.ROOT,
                "system call %d (%d.%09d), vDSO %d (%d.%09d)", sys, sysSeconds, sysNanos, result, answer[0], answer[1]));
    }

    /** The auxiliary clocks of Linux 6.17+ (CLOCK_AUX .. CLOCK_AUX_LAST). */
    private static final int AUX_FIRST = 16, AUX_LAST = 23;

    private Check invalidClocks() {
        List<Integer> auxResolutionOnly = new ArrayList<>();
        for (int id : INVALID_CLOCKS) {
            long sys = Syscall.invoke(clockGettime, id, ts.address(), 0);
            int result = vdso.clockGettime(id, answer);
            if (result != sys) {
                return new Check("clock_gettime error", "invalid clock ids", false, 1, String.format(Locale.ROOT,
                        "clock %d: system call %d, vDSO %d", id, sys, result));
            }
            long sysRes = Syscall.invoke(clockGetres, id, ts.address(), 0);
            int res = vdso.clockGetres(id, answer);
            if (id >= AUX_FIRST && id <= AUX_LAST && sysRes == -EINVAL && res == 0 && result == sys) {
                auxResolutionOnly.add(id);
                continue;
            }
            if (res != sysRes) {
                return new Check("clock_getres error", "invalid clock ids", false, 1, String.format(Locale.ROOT,
                        "clock %d: system call %d, vDSO %d", id, sysRes, res));
            }
        }
        return new Check("same error as the system call", "invalid clock ids", true, INVALID_CLOCKS.length,
                auxResolutionOnly.isEmpty() ? "" : "known kernel difference, harmless: the vDSO's clock_getres answers a"
                        + " resolution for the auxiliary clock ids " + auxResolutionOnly.getFirst() + "-"
                        + auxResolutionOnly.getLast() + " where the system call says EINVAL (auxiliary clocks not"
                        + " enabled), while clock_gettime refuses them both ways");
    }

    private Check gettimeofday(long nanos) {
        long rounds = 0;
        long deadline = System.nanoTime() + nanos;
        do {
            rounds++;
            long before = syscallNanos(clockGettime, ClockId.CLOCK_REALTIME.id()) / 1000;
            long[] tv = vdso.gettimeofday();
            long after = syscallNanos(clockGettime, ClockId.CLOCK_REALTIME.id()) / 1000;
            long seen = tv[0] * 1_000_000L + tv[1];
            long slack = SETTABLE_SLACK_NANOS / 1000;
            if (tv[1] < 0 || tv[1] >= 1_000_000L || seen < before - slack || seen > after + slack) {
                return new Check("between CLOCK_REALTIME calls", "gettimeofday", false, rounds, String.format(Locale.ROOT,
                        "%d us, %d us, %d us", before, seen, after));
            }
        } while (rounds < MIN_ROUNDS || System.nanoTime() < deadline);
        return new Check("between CLOCK_REALTIME calls", "gettimeofday", true, rounds, "");
    }

    private Check timeCheck(long nanos) {
        long rounds = 0;
        long deadline = System.nanoTime() + nanos;
        do {
            rounds++;
            long before = Math.floorDiv(syscallNanos(clockGettime, ClockId.CLOCK_REALTIME.id()), 1_000_000_000L);
            long seen = vdso.time();
            long after = Math.floorDiv(syscallNanos(clockGettime, ClockId.CLOCK_REALTIME.id()), 1_000_000_000L);
            if (seen < before - 1 || seen > after + 1) {
                return new Check("between CLOCK_REALTIME calls", "time", false, rounds, before + " s, " + seen + " s, "
                        + after + " s");
            }
        } while (rounds < MIN_ROUNDS || System.nanoTime() < deadline);
        return new Check("between CLOCK_REALTIME calls", "time", true, rounds, "");
    }

    /** On a thread of its own, pinned to each allowed CPU in turn (the caller's affinity is left alone). */
    private Check getcpu() {
        AtomicReference<Check> outcome = new AtomicReference<>();
        Thread pinned = Thread.ofPlatform().name("vdsoscope-verify-getcpu").start(() -> {
            try {
                pinEach(outcome);
            } catch (RuntimeException e) {
                outcome.set(new Check("the pinned CPU", "getcpu", false, 0, "the check failed: " + e));
            }
        });
        try {
            pinned.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Check("the pinned CPU", "getcpu", false, 0, "interrupted");
        }
        return outcome.get();
    }

    private void pinEach(AtomicReference<Check> outcome) {
        BitSet allowed = Libc.allowedCpus();
        int count = 0;
        for (int cpu = allowed.nextSetBit(0); cpu >= 0; cpu = allowed.nextSetBit(cpu + 1)) {
            if (!Libc.pinTo(cpu)) {
                continue;
            }
            count++;
            int seen = vdso.getcpu();
            if (seen != cpu) {
                outcome.set(new Check("the pinned CPU", "getcpu", false, count, "pinned to CPU " + cpu
                        + ", getcpu says " + seen));
                return;
            }
        }
        outcome.set(new Check("the pinned CPU", "getcpu", count > 0, count, count > 0 ? ""
                : "no CPU could be pinned to"));
    }

    private static List<Check> faults() {
        List<Check> checks = new ArrayList<>();
        try {
            for (FaultCheck.Outcome o : FaultCheck.run()) {
                checks.add(new Check("bad pointer: vDSO faults, system call EFAULT", o.call(), o.asExpected(), 1,
                        o.asExpected() ? "" : o.vdsoDetail() + "; the system call returned " + o.syscallResult()));
            }
        } catch (java.io.IOException e) {
            checks.add(new Check("bad pointer: vDSO faults, system call EFAULT", "child JVM", false, 0,
                    "cannot start the child JVM: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return checks;
    }

    private Check getrandom() {
        try (Arena arena = Arena.ofConfined()) {
            for (int size : RANDOM_SIZES) {
                MemorySegment buffer = arena.allocate(Math.max(1, size)).asSlice(0, size);
                long got = vdso.getrandom(buffer, 0);
                if (got != size) {
                    return new Check("sizes and flags", "getrandom", false, 1, size + " bytes asked, " + got
                            + " answered");
                }
            }
            MemorySegment buffer = arena.allocate(32);
            for (int flags : new int[] {0x80, VdsoRandom.GRND_INSECURE | VdsoRandom.GRND_RANDOM}) {
                long got = vdso.getrandom(buffer, flags);
                long sys = VdsoRandom.syscall(buffer, 32, flags);
                if (got != sys || got != -EINVAL) {
                    return new Check("sizes and flags", "getrandom", false, 1, String.format(Locale.ROOT,
                            "flags 0x%x: system call %d, vDSO %d", flags, sys, got));
                }
            }
        }
        return new Check("sizes and flags", "getrandom", true, RANDOM_SIZES.length + 2, "");
    }
}
