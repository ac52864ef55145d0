package dev.vdsoscope.vdso;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.abi.VvarFacts;
import dev.vdsoscope.btf.Btf;
import dev.vdsoscope.btf.BtfFormatException;
import dev.vdsoscope.linux.CycleCounter;
import dev.vdsoscope.linux.Libc;
import dev.vdsoscope.linux.PageProbe;
import dev.vdsoscope.linux.PageProbe.PageState;
import dev.vdsoscope.proc.AuxvType;
import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.proc.Mapping;
import dev.vdsoscope.proc.PseudoMapping;
import dev.vdsoscope.proc.ProcessException;
import dev.vdsoscope.vdso.VvarLayout.ClockLayout;
import dev.vdsoscope.vdso.VvarLayout.IntField;
import dev.vdsoscope.vdso.VvarSnapshot.ClockBase;
import dev.vdsoscope.vdso.VvarSnapshot.Page;
import dev.vdsoscope.vdso.VvarSnapshot.Timestamp;

/**
 * The data pages beside this process's vDSO, read live. Before any page is read from Java, every
 * page of [vvar] and [vvar_vclock] is probed by the kernel ({@link PageProbe}), and only pages it
 * could copy are ever touched: the holes these mappings have (a time-namespace page outside a
 * namespace, the page of a paravirtual clock the machine does not use) would raise SIGBUS. The
 * clock data is read under its sequence count with the vDSO's own discipline: wait while the count
 * is odd, read, and read again if the count moved; so a {@link VvarSnapshot} is consistent. No read
 * waits for more than {@link #SETTLE_NANOS}.
 */
public final class Vvar {
    /** How long a read waits for the kernel to finish an update before giving up (updates take microseconds). */
    static final long SETTLE_NANOS = 100_000_000L;
    /** S64_MAX: x86's vDSO clears the TSC's top bit, which marks an invalid reading. */
    private static final long S64_MAX = Long.MAX_VALUE;
    private static final long NSEC_PER_SEC = 1_000_000_000L;
    private static final VarHandle INT = JAVA_INT.varHandle();

    /** The clocks each base serves: VDSO_HRES, VDSO_COARSE and VDSO_RAW of include/vdso/datapage.h. */
    private static final List<ClockId> HRES_COARSE_CLOCKS = List.of(ClockId.CLOCK_REALTIME, ClockId.CLOCK_MONOTONIC,
            ClockId.CLOCK_BOOTTIME, ClockId.CLOCK_TAI, ClockId.CLOCK_REALTIME_COARSE, ClockId.CLOCK_MONOTONIC_COARSE);
    private static final List<ClockId> RAW_CLOCKS = List.of(ClockId.CLOCK_MONOTONIC_RAW);
    /** The clocks a namespace offsets (kernel/time/namespace.c's timens_setup_vdso_clock_data), per base. */
    private static final List<ClockId> NAMESPACE_CLOCKS = List.of(ClockId.CLOCK_MONOTONIC,
            ClockId.CLOCK_MONOTONIC_COARSE, ClockId.CLOCK_BOOTTIME);
    /** The base of auxiliary clocks keeps its one time at basetime[VDSO_BASE_AUX] (include/vdso/datapage.h). */
    private static final int VDSO_BASE_AUX = 0;

    /** Why the vvar pages cannot be decoded here: one line, naming what is missing. */
    public static final class UnavailableException extends Exception {
        public UnavailableException(String message) {
            super(message);
        }
    }

    private final VvarLayout layout;
    private final VvarFacts.CounterRule counterRule;
    private final List<Page> pages;
    private final MemorySegment vvar;
    private final Optional<MemorySegment> vclock;
    private final int pageSize;
    /** Where the system-wide time data is, and the namespace's page where this process is in one. */
    private final long timeData;
    private final OptionalLong namespaceData;

    private Vvar(VvarLayout layout, VvarFacts.CounterRule counterRule, List<Page> pages, MemorySegment vvar,
            Optional<MemorySegment> vclock, int pageSize, long timeData, OptionalLong namespaceData) {
        this.layout = layout;
        this.counterRule = counterRule;
        this.pages = pages;
        this.vvar = vvar;
        this.vclock = vclock;
        this.pageSize = pageSize;
        this.timeData = timeData;
        this.namespaceData = namespaceData;
    }

