package dev.vdsoscope.vdso;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.abi.VvarFacts;
import dev.vdsoscope.btf.Btf;
import dev.vdsoscope.btf.BtfFormatException;
import dev.vdsoscope.linux.CycleCounter;
import dev.vdsoscope.linux.Libc;
import dev.vdsoscope.linux.PageProbe;
import dev.vdsoscope.linux.PageProbe.PageState;
import dev.vdsoscope.linux.Syscall;
import dev.vdsoscope.proc.AuxvType;
import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.proc.Mapping;
import dev.vdsoscope.proc.ProcessException;
import dev.vdsoscope.proc.PseudoMapping;
import dev.vdsoscope.vdso.VvarLayout.ClockLayout;
import dev.vdsoscope.vdso.VvarSnapshot.ClockBase;
import dev.vdsoscope.vdso.VvarSnapshot.Page;
import dev.vdsoscope.vdso.VvarSnapshot.PageRole;
import dev.vdsoscope.vdso.VvarSnapshot.Timestamp;

/**
 * The data pages beside this process's vDSO, read live. Before any page is read from Java, every
 * page of [vvar] and [vvar_vclock] is probed by the kernel ({@link PageProbe}); only pages it could
 * copy are ever touched, each through a segment of exactly one page, and the layout is checked to
 * fit in its page first: the holes these mappings have (a time-namespace page outside a namespace,
 * the page of a paravirtual clock the machine does not use) would raise SIGBUS. The clock data is
 * read under its sequence count with the vDSO's own discipline: wait while the count is odd, read,
 * and read again if the count moved; the paravirtual clock pages under their own version counts; so
 * a {@link VvarSnapshot} is consistent part by part. No read waits longer than {@link #SETTLE_NANOS}.
 */
public final class Vvar {
    /** How long a read waits for the kernel to finish an update before giving up (updates take microseconds). */
    static final long SETTLE_NANOS = 100_000_000L;
    /** The system property that names another file as the kernel's BTF (tests of a host without BTF). */
    public static final String KERNEL_BTF_PROPERTY = "vdsoscope.kernelBtf";
    /** S64_MAX: x86's vDSO clears the TSC's top bit, which marks an invalid reading. */
    private static final long S64_MAX = Long.MAX_VALUE;
    private static final long NSEC_PER_SEC = 1_000_000_000L;
    private static final VarHandle INT = JAVA_INT.varHandle();

    /** The clocks each base serves: VDSO_HRES, VDSO_COARSE and VDSO_RAW of include/vdso/datapage.h. */
    private static final List<ClockId> HRES_COARSE_CLOCKS = List.of(ClockId.CLOCK_REALTIME, ClockId.CLOCK_MONOTONIC,
            ClockId.CLOCK_BOOTTIME, ClockId.CLOCK_TAI, ClockId.CLOCK_REALTIME_COARSE, ClockId.CLOCK_MONOTONIC_COARSE);
    private static final List<ClockId> RAW_CLOCKS = List.of(ClockId.CLOCK_MONOTONIC_RAW);
    /** VDSO_COARSE: the clocks whose base time is kept in plain nanoseconds and read with no counter. */
    private static final Set<ClockId> COARSE_CLOCKS = EnumSet.of(ClockId.CLOCK_REALTIME_COARSE,
            ClockId.CLOCK_MONOTONIC_COARSE);
    /** The clocks a namespace offsets (kernel/time/namespace.c's timens_setup_vdso_clock_data), per base. */
    private static final List<ClockId> NAMESPACE_CLOCKS = List.of(ClockId.CLOCK_MONOTONIC,
            ClockId.CLOCK_MONOTONIC_COARSE, ClockId.CLOCK_BOOTTIME);
    /** The base of auxiliary clocks keeps its one time at basetime[VDSO_BASE_AUX] (include/vdso/datapage.h). */
    private static final int VDSO_BASE_AUX = 0;
    private static final String MODE_NONE = "VDSO_CLOCKMODE_NONE";

