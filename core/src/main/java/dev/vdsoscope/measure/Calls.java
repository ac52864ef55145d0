package dev.vdsoscope.measure;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

import dev.vdsoscope.linux.LibcTime;
import dev.vdsoscope.linux.Syscall;
import dev.vdsoscope.vdso.ClockId;
import dev.vdsoscope.vdso.Vdso;
import dev.vdsoscope.vdso.VdsoCalls;
import dev.vdsoscope.abi.VdsoFunction;

/**
 * Every time call worth measuring on this machine, by every path that exists here. Each loop makes
 * the call and folds its answer into a sum, like bench/c/vdso_bench.c, so both sides do the same work.
 */
public final class Calls {
    private Calls() {}

    /** The clocks of clock_gettime measured, the CPU-time clock last: always a system call, the control. */
    public static final List<ClockId> CLOCKS = List.of(ClockId.CLOCK_REALTIME, ClockId.CLOCK_MONOTONIC,
            ClockId.CLOCK_MONOTONIC_RAW, ClockId.CLOCK_REALTIME_COARSE, ClockId.CLOCK_MONOTONIC_COARSE,
            ClockId.CLOCK_BOOTTIME, ClockId.CLOCK_TAI, ClockId.CLOCK_PROCESS_CPUTIME_ID);

    /** The functions besides clock_gettime, in the order they are reported. */
    public static final List<VdsoFunction> OTHER_FUNCTIONS = List.of(VdsoFunction.GETTIMEOFDAY, VdsoFunction.TIME,
            VdsoFunction.GETCPU, VdsoFunction.CLOCK_GETRES);

    /** Result memory for the libc and syscall paths: a timespec, then getcpu's two unsigned ints. */
    private static final MemorySegment SCRATCH = Arena.ofAuto().allocate(32, 8);
    private static final long AT = SCRATCH.address();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /**
     * What {@code vdsoscope bench} measures, restricted to {@code selection} when it is not empty
     * (function names such as {@code gettimeofday}, or clock names such as {@code MONOTONIC} or
     * {@code CLOCK_MONOTONIC} for clock_gettime with that clock). The vDSO path is left out for a
     * function this machine's vDSO does not export.
     */
    public static List<TimedCall> forBench(Set<String> selection) {
        Set<String> lowerCase = new HashSet<>();
        selection.forEach(name -> lowerCase.add(name.toLowerCase(Locale.ROOT)));
        List<TimedCall> calls = new ArrayList<>();
        for (ClockId clock : CLOCKS) {
            if (selected(lowerCase, "clock_gettime") || selected(lowerCase, clock.name())
                    || selected(lowerCase, shortName(clock))) {
                addPaths(calls, VdsoFunction.CLOCK_GETTIME, clock);
            }
        }
        for (VdsoFunction function : OTHER_FUNCTIONS) {
            if (selected(lowerCase, function.cName())) {
                addPaths(calls, function, function == VdsoFunction.CLOCK_GETRES ? ClockId.CLOCK_MONOTONIC : null);
            }
        }
        return calls;
    }

    /** Every name {@link #forBench} accepts in a selection (in any case). */
    public static List<String> selectable() {
        List<String> names = new ArrayList<>(List.of("clock_gettime"));
        OTHER_FUNCTIONS.forEach(f -> names.add(f.cName()));
        CLOCKS.forEach(c -> names.add(c.name()));
        CLOCKS.forEach(c -> names.add(shortName(c)));
        return names;
    }

    private static String shortName(ClockId clock) {
        return clock.name().substring("CLOCK_".length());
    }

    private static boolean selected(Set<String> lowerCaseSelection, String name) {
        return lowerCaseSelection.isEmpty() || lowerCaseSelection.contains(name.toLowerCase(Locale.ROOT));
    }

    private static void addPaths(List<TimedCall> calls, VdsoFunction function, ClockId clock) {
        for (CallPath path : CallPath.values()) {
            if (path == CallPath.VDSO && !VdsoCalls.servedByVdso(function)) {
                continue;
            }
            TimedCall call = of(function, clock, path);
            if (call != null) {
                calls.add(call);
            }
        }
    }

    /** clock_gettime(clock) through {@code path}; the vDSO path is VdsoCalls' whether or not it falls back. */
    public static TimedCall clockGettime(ClockId clock, CallPath path) {
        return of(VdsoFunction.CLOCK_GETTIME, clock, path);
    }

    /** One function through one path, or null where that path does not exist (no Java API for getcpu). */
    static TimedCall of(VdsoFunction function, ClockId clock, CallPath path) {
        String name = function.cName();
        return switch (path) {
            case VDSO -> new TimedCall(name, clock, path, Vdso.find().flatMap(Vdso::names).map(n -> n.symbol(function))
                    .orElse(name + " by system call (no vDSO)"), vdso(function, clock));
            case LIBC -> new TimedCall(name, clock, path, name, libc(function, clock));
            case SYSCALL -> syscallNumber(function).stream()
                    .mapToObj(nr -> new TimedCall(name, clock, path, "syscall(SYS_" + name + ")", syscall(function, clock, nr)))
                    .findFirst().orElse(null);
            case JAVA -> java(function, clock);
        };
    }