    /** Each BTF file's layout, or why it has none (a String), read once per process. */
    private static final Map<Path, Object> LAYOUTS = new ConcurrentHashMap<>();

    /** The layout the BTF in {@code file} describes, for this machine's ABI. */
    static VvarLayout layout(Path file) throws UnavailableException {
        Object known = LAYOUTS.computeIfAbsent(file, Vvar::readLayout);
        if (known instanceof VvarLayout layout) {
            return layout;
        }
        throw new UnavailableException((String) known);
    }

    private static Object readLayout(Path file) {
        Optional<LinuxAbi> abi = LinuxAbi.host();
        if (abi.isEmpty()) {
            return "this machine's ABI is not one vdsoscope knows";
        }
        if (!Files.exists(file)) {
            return file.equals(Btf.VMLINUX) ? "the kernel has no BTF (" + file + " is missing: a kernel built without"
                    + " CONFIG_DEBUG_INFO_BTF), so the layout of its vvar data is not known (give --btf with a vmlinux"
                    + " of this kernel that has a .BTF section)" : file + ": no such file";
        }
        try {
            return VvarLayout.of(Btf.open(file), VvarFacts.of(abi.get()));
        } catch (VvarLayout.MissingTypesException e) {
            return file + ": " + e.getMessage() + ", so the vvar data cannot be decoded";
        } catch (IOException e) {
            return file + ": cannot be read: " + e.getMessage();
        } catch (BtfFormatException e) {
            return e.getMessage(); // (names the file itself)
        }
    }

    /** This process's vvar pages, laid out by the running kernel's BTF ({@link Btf#VMLINUX}). */
    public static Vvar open() throws UnavailableException {
        return open(Btf.VMLINUX);
    }

    /**
     * This process's vvar pages, probed and ready to read, laid out by the BTF in {@code btfFile}
     * (raw BTF, or an ELF file with a .BTF section), which must describe the running kernel.
     *
     * @throws UnavailableException where the file is missing or lacks the types, this process has no
     *     [vvar], or its time page is a hole
     */
    public static Vvar open(Path btfFile) throws UnavailableException {
        VvarLayout layout = layout(btfFile);
        LinuxAbi abi = LinuxAbi.host().orElseThrow();
        LinuxProcess self = LinuxProcess.self();
        Mapping vvarMapping;
        Optional<Mapping> vclockMapping;
        int pageSize;
        try {
            vvarMapping = self.mapping(PseudoMapping.VVAR).orElseThrow(
                    () -> new UnavailableException("this process has no [vvar] mapping"));
            vclockMapping = self.mapping(PseudoMapping.VVAR_VCLOCK);
            pageSize = (int) self.auxv().value(AuxvType.AT_PAGESZ).orElse(4096);
        } catch (ProcessException e) {
            throw new UnavailableException("cannot read this process's /proc entries: " + e.getMessage());
        }
        VvarLayout.Pages order = layout.pages();
        List<Page> pages = new ArrayList<>();
        try {
            pages.addAll(probe(vvarMapping, pageSize, i -> roleInVvar(order, i)));
            if (vclockMapping.isPresent()) {
                pages.addAll(probe(vclockMapping.get(), pageSize, i -> roleInVclock(order, i)));
            }
        } catch (Libc.ErrnoException e) {
            throw new UnavailableException("cannot probe the vvar pages: " + e.getMessage());
        }
        MemorySegment vvar = MemorySegment.ofAddress(vvarMapping.start()).reinterpret(vvarMapping.size());
        Optional<MemorySegment> vclock = vclockMapping
                .map(m -> MemorySegment.ofAddress(m.start()).reinterpret(m.size()));
        if (!readable(pages, "[vvar]", order.timePage())) {
            throw new UnavailableException("[vvar]'s time page (page " + order.timePage()
                    + ") holds no data: the kernel's vDSO does not read time data here");
        }
        long first = (long) order.timePage() * pageSize + order.timeDataOffset();
        long firstMode = layout.clock().clockMode().read(vvar, first + layout.timeData().clocksOffset());
        long timeData = first;
        OptionalLong namespaceData = OptionalLong.empty();
        if (firstMode == layout.timensMode()) {
            // In a time namespace the kernel swaps the pages: the namespace's page where the time data
            // was, the system-wide data at the namespace page's place (lib/vdso/datastore.c's vvar_fault).
            if (!readable(pages, "[vvar]", order.timensPage())) {
                throw new UnavailableException("this process is in a time namespace but [vvar]'s page "
                        + order.timensPage() + " holds no data");
            }
            namespaceData = OptionalLong.of(first);
            timeData = (long) order.timensPage() * pageSize + order.timeDataOffset();
            pages.replaceAll(p -> !p.mapping().equals("[vvar]") ? p
                    : p.index() == order.timePage() ? withRole(p, "this time namespace's offsets")
                    : p.index() == order.timensPage() ? withRole(p, "time data (in a time namespace)") : p);
        }
        return new Vvar(layout, VvarFacts.of(abi).counterRule(), List.copyOf(pages), vvar, vclock, pageSize,
                timeData, namespaceData);
    }