    /** Why the vvar pages cannot be decoded here, or a part of them cannot be read: one line. */
    public static class UnavailableException extends Exception {
        public UnavailableException(String message) {
            super(message);
        }
    }

    /**
     * The cross-check was not made because the kernel set VDSO_CLOCKMODE_NONE: the vDSO itself makes
     * the system call, so there is no user-space computation to check.
     */
    public static final class SystemCallModeException extends UnavailableException {
        SystemCallModeException(String message) {
            super(message);
        }
    }

    private final VvarLayout layout;
    private final VvarFacts.CounterRule counterRule;
    private final List<Page> pages;
    /** The page with the system-wide time data, and the time data's offset in it. */
    private final MemorySegment timePage;
    private final long timeData;
    /** Inside a time namespace, the namespace's page (its time data holds the offsets). */
    private final Optional<MemorySegment> namespacePage;
    private final Optional<MemorySegment> rngPage;
    private final Optional<MemorySegment> pvclockPage;
    private final Optional<MemorySegment> hvclockPage;

    private Vvar(VvarLayout layout, VvarFacts.CounterRule counterRule, List<Page> pages, MemorySegment timePage,
            long timeData, Optional<MemorySegment> namespacePage, Optional<MemorySegment> rngPage,
            Optional<MemorySegment> pvclockPage, Optional<MemorySegment> hvclockPage) {
        this.layout = layout;
        this.counterRule = counterRule;
        this.pages = pages;
        this.timePage = timePage;
        this.timeData = timeData;
        this.namespacePage = namespacePage;
        this.rngPage = rngPage;
        this.pvclockPage = pvclockPage;
        this.hvclockPage = hvclockPage;
    }

    /** The file that holds the running kernel's BTF: {@link Btf#VMLINUX}, unless {@link #KERNEL_BTF_PROPERTY} names another. */
    public static Path kernelBtf() {
        return Path.of(System.getProperty(KERNEL_BTF_PROPERTY, Btf.VMLINUX.toString()));
    }

    /** Each BTF file's layout (with or without [vvar_vclock]), or why it has none (a String), read once per process. */
    private static final Map<String, Object> LAYOUTS = new ConcurrentHashMap<>();

    private static VvarLayout layout(Path file, boolean vclockMapping) throws UnavailableException {
        Object known = LAYOUTS.computeIfAbsent(file + (vclockMapping ? "\0vclock" : ""),
                key -> readLayout(file, vclockMapping));
        if (known instanceof VvarLayout layout) {
            return layout;
        }
        throw new UnavailableException((String) known);
    }

    private static Object readLayout(Path file, boolean vclockMapping) {
        Optional<LinuxAbi> abi = LinuxAbi.host();
        if (abi.isEmpty()) {
            return "this machine's ABI is not one vdsoscope knows";
        }
        if (!Files.exists(file)) {
            return file.equals(kernelBtf()) ? "the kernel has no BTF (" + file + " is missing: a kernel built without"
                    + " CONFIG_DEBUG_INFO_BTF), so the layout of its vvar data is not known" : file + ": no such file";
        }
        try {
            return VvarLayout.of(Btf.open(file), VvarFacts.of(abi.get()), vclockMapping);
        } catch (VvarLayout.MissingTypesException e) {
            return file + ": " + e.getMessage() + ", so the vvar data cannot be decoded";
        } catch (IOException e) {
            return file + ": cannot be read: " + e.getMessage();
        } catch (BtfFormatException e) {
            return e.getMessage(); // (names the file itself)
        }
    }

    /** This process's vvar pages, laid out by the running kernel's BTF ({@link #kernelBtf()}). */
    public static Vvar open() throws UnavailableException {
        return open(kernelBtf());
    }

    /** This process's vvar data as the kernel has it now: {@code open().snapshot()}. */
    public static VvarSnapshot snapshotNow() throws UnavailableException {
        return open().snapshot();
    }