    private static long nanos() {
        return SCRATCH.get(JAVA_LONG, 0) * 1_000_000_000L + SCRATCH.get(JAVA_LONG, 8);
    }

    private static TimedCall.Batch vdso(VdsoFunction function, ClockId clock) {
        int id = clock == null ? 0 : clock.id();
        return switch (function) {
            case CLOCK_GETTIME -> n -> { long s = 0; for (long i = 0; i < n; i++) s += VdsoCalls.clockGettimeNanos(id); return s; };
            case CLOCK_GETRES -> n -> { long s = 0; for (long i = 0; i < n; i++) s += VdsoCalls.clockGetres(id).nanos(); return s; };
            case GETTIMEOFDAY -> n -> { long s = 0; for (long i = 0; i < n; i++) s += VdsoCalls.gettimeofday().nanos(); return s; };
            case TIME -> n -> { long s = 0; for (long i = 0; i < n; i++) s += VdsoCalls.time(); return s; };
            case GETCPU -> n -> { long s = 0; for (long i = 0; i < n; i++) s += VdsoCalls.getcpu().cpu(); return s; };
            default -> throw new IllegalArgumentException(function + " is not measured");
        };
    }

    private static TimedCall.Batch libc(VdsoFunction function, ClockId clock) {
        int id = clock == null ? 0 : clock.id();
        return switch (function) {
            case CLOCK_GETTIME -> n -> { long s = 0; for (long i = 0; i < n; i++) s += LibcTime.clockGettime(id, AT) + nanos(); return s; };
            case CLOCK_GETRES -> n -> { long s = 0; for (long i = 0; i < n; i++) s += LibcTime.clockGetres(id, AT) + nanos(); return s; };
            case GETTIMEOFDAY -> n -> { long s = 0; for (long i = 0; i < n; i++) s += LibcTime.gettimeofday(AT) + nanos(); return s; };
            case TIME -> n -> { long s = 0; for (long i = 0; i < n; i++) s += LibcTime.time(); return s; };
            case GETCPU -> n -> { long s = 0; for (long i = 0; i < n; i++) s += LibcTime.getcpu(AT + 16, AT + 20) + SCRATCH.get(JAVA_INT, 16); return s; };
            default -> throw new IllegalArgumentException(function + " is not measured");
        };
    }

    private static OptionalLong syscallNumber(VdsoFunction function) {
        return Syscall.number(function.cName());
    }

    private static TimedCall.Batch syscall(VdsoFunction function, ClockId clock, long nr) {
        int id = clock == null ? 0 : clock.id();
        return switch (function) {
            case CLOCK_GETTIME, CLOCK_GETRES -> n -> { long s = 0; for (long i = 0; i < n; i++) s += LibcTime.syscall(nr, id, AT, 0) + nanos(); return s; };
            case GETTIMEOFDAY -> n -> { long s = 0; for (long i = 0; i < n; i++) s += LibcTime.syscall(nr, AT, 0, 0) + nanos(); return s; };
            case TIME -> n -> { long s = 0; for (long i = 0; i < n; i++) s += LibcTime.syscall(nr, 0, 0, 0); return s; };
            case GETCPU -> n -> { long s = 0; for (long i = 0; i < n; i++) s += LibcTime.syscall(nr, AT + 16, AT + 20, 0) + SCRATCH.get(JAVA_INT, 16); return s; };
            default -> throw new IllegalArgumentException(function + " is not measured");
        };
    }

    /** The Java API for the same job, where there is one. */
    private static TimedCall java(VdsoFunction function, ClockId clock) {
        String name = function.cName();
        if (function == VdsoFunction.GETTIMEOFDAY) {
            return new TimedCall(name, clock, CallPath.JAVA, "System.currentTimeMillis()",
                    n -> { long s = 0; for (long i = 0; i < n; i++) s += System.currentTimeMillis(); return s; });
        }
        if (function != VdsoFunction.CLOCK_GETTIME) {
            return null;
        }
        return switch (clock) {
            case CLOCK_MONOTONIC -> new TimedCall(name, clock, CallPath.JAVA, "System.nanoTime()",
                    n -> { long s = 0; for (long i = 0; i < n; i++) s += System.nanoTime(); return s; });
            case CLOCK_REALTIME -> new TimedCall(name, clock, CallPath.JAVA, "Instant.now()",
                    n -> { long s = 0; for (long i = 0; i < n; i++) s += Instant.now().getNano(); return s; });
            case CLOCK_PROCESS_CPUTIME_ID -> new TimedCall(name, clock, CallPath.JAVA,
                    "OperatingSystemMXBean.getProcessCpuTime()",
                    n -> { long s = 0; for (long i = 0; i < n; i++) s += OS.getProcessCpuTime(); return s; });
            default -> null;
        };
    }
}
