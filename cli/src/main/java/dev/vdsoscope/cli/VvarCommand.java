package dev.vdsoscope.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import dev.vdsoscope.linux.PageProbe.PageState;
import dev.vdsoscope.vdso.Vvar;
import dev.vdsoscope.vdso.VvarSnapshot;
import dev.vdsoscope.vdso.VvarSnapshot.ClockBase;
import dev.vdsoscope.vdso.VvarSnapshot.Timestamp;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "vvar", mixinStandardHelpOptions = true,
        description = {"Decode the kernel data beside this process's vDSO ([vvar], [vvar_vclock]) live, laid out"
                + " by the running kernel's own BTF (/sys/kernel/btf/vmlinux): each clock base's clock_mode,"
                + " seq, cycle_last, mult and shift, the base times, the timezone, the getrandom generation, the"
                + " KVM pvclock and Hyper-V TSC pages where populated, and a time namespace's offsets.",
                "Every page is probed by the kernel before it is read (a hole would raise SIGBUS), and the data is"
                        + " read under its sequence count as the vDSO reads it.",
                "Then CLOCK_MONOTONIC is computed from the decoded fields and the CPU counter the way the vDSO"
                        + " computes it, and checked to fall between two vDSO calls (exit status 1 when it does not).",
                "Exit status 4 where the kernel has no BTF or its BTF lacks the types."})
final class VvarCommand implements Callable<Integer> {
    /** Each try may be preempted between its three steps; a try is retried this many times before it counts as a miss. */
    static final int RETRIES = 3;

    @Mixin
    CommonOptions common;

    @Option(names = "--tries", paramLabel = "N", defaultValue = "100",
            description = "Cross-checks of CLOCK_MONOTONIC (default: ${DEFAULT-VALUE}; 0 for none).")
    int tries;

    @Option(names = "--btf", paramLabel = "FILE", description = "Take the layout from this BTF (raw, or an ELF file"
            + " with a .BTF section, such as the vmlinux of the kernel's debug package) instead of /sys/kernel/btf/vmlinux;"
            + " it must describe the running kernel.")
    Path btf;

    @Option(names = "--watch", description = "Print seq and cycle_last as they move, one line (or JSON object) per"
            + " interval, until interrupted or --count lines.")
    boolean watch;

    @Option(names = "--interval", paramLabel = "MS", defaultValue = "1000",
            description = "Milliseconds between --watch lines (default: ${DEFAULT-VALUE}).")
    long intervalMillis;

    @Option(names = "--count", paramLabel = "N", description = "Stop --watch after N lines.")
    Long count;

    @Override
    public Integer call() throws Exception {
        if (tries < 0 || tries > 1_000_000) {
            throw new Failure(null, "--tries must be between 0 and 1000000", ExitCode.BAD_INPUT);
        }
        if (intervalMillis < 1 || intervalMillis > 3_600_000) {
            throw new Failure(null, "--interval must be between 1 and 3600000 ms", ExitCode.BAD_INPUT);
        }
        if (count != null && count < 1) {
            throw new Failure(null, "--count must be at least 1", ExitCode.BAD_INPUT);
        }
        Vvar vvar = open(btf == null ? Vvar.kernelBtf() : btf);
        if (watch) {
            return watch(vvar);
        }
        VvarSnapshot snapshot = snapshot(vvar);
        CrossCheck check = tries == 0 ? null : crossCheck(vvar, tries);
        if (common.json) {
            Output.json(new JsonVvar("vvar", 1, ProcessHandle.current().pid(), snapshot.shape(), vvar.inTimeNamespace(),
                    pages(snapshot), bases(snapshot.time().bases()), bases(snapshot.time().auxClocks()),
                    snapshot.time().tzMinuteswest(), snapshot.time().tzDsttime(), snapshot.time().hrtimerRes(),
                    snapshot.rng().map(r -> new JsonRng(r.generation(), r.ready())).orElse(null),
                    snapshot.pvclock().map(VvarCommand::pvclock).orElse(null),
                    snapshot.hvTsc().map(h -> new JsonHvTsc(h.sequence(), h.scale(), h.offset())).orElse(null),
                    snapshot.namespace().map(n -> timestamps(n.offsets())).orElse(null),
                    check == null ? null : check.json()));
        } else {
            text(Output.out(), vvar, snapshot, check);
        }
        return check == null || check.passed() ? ExitCode.OK : ExitCode.FINDINGS;
    }