    /**
     * This process's vvar pages, probed and ready to read, laid out by the BTF in {@code btfFile}
     * (raw BTF, or an ELF file with a .BTF section), which must describe the running kernel.
     *
     * @throws UnavailableException where the file is missing or lacks the types, its layout does not
     *     fit the pages or does not match what the kernel keeps there, this process has no [vvar], or
     *     its time page is a hole
     */
    public static Vvar open(Path btfFile) throws UnavailableException {
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
        VvarLayout layout = layout(btfFile, vclockMapping.isPresent());
        VvarLayout.Pages order = layout.pages();
        checkFits(layout, pageSize);
        List<PageState> vvarStates;
        List<PageState> vclockStates;
        try {
            vvarStates = PageProbe.probe(vvarMapping.start(), (int) (vvarMapping.size() / pageSize), pageSize);
            vclockStates = vclockMapping.isEmpty() ? List.of() : PageProbe.probe(vclockMapping.get().start(),
                    (int) (vclockMapping.get().size() / pageSize), pageSize);
        } catch (Libc.ErrnoException e) {
            throw new UnavailableException("cannot probe the vvar pages: " + e.getMessage());
        }
        PageSlicer vvar = new PageSlicer(vvarMapping, vvarStates, pageSize);
        PageSlicer vclock = vclockMapping.map(m -> new PageSlicer(m, vclockStates, pageSize)).orElse(null);
        MemorySegment first = vvar.page(order.timePage()).orElseThrow(() -> new UnavailableException(
                "[vvar]'s time page (page " + order.timePage() + ") holds no data: the kernel's vDSO reads no time data here"));
        long clockMode = layout.clock().clockMode().read(first, order.timeDataOffset() + layout.timeData().clocksOffset());
        boolean inNamespace = clockMode == layout.timensMode();
        MemorySegment timePage = first;
        Optional<MemorySegment> namespacePage = Optional.empty();
        if (inNamespace) {
            // In a time namespace the kernel swaps the pages: the namespace's page where the time data
            // was, the system-wide data page at the namespace page's place (lib/vdso/datastore.c's
            // vvar_fault; vvar_fault of arch/x86/entry/vdso/vma.c before 6.15).
            timePage = vvar.page(order.timensPage()).orElseThrow(() -> new UnavailableException(
                    "this process is in a time namespace but [vvar]'s page " + order.timensPage() + " holds no data"));
            namespacePage = Optional.of(first);
        }
        checkMatchesKernel(layout, timePage, order.timeDataOffset(), btfFile);
        // The getrandom data shares the time data's page on kernels before the data store, and moves with it.
        OptionalInt rngIndex = order.rngPage().isPresent() && order.rngPage().getAsInt() == order.timePage() && inNamespace
                ? OptionalInt.of(order.timensPage()) : order.rngPage();
        List<Page> pages = new ArrayList<>(roles(vvar, "[vvar]", order, inNamespace, rngIndex));
        if (vclock != null) {
            pages.addAll(roles(vclock, "[vvar_vclock]", order, inNamespace, rngIndex));
        }
        PageSlicer clocks = order.vclockMapping() ? vclock : vvar;
        return new Vvar(layout, VvarFacts.of(LinuxAbi.host().orElseThrow()).counterRule(), List.copyOf(pages),
                timePage, order.timeDataOffset(), namespacePage,
                rngIndex.isPresent() ? vvar.page(rngIndex.getAsInt()) : Optional.empty(),
                clocks == null ? Optional.empty() : clocks.page(order.pvclockPage()),
                clocks == null ? Optional.empty() : clocks.page(order.hvclockPage()));
    }

    /** One mapping's pages, each as a segment of exactly one page, for the pages the probe found readable only. */
    private record PageSlicer(Mapping mapping, List<PageState> states, int pageSize) {
        Optional<MemorySegment> page(int index) {
            if (index < 0 || index >= states.size() || states.get(index) != PageState.READABLE) {
                return Optional.empty();
            }
            return Optional.of(MemorySegment.ofAddress(mapping.start() + (long) index * pageSize).reinterpret(pageSize));
        }