    private static Page withRole(Page page, String role) {
        return new Page(page.mapping(), page.index(), page.address(), role, page.state());
    }

    private static List<Page> probe(Mapping mapping, int pageSize, java.util.function.IntFunction<String> role)
            throws Libc.ErrnoException {
        int count = (int) (mapping.size() / pageSize);
        List<PageState> states = PageProbe.probe(mapping.start(), count, pageSize);
        List<Page> pages = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            pages.add(new Page(mapping.path(), i, mapping.start() + (long) i * pageSize, role.apply(i), states.get(i)));
        }
        return pages;
    }

    private static String roleInVvar(VvarLayout.Pages order, int index) {
        List<String> roles = new ArrayList<>();
        if (index == order.timePage()) {
            roles.add("time data");
        }
        if (index == order.timensPage()) {
            roles.add("time namespace");
        }
        if (order.rngPage().isPresent() && index == order.rngPage().getAsInt()) {
            roles.add("getrandom state");
        }
        if (!order.vclockMapping()) {
            order.pvclockPage().ifPresent(p -> {
                if (p == index) {
                    roles.add("KVM pvclock");
                }
            });
            order.hvclockPage().ifPresent(p -> {
                if (p == index) {
                    roles.add("Hyper-V TSC page");
                }
            });
        }
        return roles.isEmpty() ? "architecture data" : String.join(", ", roles);
    }

    private static String roleInVclock(VvarLayout.Pages order, int index) {
        if (order.pvclockPage().isPresent() && order.pvclockPage().getAsInt() == index) {
            return "KVM pvclock";
        }
        if (order.hvclockPage().isPresent() && order.hvclockPage().getAsInt() == index) {
            return "Hyper-V TSC page";
        }
        return "clock page";
    }

    private static boolean readable(List<Page> pages, String mapping, int index) {
        return pages.stream().anyMatch(p -> p.mapping().equals(mapping) && p.index() == index
                && p.state() == PageState.READABLE);
    }

    /** Every page of both mappings, with its role and whether it holds data. */
    public List<Page> pages() {
        return pages;
    }

    public VvarLayout layout() {
        return layout;
    }

    /** Whether this process is in a time namespace (the kernel mapped the namespace's page). */
    public boolean inTimeNamespace() {
        return namespaceData.isPresent();
    }

    /**
     * The data as the kernel has it now, each part read consistently.
     *
     * @throws UnavailableException where the kernel keeps the sequence count odd longer than {@link #SETTLE_NANOS}
     */
    public VvarSnapshot snapshot() throws UnavailableException {
        VvarLayout.TimeDataLayout td = layout.timeData();
        ClockLayout c = layout.clock();
        long clocks = timeData + td.clocksOffset();
        long seqAt = clocks + c.seq().offset();
        VvarSnapshot.TimeData time = underSequence(seqAt, () -> {
            List<ClockBase> bases = new ArrayList<>();
            for (int i = 0; i < td.clockCount(); i++) {
                bases.add(clockBase(clocks + i * c.size(), baseName(i), clocksOf(i)));
            }
            return new VvarSnapshot.TimeData(bases, List.of(), td.tzMinuteswest().read(vvar, timeData),
                    td.tzDsttime().read(vvar, timeData), td.hrtimerRes().read(vvar, timeData));
        });
        List<ClockBase> aux = new ArrayList<>();
        for (int i = 0; i < td.auxClockCount(); i++) {
            long at = timeData + td.auxClocksOffset() + i * c.size();
            String name = "aux_clock_data[" + i + "]";
            aux.add(underSequence(at + c.seq().offset(), () -> clockBase(at, name, List.of())));
        }
        time = new VvarSnapshot.TimeData(time.bases(), List.copyOf(aux), time.tzMinuteswest(), time.tzDsttime(),
                time.hrtimerRes());
        return new VvarSnapshot(layout.shape(), pages, namespace(), time, rng(), pvclock(), hvTsc());
    }

    private static String baseName(int index) {
        return switch (index) {
            case VvarLayout.CS_HRES_COARSE -> "clock_data[CS_HRES_COARSE]";
            case VvarLayout.CS_RAW -> "clock_data[CS_RAW]";
            default -> "clock_data[" + index + "]";
        };
    }

    private static List<ClockId> clocksOf(int base) {
        return switch (base) {
            case VvarLayout.CS_HRES_COARSE -> HRES_COARSE_CLOCKS;
            case VvarLayout.CS_RAW -> RAW_CLOCKS;
            default -> List.of();
        };
    }

    private ClockBase clockBase(long at, String name, List<ClockId> clocks) {
        ClockLayout c = layout.clock();
        List<Timestamp> times = new ArrayList<>();
        for (ClockId clock : clocks) {
            times.add(timestamp(at + c.basetimeOffset(), c.basetime(), c.basetimeCount(), clock));
        }
        if (clocks.isEmpty() && c.basetimeCount() > VDSO_BASE_AUX) {
            long entry = at + c.basetimeOffset() + VDSO_BASE_AUX * c.basetime().size();
            times.add(new Timestamp("VDSO_BASE_AUX", c.basetime().sec().read(vvar, entry),
                    c.basetime().nsec().read(vvar, entry)));
        }
        long mode = c.clockMode().read(vvar, at);
        return new ClockBase(name, c.seq().read(vvar, at), mode, layout.clockModeName(mode),
                c.cycleLast().read(vvar, at),
                c.maxCycles().map(f -> OptionalLong.of(f.read(vvar, at))).orElse(OptionalLong.empty()),
                c.mask().read(vvar, at), c.mult().read(vvar, at), c.shift().read(vvar, at), List.copyOf(times));
    }

    private Timestamp timestamp(long array, VvarLayout.TimestampLayout element, int count, ClockId clock) {
        if (clock.id() >= count) {
            return new Timestamp(clock.name(), 0, 0);
        }
        long entry = array + clock.id() * element.size();
        return new Timestamp(clock.name(), element.sec().read(vvar, entry), element.nsec().read(vvar, entry));
    }

    private Optional<VvarSnapshot.TimeNamespace> namespace() {
        if (namespaceData.isEmpty()) {
            return Optional.empty();
        }
        // The namespace's page is written once, before any task enters the namespace, with its
        // sequence count left odd for good (the vDSO's sign to take the namespace path): no lock to take.
        ClockLayout c = layout.clock();
        long base = namespaceData.getAsLong() + layout.timeData().clocksOffset();
        List<Timestamp> offsets = new ArrayList<>();
        for (ClockId clock : NAMESPACE_CLOCKS) {
            offsets.add(timestamp(base + c.offsetsOffset(), c.offsets(), c.basetimeCount(), clock));
        }
        long raw = base + VvarLayout.CS_RAW * c.size();
        offsets.add(timestamp(raw + c.offsetsOffset(), c.offsets(), c.basetimeCount(), ClockId.CLOCK_MONOTONIC_RAW));
        return Optional.of(new VvarSnapshot.TimeNamespace(List.copyOf(offsets)));
    }

    private Optional<VvarSnapshot.Rng> rng() {
        VvarLayout.Pages order = layout.pages();
        if (layout.rng().isEmpty() || order.rngPage().isEmpty()
                || !readable(pages, "[vvar]", order.rngPage().getAsInt())) {
            return Optional.empty();
        }
        long at = (long) order.rngPage().getAsInt() * pageSize + order.rngOffset();
        VvarLayout.RngLayout r = layout.rng().get();
        return Optional.of(new VvarSnapshot.Rng(r.generation().read(vvar, at), r.isReady().read(vvar, at) != 0));
    }

    /** The segment and offset of a clock page, where it is populated. */
    private Optional<MemorySegment> clockPage(OptionalInt index) {
        VvarLayout.Pages order = layout.pages();
        if (index.isEmpty()) {
            return Optional.empty();
        }
        String mapping = order.vclockMapping() ? "[vvar_vclock]" : "[vvar]";
        Optional<MemorySegment> segment = order.vclockMapping() ? vclock : Optional.of(vvar);
        if (segment.isEmpty() || !readable(pages, mapping, index.getAsInt())) {
            return Optional.empty();
        }
        return Optional.of(segment.get().asSlice((long) index.getAsInt() * pageSize, pageSize));
    }

    private Optional<VvarSnapshot.Pvclock> pvclock() {
        Optional<MemorySegment> page = clockPage(layout.pages().pvclockPage());
        if (page.isEmpty() || layout.pvclock().isEmpty()) {
            return Optional.empty();
        }
        VvarLayout.PvclockLayout p = layout.pvclock().get();
        MemorySegment m = page.get();
        return Optional.of(new VvarSnapshot.Pvclock(p.version().read(m, 0), p.tscTimestamp().read(m, 0),
                p.systemTime().read(m, 0), p.tscToSystemMul().read(m, 0), p.tscShift().read(m, 0),
                p.flags().read(m, 0)));
    }

    private Optional<VvarSnapshot.HvTsc> hvTsc() {
        Optional<MemorySegment> page = clockPage(layout.pages().hvclockPage());
        if (page.isEmpty() || layout.hvTsc().isEmpty()) {
            return Optional.empty();
        }
        VvarLayout.HvTscLayout h = layout.hvTsc().get();
        MemorySegment m = page.get();
        return Optional.of(new VvarSnapshot.HvTsc(h.sequence().read(m, 0), h.scale().read(m, 0), h.offset().read(m, 0)));
    }

    /** A read the kernel may be updating: repeated until the sequence count was even and unchanged around it. */
    private <T> T underSequence(long seqAt, java.util.function.Supplier<T> read) throws UnavailableException {
        long deadline = System.nanoTime() + SETTLE_NANOS;
        do {
            int before = (int) INT.getAcquire(vvar, seqAt);
            if ((before & 1) == 0) {
                T value = read.get();
                VarHandle.loadLoadFence();
                if ((int) INT.getAcquire(vvar, seqAt) == before) {
                    return value;
                }
            } else {
                Thread.onSpinWait();
            }
        } while (System.nanoTime() - deadline < 0);
        throw new UnavailableException("the kernel kept the time data's sequence count busy for over "
                + SETTLE_NANOS / 1_000_000 + " ms");
    }

    /**
     * CLOCK_MONOTONIC computed from the decoded fields and the CPU counter the way the vDSO computes
     * it, between two calls of the vDSO's clock_gettime: the proof that the decoding is the kernel's.
     *
     * @param before   the vDSO's answer just before, in nanoseconds
     * @param computed the value computed from the fields, in nanoseconds
     * @param after    the vDSO's answer just after
     * @param counter  where the cycles came from (the clock mode's counter)
     */
    public record MonotonicCheck(long before, long computed, long after, String counter) {
        /** Whether the computed time lies between the two calls, as a correct decoding must. */
        public boolean within() {
            return before <= computed && computed <= after;
        }
    }

    /**
     * One cross-check of CLOCK_MONOTONIC. Empty, with the reason in the exception, where the clock
     * base's mode has no counter this process can read (VDSO_CLOCKMODE_NONE: the vDSO itself makes
     * the system call; a mode of another architecture).
     */
    public MonotonicCheck checkMonotonic() throws UnavailableException {
        ClockLayout c = layout.clock();
        long base = timeData + layout.timeData().clocksOffset() + VvarLayout.CS_HRES_COARSE * c.size();
        long before = VdsoCalls.clockGettimeNanos(ClockId.CLOCK_MONOTONIC.id());
        Computed computed = underSequence(base + c.seq().offset(), () -> computeMonotonic(base));
        long after = VdsoCalls.clockGettimeNanos(ClockId.CLOCK_MONOTONIC.id());
        if (computed.failure() != null) {
            throw new UnavailableException(computed.failure());
        }
        long value = computed.nanos() + namespaceOffset(ClockId.CLOCK_MONOTONIC);
        return new MonotonicCheck(before, value, after, computed.counter());
    }

    private record Computed(long nanos, String counter, String failure) {}

    private Computed computeMonotonic(long base) {
        ClockLayout c = layout.clock();
        String mode = layout.clockModeName(c.clockMode().read(vvar, base));
        long cycles;
        String counter;
        switch (mode) {
            case "VDSO_CLOCKMODE_TSC", "VDSO_CLOCKMODE_ARCHTIMER" -> {
                if (!CycleCounter.available()) {
                    return new Computed(0, null, CycleCounter.unavailableReason().orElse("no counter"));
                }
                long raw = CycleCounter.read();
                cycles = counterRule == VvarFacts.CounterRule.X86 ? raw & S64_MAX : raw;
                counter = mode.equals("VDSO_CLOCKMODE_TSC") ? "rdtsc" : "cntvct_el0";
            }
            case "VDSO_CLOCKMODE_PVCLOCK" -> {
                OptionalLong pv = pvclockCycles();
                if (pv.isEmpty()) {
                    return new Computed(0, null, "the pvclock page is not readable or not stable");
                }
                cycles = pv.getAsLong();
                counter = "rdtsc through the KVM pvclock page";
            }
            case "VDSO_CLOCKMODE_HVCLOCK" -> {
                OptionalLong hv = hvCycles();
                if (hv.isEmpty()) {
                    return new Computed(0, null, "the Hyper-V TSC page is not readable or not valid");
                }
                cycles = hv.getAsLong();
                counter = "rdtsc through the Hyper-V TSC page";
            }
            default -> {
                return new Computed(0, null, "CLOCK_MONOTONIC's clock base has " + mode
                        + (mode.equals("VDSO_CLOCKMODE_NONE") ? ": the vDSO makes the system call" : ""));
            }
        }
        long entry = base + c.basetimeOffset() + ClockId.CLOCK_MONOTONIC.id() * c.basetime().size();
        long sec = c.basetime().sec().read(vvar, entry);
        long shiftedNsec = c.basetime().nsec().read(vvar, entry);
        long nanos = nanosSinceBase(cycles, c.cycleLast().read(vvar, base), c.mask().read(vvar, base),
                c.maxCycles().map(f -> OptionalLong.of(f.read(vvar, base))).orElse(OptionalLong.empty()),
                c.mult().read(vvar, base), (int) c.shift().read(vvar, base), shiftedNsec);
        sec += Long.divideUnsigned(nanos, NSEC_PER_SEC);
        return new Computed(sec * NSEC_PER_SEC + Long.remainderUnsigned(nanos, NSEC_PER_SEC), counter, null);
    }

    /**
     * vdso_calc_ns(): nanoseconds from the clock base's shifted {@code base} nanoseconds and a counter
     * reading, by the ABI's rule ({@link VvarFacts.CounterRule}).
     */
    long nanosSinceBase(long cycles, long cycleLast, long mask, OptionalLong maxCycles, long mult, int shift,
            long base) {
        return nanosSinceBase(counterRule, cycles, cycleLast, mask, maxCycles, mult, shift, base);
    }

    static long nanosSinceBase(VvarFacts.CounterRule rule, long cycles, long cycleLast, long mask,
            OptionalLong maxCycles, long mult, int shift, long base) {
        long delta = cycles - cycleLast;
        if (rule == VvarFacts.CounterRule.GENERIC || maxCycles.isEmpty()) {
            delta &= mask;
            if (maxCycles.isPresent() && Long.compareUnsigned(delta, maxCycles.getAsLong()) > 0) {
                return mulAddShift(delta, mult, base, shift);
            }
            return (delta * mult + base) >>> shift;
        }
        if (Long.compareUnsigned(delta, maxCycles.getAsLong()) > 0) {
            if ((delta & (1L << 62)) != 0) {
                return base >>> shift; // negative motion: the TSC read behind cycle_last
            }
            return mulAddShift(delta & S64_MAX, mult, base, shift);
        }
        return (delta * mult + base) >>> shift;
    }

    /** mul_u64_u32_add_u64_shr(): (a * mul + b) >> shift in 128 bits, the low 64 bits of the result. */
    static long mulAddShift(long a, long mul, long b, int shift) {
        long low = a * mul;
        long high = Math.unsignedMultiplyHigh(a, mul);
        long sum = low + b;
        if (Long.compareUnsigned(sum, low) < 0) {
            high++;
        }
        if (shift == 0) {
            return sum;
        }
        return (sum >>> shift) | (high << (64 - shift));
    }

    /** A paravirtual clock's page, where it is populated, its layout known and the counter readable. */
    private Optional<MemorySegment> counterPage(OptionalInt index, Optional<?> pageLayout) {
        return pageLayout.isPresent() && CycleCounter.available() ? clockPage(index) : Optional.empty();
    }

    /** vread_pvclock() of arch/x86/include/asm/vdso/gettimeofday.h: empty where the vDSO would fall back. */
    private OptionalLong pvclockCycles() {
        Optional<MemorySegment> page = counterPage(layout.pages().pvclockPage(), layout.pvclock());
        if (page.isEmpty()) {
            return OptionalLong.empty();
        }
        VvarLayout.PvclockLayout p = layout.pvclock().orElseThrow();
        MemorySegment m = page.get();
        long deadline = System.nanoTime() + SETTLE_NANOS;
        do {
            long version = p.version().read(m, 0) & ~1L;
            VarHandle.loadLoadFence();
            if ((p.flags().read(m, 0) & VvarLayout.PVCLOCK_TSC_STABLE_BIT) == 0) {
                return OptionalLong.empty();
            }
            long tsc = CycleCounter.read();
            long delta = tsc - p.tscTimestamp().read(m, 0);
            int shift = (int) p.tscShift().read(m, 0);
            delta = shift < 0 ? delta >>> -shift : delta << shift;
            long mul = p.tscToSystemMul().read(m, 0);
            long scaled = (Math.unsignedMultiplyHigh(delta, mul) << 32) | ((delta * mul) >>> 32);
            long cycles = p.systemTime().read(m, 0) + scaled;
            VarHandle.loadLoadFence();
            if (p.version().read(m, 0) == version) {
                return OptionalLong.of(cycles);
            }
        } while (System.nanoTime() - deadline < 0);
        return OptionalLong.empty();
    }

    /** hv_read_tsc_page_tsc() of include/clocksource/hyperv_timer.h: empty where the vDSO would fall back. */
    private OptionalLong hvCycles() {
        Optional<MemorySegment> page = counterPage(layout.pages().hvclockPage(), layout.hvTsc());
        if (page.isEmpty()) {
            return OptionalLong.empty();
        }
        VvarLayout.HvTscLayout h = layout.hvTsc().orElseThrow();
        MemorySegment m = page.get();
        long deadline = System.nanoTime() + SETTLE_NANOS;
        do {
            long sequence = h.sequence().read(m, 0);
            if (sequence == 0) {
                return OptionalLong.empty();
            }
            VarHandle.loadLoadFence();
            long tsc = CycleCounter.read();
            long value = Math.unsignedMultiplyHigh(tsc, h.scale().read(m, 0)) + h.offset().read(m, 0);
            VarHandle.loadLoadFence();
            if (h.sequence().read(m, 0) == sequence) {
                return OptionalLong.of(value);
            }
        } while (System.nanoTime() - deadline < 0);
        return OptionalLong.empty();
    }

    /** The namespace's offset of {@code clock} in nanoseconds; 0 outside a time namespace. */
    private long namespaceOffset(ClockId clock) {
        if (namespaceData.isEmpty()) {
            return 0;
        }
        ClockLayout c = layout.clock();
        long base = namespaceData.getAsLong() + layout.timeData().clocksOffset();
        Timestamp offset = timestamp(base + c.offsetsOffset(), c.offsets(), c.basetimeCount(), clock);
        return offset.sec() * NSEC_PER_SEC + offset.nsec();
    }
}