    static Vvar open(Path btfFile) {
        try {
            return Vvar.open(btfFile);
        } catch (Vvar.UnavailableException e) {
            throw new Failure(null, e.getMessage(), ExitCode.MISSING_ENVIRONMENT);
        }
    }

    static VvarSnapshot snapshot(Vvar vvar) {
        try {
            return vvar.snapshot();
        } catch (Vvar.UnavailableException e) {
            throw new Failure(null, e.getMessage(), ExitCode.MISSING_ENVIRONMENT);
        }
    }

    /**
     * The tries of the cross-check: how many landed, how many needed a retry, and the first miss; or
     * why it was not made ({@code systemCallMode}: the kernel's VDSO_CLOCKMODE_NONE, nothing to check).
     */
    record CrossCheck(int tries, int within, int retried, String counter, Vvar.MonotonicCheck firstMiss,
            String unavailable, boolean systemCallMode) {
        boolean passed() {
            return unavailable == null ? within == tries : systemCallMode;
        }

        JsonCheck json() {
            return new JsonCheck("CLOCK_MONOTONIC", counter, tries, within, retried, unavailable == null ? null
                    : unavailable, firstMiss == null ? null
                    : new JsonMiss(firstMiss.before(), firstMiss.computed(), firstMiss.after()));
        }
    }

    /**
     * {@code tries} cross-checks, each retried up to {@link #RETRIES} times: a thread preempted between
     * the first vDSO call and the counter reading (or the counter and the second call) still brackets
     * the value, but one moved to a CPU whose counter disagrees would not.
     */
    static CrossCheck crossCheck(Vvar vvar, int tries) {
        int within = 0;
        int retried = 0;
        String counter = null;
        Vvar.MonotonicCheck firstMiss = null;
        try {
            for (int i = 0; i < tries; i++) {
                Vvar.MonotonicCheck c = vvar.checkMonotonic();
                for (int retry = 0; retry < RETRIES && !c.within(); retry++) {
                    retried++;
                    c = vvar.checkMonotonic();
                }
                counter = c.counter();
                if (c.within()) {
                    within++;
                } else if (firstMiss == null) {
                    firstMiss = c;
                }
            }
        } catch (Vvar.UnavailableException e) {
            return new CrossCheck(tries, 0, 0, null, null, e.getMessage(), e instanceof Vvar.SystemCallModeException);
        }
        return new CrossCheck(tries, within, retried, counter, firstMiss, null, false);
    }