        Optional<MemorySegment> page(OptionalInt index) {
            return index.isPresent() ? page(index.getAsInt()) : Optional.empty();
        }
    }

    /** Refuses a layout whose parts would run past the end of their pages (a BTF of another kernel). */
    private static void checkFits(VvarLayout layout, int pageSize) throws UnavailableException {
        VvarLayout.Pages order = layout.pages();
        long time = order.timeDataOffset() + layout.timeData().extent(layout.clock().size());
        long rng = order.rngOffset() + layout.rng().map(VvarLayout.RngLayout::extent).orElse(0L);
        long pvclock = layout.pvclock().map(VvarLayout.PvclockLayout::extent).orElse(0L);
        long hv = layout.hvTsc().map(VvarLayout.HvTscLayout::extent).orElse(0L);
        if (time > pageSize || rng > pageSize || pvclock > pageSize || hv > pageSize) {
            throw new UnavailableException("the BTF's layout does not fit in " + pageSize + "-byte pages (struct "
                    + layout.timeData().struct() + " ends at byte " + time + "): it does not describe this kernel");
        }
    }

    /**
     * Refuses a layout that does not match what the kernel keeps: the first clock base's mode must be
     * one of enum vdso_clock_mode's, and hrtimer_res what clock_getres(2) answers for CLOCK_MONOTONIC.
     */
    private static void checkMatchesKernel(VvarLayout layout, MemorySegment page, long offset, Path btfFile)
            throws UnavailableException {
        long base = offset + layout.timeData().clocksOffset();
        long mode = layout.clock().clockMode().read(page, base);
        long resolution = layout.timeData().hrtimerRes().read(page, offset);
        OptionalLong getres = clockGetresNanos(ClockId.CLOCK_MONOTONIC);
        String where = "the time data in [vvar] is not struct " + layout.timeData().struct() + " as " + btfFile
                + " lays it out (";
        if (!layout.knowsClockMode(mode)) {
            throw new UnavailableException(where + "its clock_mode " + mode + " is no enum vdso_clock_mode value):"
                    + " this kernel's layout is not one vdsoscope knows");
        }
        if (getres.isPresent() && getres.getAsLong() != resolution) {
            throw new UnavailableException(where + "its hrtimer_res " + resolution + " where clock_getres(2) says "
                    + getres.getAsLong() + " ns): this kernel's layout is not one vdsoscope knows");
        }
    }

    /** clock_getres(2) through the system call itself, in nanoseconds; empty where it fails. */
    private static OptionalLong clockGetresNanos(ClockId clock) {
        OptionalLong number = Syscall.number("clock_getres");
        if (number.isEmpty()) {
            return OptionalLong.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ts = arena.allocate(16, 8);
            if (Syscall.invoke(number.getAsLong(), clock.id(), ts.address(), 0) != 0) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(ts.get(JAVA_LONG, 0) * NSEC_PER_SEC + ts.get(JAVA_LONG, 8));
        }
    }

    /** The pages of one mapping with what the kernel keeps in each, in or out of a time namespace. */
    private static List<Page> roles(PageSlicer slicer, String mapping, VvarLayout.Pages order, boolean inNamespace,
            OptionalInt rngIndex) {
        boolean inVvar = mapping.equals("[vvar]");
        int dataIndex = inNamespace ? order.timensPage() : order.timePage();
        List<Page> pages = new ArrayList<>();
        for (int i = 0; i < slicer.states().size(); i++) {
            List<PageRole> roles = new ArrayList<>();
            if (inVvar) {
                if (i == dataIndex) {
                    roles.add(PageRole.TIME_DATA);
                }
                if (inNamespace && i == order.timePage()) {
                    roles.add(PageRole.NAMESPACE_OFFSETS);
                }
                if (!inNamespace && i == order.timensPage() && i != order.timePage()) {
                    roles.add(PageRole.TIME_NAMESPACE);
                }
                if (rngIndex.isPresent() && rngIndex.getAsInt() == i) {
                    roles.add(PageRole.RNG);
                }
            }
            if (inVvar != order.vclockMapping()) {
                if (order.pvclockPage().isPresent() && order.pvclockPage().getAsInt() == i) {
                    roles.add(PageRole.PVCLOCK);
                }
                if (order.hvclockPage().isPresent() && order.hvclockPage().getAsInt() == i) {
                    roles.add(PageRole.HVCLOCK);
                }
            }
            if (roles.isEmpty()) {
                roles.add(PageRole.OTHER);
            }
            pages.add(new Page(mapping, i, slicer.mapping().start() + (long) i * slicer.pageSize(), List.copyOf(roles),
                    slicer.states().get(i)));
        }
        return pages;
    }