    private int watch(Vvar vvar) throws InterruptedException {
        PrintStream out = Output.out();
        ClockBase previous = null;
        if (!common.json) {
            out.println("vvar of pid " + ProcessHandle.current().pid() + ": clock_data[CS_HRES_COARSE] every "
                    + intervalMillis + " ms");
            out.printf(Locale.ROOT, "%-12s %12s %8s %22s %14s %10s  %s%n", "time", "seq", "+seq", "cycle_last",
                    "+cycles", "generation", "clock_mode");
        }
        for (long line = 0; count == null || line < count; line++) {
            if (line > 0) {
                Thread.sleep(intervalMillis);
            }
            VvarSnapshot s = snapshot(vvar);
            ClockBase base = s.time().hresCoarse();
            Long generation = s.rng().map(VvarSnapshot.Rng::generation).orElse(null);
            if (common.json) {
                Output.jsonLine(new JsonWatch(java.time.Instant.now().toString(), base.seq(), base.cycleLast(),
                        base.clockModeName(), generation));
            } else {
                out.printf(Locale.ROOT, "%-12s %12d %8s %22s %14s %10s  %s%n",
                        java.time.LocalTime.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), base.seq(),
                        previous == null ? "" : "+" + (base.seq() - previous.seq()),
                        Long.toUnsignedString(base.cycleLast()),
                        previous == null ? "" : "+" + Long.toUnsignedString(base.cycleLast() - previous.cycleLast()),
                        generation == null ? "-" : Long.toUnsignedString(generation), base.clockModeName());
                out.flush();
            }
            previous = base;
        }
        return ExitCode.OK;
    }

    private static void text(PrintStream out, Vvar vvar, VvarSnapshot s, CrossCheck check) {
        out.println("Kernel data beside the vDSO of pid " + ProcessHandle.current().pid()
                + " (vdsoscope itself), decoded by the kernel's BTF (struct " + s.shape() + ")");
        out.println();
        out.println("Pages (each probed by the kernel before it is read)");
        String mapping = "";
        for (VvarSnapshot.Page p : s.pages()) {
            out.printf(Locale.ROOT, "  %-14s page %d  0x%016x  %-34s %s%n", p.mapping().equals(mapping) ? "" : p.mapping(),
                    p.index(), p.address(), p.role(), p.state() == PageState.READABLE ? "data"
                            : "hole: not populated (reading it would raise SIGBUS)");
            mapping = p.mapping();
        }
        out.println();
        out.println("Clock bases (" + s.time().bases().size() + ")");
        for (ClockBase b : s.time().bases()) {
            clockBase(out, b);
        }
        List<ClockBase> active = s.time().auxClocks().stream().filter(ClockBase::servedInUserSpace).toList();
        if (!s.time().auxClocks().isEmpty()) {
            out.println("  aux_clock_data[0.." + (s.time().auxClocks().size() - 1) + "]: "
                    + (active.isEmpty() ? "no auxiliary clock in use (each VDSO_CLOCKMODE_NONE)" : active.size() + " in use"));
            active.forEach(b -> clockBase(out, b));
        }
        out.println();
        out.println("Timezone and resolution: tz_minuteswest " + s.time().tzMinuteswest() + ", tz_dsttime "
                + s.time().tzDsttime() + ", hrtimer_res " + s.time().hrtimerRes() + " ns");
        out.println("getrandom: " + s.rng().map(r -> "vdso_rng_data generation " + Long.toUnsignedString(r.generation())
                + ", is_ready " + (r.ready() ? 1 : 0)).orElse("no vdso_rng_data on this kernel"));
        out.println("KVM pvclock (vCPU 0): " + s.pvclock().map(VvarCommand::pvclockText)
                .orElse(vvar.knowsPvclock() ? "page not populated (no paravirtual clock was used since boot)"
                        : "this kernel's BTF has no struct pvclock_vcpu_time_info"));
        out.println("Hyper-V TSC page: " + s.hvTsc().map(h -> "tsc_sequence " + Long.toUnsignedString(h.sequence())
                + ", tsc_scale " + Long.toUnsignedString(h.scale()) + ", tsc_offset " + h.offset()
                + (h.sequence() == 0 ? " (sequence 0: the vDSO makes the system call)" : ""))
                .orElse("page not populated (not a Hyper-V guest using it)"));
        out.println("Time namespace: " + s.namespace().map(n -> "this process is in one; offsets "
                + String.join(", ", n.offsets().stream().map(t -> t.clock() + " " + seconds(t.sec(), t.nsec())).toList()))
                .orElse("the initial one (no offsets)"));
        if (check != null) {
            out.println();
            if (check.unavailable() != null) {
                out.println("Cross-check: not made: " + check.unavailable());
            } else {
                out.println("Cross-check: CLOCK_MONOTONIC computed from clock_data[CS_HRES_COARSE] and " + check.counter()
                        + (vvar.inTimeNamespace() ? " plus the namespace's offset" : "") + " fell between two vDSO calls in "
                        + check.within() + " of " + check.tries() + " tries (" + check.retried() + " retried, at most "
                        + RETRIES + " each)");
                if (check.firstMiss() != null) {
                    Vvar.MonotonicCheck m = check.firstMiss();
                    out.println("  first miss (after " + RETRIES + " retries): before " + m.before() + ", computed "
                            + m.computed() + ", after " + m.after() + " ns: a decoding that is not the kernel's, or CPUs"
                            + " whose counters disagree");
                }
            }
        }
    }

    private static void clockBase(PrintStream out, ClockBase b) {
        out.println("  " + b.name() + "  " + b.clockModeName() + (b.servedInUserSpace() ? "" : " (the vDSO makes the system call)"));
        out.println("    seq " + b.seq() + ", cycle_last " + Long.toUnsignedString(b.cycleLast())
                + b.maxCycles().stream().mapToObj(m -> ", max_cycles " + Long.toUnsignedString(m)).findFirst().orElse("")
                + ", mask 0x" + Long.toHexString(b.mask()) + ", mult " + b.mult() + ", shift " + b.shift());
        for (Timestamp t : b.basetimes()) {
            boolean shifted = t.shifted();
            out.printf(Locale.ROOT, "    basetime[%s]%s%s%n", t.clock(), " ".repeat(Math.max(1, 24 - t.clock().length())),
                    seconds(t.sec(), shifted ? t.nsec() >>> b.shift() : t.nsec())
                            + (shifted ? "  (nsec 0x" + Long.toHexString(t.nsec()) + " = ns << shift)" : ""));
        }
    }

    private static String seconds(long sec, long nsec) {
        return String.format(Locale.ROOT, "%d.%09d s", sec, nsec);
    }

    private static String pvclockText(VvarSnapshot.Pvclock p) {
        return "version " + Long.toUnsignedString(p.version()) + ", tsc_timestamp " + Long.toUnsignedString(p.tscTimestamp())
                + ", system_time " + Long.toUnsignedString(p.systemTime()) + ", tsc_to_system_mul " + p.tscToSystemMul()
                + ", tsc_shift " + p.tscShift() + ", flags 0x" + Long.toHexString(p.flags())
                + (p.stable() ? " (PVCLOCK_TSC_STABLE_BIT: the vDSO may use it)"
                        : " (no PVCLOCK_TSC_STABLE_BIT: a vDSO in VDSO_CLOCKMODE_PVCLOCK makes the system call)");
    }

    static List<JsonPage> pages(VvarSnapshot s) {
        return s.pages().stream().map(p -> new JsonPage(p.mapping(), p.index(), "0x" + Long.toHexString(p.address()),
                p.role(), p.state() == PageState.READABLE)).toList();
    }

    private static List<JsonClockBase> bases(List<ClockBase> bases) {
        List<JsonClockBase> json = new ArrayList<>();
        for (ClockBase b : bases) {
            json.add(new JsonClockBase(b.name(), b.seq(), b.clockModeName(), b.clockMode(), b.servedInUserSpace(),
                    b.cycleLast(), b.maxCycles().isPresent() ? (Long) b.maxCycles().getAsLong() : null, b.mask(),
                    b.mult(), b.shift(), timestamps(b.basetimes())));
        }
        return json;
    }

    private static List<JsonTimestamp> timestamps(List<Timestamp> times) {
        return times.stream().map(t -> new JsonTimestamp(t.clock(), t.sec(), t.nsec())).toList();
    }

    private static JsonPvclock pvclock(VvarSnapshot.Pvclock p) {
        return new JsonPvclock(p.version(), p.tscTimestamp(), p.systemTime(), p.tscToSystemMul(),
                p.tscShift(), p.flags(), p.stable());
    }

    record JsonVvar(String command, int schemaVersion, long pid, String layout, boolean inTimeNamespace,
            List<JsonPage> pages, List<JsonClockBase> clockBases, List<JsonClockBase> auxClocks, long tzMinuteswest,
            long tzDsttime, long hrtimerRes, JsonRng rng, JsonPvclock pvclock, JsonHvTsc hvTsc,
            List<JsonTimestamp> timeNamespaceOffsets, JsonCheck check) {}

    record JsonPage(String mapping, int index, String address, String role, boolean populated) {}

    record JsonClockBase(String name, long seq, String clockMode, long clockModeValue, boolean servedInUserSpace,
            @JsonSerialize(using = Unsigned64.class) long cycleLast, @JsonSerialize(using = Unsigned64.class) Long maxCycles, @JsonSerialize(using = Unsigned64.class) long mask, long mult, long shift, List<JsonTimestamp> basetimes) {}

    record JsonTimestamp(String clock, long sec, @JsonSerialize(using = Unsigned64.class) long nsec) {}

    record JsonRng(@JsonSerialize(using = Unsigned64.class) long generation, boolean ready) {}

    record JsonPvclock(@JsonSerialize(using = Unsigned64.class) long version, @JsonSerialize(using = Unsigned64.class) long tscTimestamp,
            @JsonSerialize(using = Unsigned64.class) long systemTime, long tscToSystemMul, long tscShift,
            long flags, boolean stable) {}

    record JsonHvTsc(@JsonSerialize(using = Unsigned64.class) long sequence, @JsonSerialize(using = Unsigned64.class) long scale, long offset) {}

    record JsonMiss(long before, long computed, long after) {}

    record JsonCheck(String clock, String counter, int tries, int within, int retried, String unavailable, JsonMiss firstMiss) {}

    record JsonWatch(String time, long seq, @JsonSerialize(using = Unsigned64.class) long cycleLast, String clockMode,
            @JsonSerialize(using = Unsigned64.class) Long generation) {}
}