    /** Every page of both mappings, with its roles and whether it holds data. */
    public List<Page> pages() {
        return pages;
    }

    public VvarLayout layout() {
        return layout;
    }

    /** Whether this process is in a time namespace (the kernel mapped the namespace's page). */
    public boolean inTimeNamespace() {
        return namespacePage.isPresent();
    }

    /**
     * The data as the kernel has it now, each part read consistently.
     *
     * @throws UnavailableException where the kernel keeps a sequence count busy longer than {@link #SETTLE_NANOS}
     */
    public VvarSnapshot snapshot() throws UnavailableException {
        VvarLayout.TimeDataLayout td = layout.timeData();
        ClockLayout c = layout.clock();
        long clocks = timeData + td.clocksOffset();
        VvarSnapshot.TimeData time = underSequence(clocks + c.seq().offset(), () -> {
            List<ClockBase> bases = new ArrayList<>();
            for (int i = 0; i < td.clockCount(); i++) {
                bases.add(clockBase(clocks + i * c.size(), baseName(i), clocksOf(i)));
            }
            return new VvarSnapshot.TimeData(bases, List.of(), td.tzMinuteswest().read(timePage, timeData),
                    td.tzDsttime().read(timePage, timeData), td.hrtimerRes().read(timePage, timeData));
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

    /** A clock base in the time page; {@code clocks} empty for an auxiliary clock (its one base time). */
    private ClockBase clockBase(long at, String name, List<ClockId> clocks) {
        ClockLayout c = layout.clock();
        List<Timestamp> times = new ArrayList<>();
        for (ClockId clock : clocks) {
            times.add(timestamp(timePage, at + c.basetimeOffset(), c.basetime(), c.basetimeCount(), clock.name(),
                    clock.id(), !COARSE_CLOCKS.contains(clock)));
        }
        if (clocks.isEmpty()) {
            times.add(timestamp(timePage, at + c.basetimeOffset(), c.basetime(), c.basetimeCount(), "VDSO_BASE_AUX",
                    VDSO_BASE_AUX, true));
        }
        long mode = c.clockMode().read(timePage, at);
        return new ClockBase(name, c.seq().read(timePage, at), mode, layout.clockModeName(mode),
                c.cycleLast().read(timePage, at),
                c.maxCycles().map(f -> OptionalLong.of(f.read(timePage, at))).orElse(OptionalLong.empty()),
                c.mask().read(timePage, at), c.mult().read(timePage, at), c.shift().read(timePage, at),
                List.copyOf(times));
    }

    private static Timestamp timestamp(MemorySegment page, long array, VvarLayout.TimestampLayout element, int count,
            String name, int index, boolean shifted) {
        if (index >= count) {
            return new Timestamp(name, 0, 0, shifted);
        }
        long entry = array + index * element.size();
        return new Timestamp(name, element.sec().read(page, entry), element.nsec().read(page, entry), shifted);
    }

    private Optional<VvarSnapshot.TimeNamespace> namespace() {
        if (namespacePage.isEmpty()) {
            return Optional.empty();
        }
        // The namespace's page is written once, before any task enters the namespace, with its
        // sequence count left odd for good (the vDSO's sign to take the namespace path): no lock to take.
        ClockLayout c = layout.clock();
        MemorySegment page = namespacePage.get();
        long base = timeData + layout.timeData().clocksOffset();
        List<Timestamp> offsets = new ArrayList<>();
        for (ClockId clock : NAMESPACE_CLOCKS) {
            offsets.add(timestamp(page, base + c.offsetsOffset(), c.offsets(), c.basetimeCount(), clock.name(),
                    clock.id(), false));
        }
        long raw = base + VvarLayout.CS_RAW * c.size();
        offsets.add(timestamp(page, raw + c.offsetsOffset(), c.offsets(), c.basetimeCount(),
                ClockId.CLOCK_MONOTONIC_RAW.name(), ClockId.CLOCK_MONOTONIC_RAW.id(), false));
        return Optional.of(new VvarSnapshot.TimeNamespace(List.copyOf(offsets)));
    }

    private Optional<VvarSnapshot.Rng> rng() {
        if (layout.rng().isEmpty() || rngPage.isEmpty()) {
            return Optional.empty();
        }
        long at = layout.pages().rngOffset();
        VvarLayout.RngLayout r = layout.rng().get();
        MemorySegment page = rngPage.get();
        return Optional.of(new VvarSnapshot.Rng(r.generation().read(page, at), r.isReady().read(page, at) != 0));
    }

    /** Whether the kernel's BTF describes the pvclock page at all (so an absent page means the page is not populated). */
    public boolean knowsPvclock() {
        return layout.pvclock().isPresent();
    }

    private Optional<VvarSnapshot.Pvclock> pvclock() throws UnavailableException {
        if (pvclockPage.isEmpty() || layout.pvclock().isEmpty()) {
            return Optional.empty();
        }
        VvarLayout.PvclockLayout p = layout.pvclock().get();
        MemorySegment m = pvclockPage.get();
        return Optional.of(consistent(() -> p.version().read(m, 0), Vvar::even, () -> new VvarSnapshot.Pvclock(
                p.version().read(m, 0), p.tscTimestamp().read(m, 0), p.systemTime().read(m, 0),
                p.tscToSystemMul().read(m, 0), p.tscShift().read(m, 0), p.flags().read(m, 0)))
                .orElseThrow(() -> new UnavailableException("the pvclock page's version stayed busy")));
    }

    private Optional<VvarSnapshot.HvTsc> hvTsc() throws UnavailableException {
        if (hvclockPage.isEmpty() || layout.hvTsc().isEmpty()) {
            return Optional.empty();
        }
        VvarLayout.HvTscLayout h = layout.hvTsc().get();
        MemorySegment m = hvclockPage.get();
        return Optional.of(consistent(() -> h.sequence().read(m, 0), sequence -> true, () -> new VvarSnapshot.HvTsc(
                h.sequence().read(m, 0), h.scale().read(m, 0), h.offset().read(m, 0)))
                .orElseThrow(() -> new UnavailableException("the Hyper-V TSC page's sequence kept changing")));
    }

    private static boolean even(long version) {
        return (version & 1) == 0;
    }

    /**
     * {@code read} repeated until {@code version} was {@code settled} before it and unchanged after it,
     * as the kernel's readers of its seqlock-like counts do, for at most {@link #SETTLE_NANOS}; empty
     * when it never was.
     */
    private static <T> Optional<T> consistent(LongSupplier version, LongPredicate settled, Supplier<T> read) {
        long deadline = System.nanoTime() + SETTLE_NANOS;
        do {
            long before = version.getAsLong();
            VarHandle.loadLoadFence();
            if (settled.test(before)) {
                T value = read.get();
                VarHandle.loadLoadFence();
                if (version.getAsLong() == before) {
                    return Optional.of(value);
                }
            } else {
                Thread.onSpinWait();
            }
        } while (System.nanoTime() - deadline < 0);
        return Optional.empty();
    }

    /** A read of the time data under the sequence count at {@code seqAt}, as vdso_read_begin/vdso_read_retry. */
    private <T> T underSequence(long seqAt, Supplier<T> read) throws UnavailableException {
        return consistent(() -> Integer.toUnsignedLong((int) INT.getAcquire(timePage, seqAt)), Vvar::even, read)
                .orElseThrow(() -> new UnavailableException("the kernel kept the time data's sequence count busy for"
                        + " over " + SETTLE_NANOS / 1_000_000 + " ms"));
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
     * One cross-check of CLOCK_MONOTONIC.
     *
     * @throws SystemCallModeException where the kernel set VDSO_CLOCKMODE_NONE (nothing to check)
     * @throws UnavailableException    where the mode's counter cannot be read here, or the data stayed busy
     */
    public MonotonicCheck checkMonotonic() throws UnavailableException {
        ClockLayout c = layout.clock();
        long base = timeData + layout.timeData().clocksOffset() + VvarLayout.CS_HRES_COARSE * c.size();
        long before = VdsoCalls.clockGettimeNanos(ClockId.CLOCK_MONOTONIC.id());
        Computed computed = underSequence(base + c.seq().offset(), () -> computeMonotonic(base));
        long after = VdsoCalls.clockGettimeNanos(ClockId.CLOCK_MONOTONIC.id());
        if (computed.failure() != null) {
            throw computed.systemCallMode() ? new SystemCallModeException(computed.failure())
                    : new UnavailableException(computed.failure());
        }
        long value = computed.nanos() + namespaceOffset(ClockId.CLOCK_MONOTONIC);
        return new MonotonicCheck(before, value, after, computed.counter());
    }

    private record Computed(long nanos, String counter, String failure, boolean systemCallMode) {
        static Computed failed(String why) {
            return new Computed(0, null, why, false);
        }
    }

    private Computed computeMonotonic(long base) {
        ClockLayout c = layout.clock();
        String mode = layout.clockModeName(c.clockMode().read(timePage, base));
        long cycles;
        String counter;
        switch (mode) {
            case "VDSO_CLOCKMODE_TSC", "VDSO_CLOCKMODE_ARCHTIMER" -> {
                if (!CycleCounter.available()) {
                    return Computed.failed(CycleCounter.unavailableReason().orElse("no counter"));
                }
                long raw = CycleCounter.read();
                cycles = counterRule == VvarFacts.CounterRule.X86 ? raw & S64_MAX : raw;
                counter = mode.equals("VDSO_CLOCKMODE_TSC") ? "rdtsc" : "cntvct_el0";
            }
            case "VDSO_CLOCKMODE_PVCLOCK" -> {
                OptionalLong pv = pvclockCycles();
                if (pv.isEmpty()) {
                    return Computed.failed("the pvclock page is not readable, not stable, or stayed busy");
                }
                cycles = pv.getAsLong();
                counter = "rdtsc through the KVM pvclock page";
            }
            case "VDSO_CLOCKMODE_HVCLOCK" -> {
                OptionalLong hv = hvCycles();
                if (hv.isEmpty()) {
                    return Computed.failed("the Hyper-V TSC page is not readable, not valid, or stayed busy");
                }
                cycles = hv.getAsLong();
                counter = "rdtsc through the Hyper-V TSC page";
            }
            case MODE_NONE -> {
                return new Computed(0, null, "CLOCK_MONOTONIC's clock base has " + MODE_NONE
                        + ": the vDSO makes the system call, so there is nothing to recompute", true);
            }
            default -> {
                return Computed.failed("CLOCK_MONOTONIC's clock base has " + mode + ", whose counter vdsoscope does"
                        + " not read here");
            }
        }
        long entry = base + c.basetimeOffset() + ClockId.CLOCK_MONOTONIC.id() * c.basetime().size();
        long sec = c.basetime().sec().read(timePage, entry);
        long shiftedNsec = c.basetime().nsec().read(timePage, entry);
        long nanos = nanosSinceBase(counterRule, cycles, c.cycleLast().read(timePage, base),
                c.mask().read(timePage, base),
                c.maxCycles().map(f -> OptionalLong.of(f.read(timePage, base))).orElse(OptionalLong.empty()),
                c.mult().read(timePage, base), (int) c.shift().read(timePage, base), shiftedNsec);
        sec += Long.divideUnsigned(nanos, NSEC_PER_SEC);
        return new Computed(sec * NSEC_PER_SEC + Long.remainderUnsigned(nanos, NSEC_PER_SEC), counter, null, false);
    }

    /**
     * The vDSO's nanoseconds since the clock base's base time: from the shifted {@code base}
     * nanoseconds and a counter reading, by the ABI's rule ({@link VvarFacts.CounterRule}).
     */
    static long nanosSinceBase(VvarFacts.CounterRule rule, long cycles, long cycleLast, long mask,
            OptionalLong maxCycles, long mult, int shift, long base) {
        long delta = cycles - cycleLast;
        if (rule == VvarFacts.CounterRule.GENERIC) {
            delta &= mask;
            if (maxCycles.isPresent() && Long.compareUnsigned(delta, maxCycles.getAsLong()) > 0) {
                return mulAddShift(delta, mult, base, shift);
            }
            return (delta * mult + base) >>> shift;
        }
        if (maxCycles.isEmpty()) {
            // x86's vdso_calc_delta() before 6.10: a counter not past cycle_last adds nothing.
            return Long.compareUnsigned(cycles, cycleLast) > 0 ? (delta * mult + base) >>> shift : base >>> shift;
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

    /** vread_pvclock() of arch/x86/include/asm/vdso/gettimeofday.h: empty where the vDSO would fall back. */
    private OptionalLong pvclockCycles() {
        if (pvclockPage.isEmpty() || layout.pvclock().isEmpty() || !CycleCounter.available()) {
            return OptionalLong.empty();
        }
        VvarLayout.PvclockLayout p = layout.pvclock().get();
        MemorySegment m = pvclockPage.get();
        Optional<OptionalLong> cycles = consistent(() -> p.version().read(m, 0), Vvar::even, () -> {
            if ((p.flags().read(m, 0) & VvarLayout.PVCLOCK_TSC_STABLE_BIT) == 0) {
                return OptionalLong.empty();
            }
            long delta = CycleCounter.read() - p.tscTimestamp().read(m, 0);
            int shift = (int) p.tscShift().read(m, 0);
            delta = shift < 0 ? delta >>> -shift : delta << shift;
            long mul = p.tscToSystemMul().read(m, 0);
            long scaled = (Math.unsignedMultiplyHigh(delta, mul) << 32) | ((delta * mul) >>> 32);
            return OptionalLong.of(p.systemTime().read(m, 0) + scaled);
        });
        return cycles.orElse(OptionalLong.empty());
    }

    /** hv_read_tsc_page_tsc() of include/clocksource/hyperv_timer.h: empty where the vDSO would fall back. */
    private OptionalLong hvCycles() {
        if (hvclockPage.isEmpty() || layout.hvTsc().isEmpty() || !CycleCounter.available()) {
            return OptionalLong.empty();
        }
        VvarLayout.HvTscLayout h = layout.hvTsc().get();
        MemorySegment m = hvclockPage.get();
        Optional<OptionalLong> value = consistent(() -> h.sequence().read(m, 0), sequence -> true, () -> {
            if (h.sequence().read(m, 0) == 0) {
                return OptionalLong.empty();
            }
            long tsc = CycleCounter.read();
            return OptionalLong.of(Math.unsignedMultiplyHigh(tsc, h.scale().read(m, 0)) + h.offset().read(m, 0));
        });
        return value.orElse(OptionalLong.empty());
    }

    /** The namespace's offset of {@code clock} in nanoseconds; 0 outside a time namespace. */
    private long namespaceOffset(ClockId clock) {
        if (namespacePage.isEmpty()) {
            return 0;
        }
        ClockLayout c = layout.clock();
        long base = timeData + layout.timeData().clocksOffset();
        Timestamp offset = timestamp(namespacePage.get(), base + c.offsetsOffset(), c.offsets(), c.basetimeCount(),
                clock.name(), clock.id(), false);
        return offset.sec() * NSEC_PER_SEC + offset.nsec();
    }
}
