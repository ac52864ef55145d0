package dev.vdsoscope.vdso;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import dev.vdsoscope.abi.VvarFacts;
import dev.vdsoscope.btf.Btf;
import dev.vdsoscope.btf.BtfKind;
import dev.vdsoscope.btf.BtfType;
import dev.vdsoscope.btf.Enumerator;
import dev.vdsoscope.btf.Field;

/**
 * How the running kernel lays out the data its vDSO reads, taken from the kernel's own BTF: every
 * offset and width here is a member BTF describes, found by its C name; nothing is assumed of a
 * kernel version. Two shapes are known, told apart by the type names the kernel has:
 * <ul>
 * <li>the data store (6.15 and later): {@code struct vdso_time_data} holding {@code struct vdso_clock
 * clock_data[]}, the pages in the order of {@code enum vdso_pages};
 * <li>the older {@code struct vdso_data[CS_BASES]}, placed where {@link VvarFacts.LegacyLayout} says.
 * </ul>
 * What BTF cannot carry (macros, linker-script placement) is a named constant here or in
 * {@link VvarFacts}, with the source it comes from.
 */
public final class VvarLayout {
    /** The clock bases of include/vdso/datapage.h: CS_HRES_COARSE (high-resolution and coarse clocks) ... */
    public static final int CS_HRES_COARSE = 0;
    /** ... and CS_RAW (CLOCK_MONOTONIC_RAW), the index of each base in the clock data array. */
    public static final int CS_RAW = 1;
    /** CS_BASES of include/vdso/datapage.h: the length of the older {@code _vdso_data[]}, which BTF has no array of. */
    static final int CS_BASES = 2;
    /** PVCLOCK_TSC_STABLE_BIT (arch/x86/include/asm/pvclock-abi.h): the pvclock page's flag the vDSO requires. */
    public static final int PVCLOCK_TSC_STABLE_BIT = 1 << 0;
    /** The clock mode that marks a time namespace's page (enum vdso_clock_mode's VDSO_CLOCKMODE_TIMENS). */
    static final String VDSO_CLOCKMODE_TIMENS = "VDSO_CLOCKMODE_TIMENS";

    /** An integer member: where it is from the start of its structure, its width and signedness. */
    public record IntField(String name, long offset, int size, boolean signed) {
        /** Its value in the structure at {@code base} of {@code memory}, sign- or zero-extended to 64 bits. */
        public long read(MemorySegment memory, long base) {
            long at = base + offset;
            return switch (size) {
                case 1 -> signed ? memory.get(JAVA_BYTE, at) : Byte.toUnsignedLong(memory.get(JAVA_BYTE, at));
                case 2 -> signed ? memory.get(JAVA_SHORT_UNALIGNED, at)
                        : Short.toUnsignedLong(memory.get(JAVA_SHORT_UNALIGNED, at));
                case 4 -> signed ? memory.get(JAVA_INT_UNALIGNED, at)
                        : Integer.toUnsignedLong(memory.get(JAVA_INT_UNALIGNED, at));
                default -> memory.get(JAVA_LONG_UNALIGNED, at);
            };
        }

        /** The first byte past it. */
        public long end() {
            return offset + size;
        }
    }

    /** {@code struct vdso_timestamp} or {@code struct timens_offset}: seconds and nanoseconds. */
    public record TimestampLayout(long size, IntField sec, IntField nsec) {}

    /**
     * One clock base ({@code struct vdso_clock}, or the older {@code struct vdso_data}).
     *
     * @param maxCycles present where the kernel protects the multiplication against overflow (6.10+)
     * @param basetime  offset of {@code basetime[]} (the clock ids' base times), and its element
     * @param offsets   offset of {@code offset[]} (a time namespace's offsets, in the same union), and its element
     */
    public record ClockLayout(String struct, long size, IntField seq, IntField clockMode, IntField cycleLast,
            Optional<IntField> maxCycles, IntField mask, IntField mult, IntField shift, long basetimeOffset,
            int basetimeCount, TimestampLayout basetime, long offsetsOffset, TimestampLayout offsets) {}

    /**
     * The time data: its clock bases, the auxiliary clocks where the kernel has them, and the
     * timezone and resolution words (offsets from the start of the time data).
     */
    public record TimeDataLayout(String struct, long clocksOffset, int clockCount, long auxClocksOffset,
            int auxClockCount, IntField tzMinuteswest, IntField tzDsttime, IntField hrtimerRes) {
        /** The bytes from the start of the time data to the end of the last member read, for clocks of {@code clockSize}. */
        long extent(long clockSize) {
            long end = Math.max(clocksOffset + clockCount * clockSize, auxClocksOffset + auxClockCount * clockSize);
            return Math.max(end, Math.max(tzMinuteswest.end(), Math.max(tzDsttime.end(), hrtimerRes.end())));
        }
    }

    /** {@code struct vdso_rng_data}: the generation counter of the vDSO's getrandom and its ready flag. */
    public record RngLayout(IntField generation, IntField isReady) {
        long extent() {
            return Math.max(generation.end(), isReady.end());
        }
    }

    /** {@code struct pvclock_vcpu_time_info}, vCPU 0's, at the start of the KVM pvclock page. */
    public record PvclockLayout(IntField version, IntField tscTimestamp, IntField systemTime, IntField tscToSystemMul,
            IntField tscShift, IntField flags) {
        long extent() {
            return java.util.stream.Stream.of(version, tscTimestamp, systemTime, tscToSystemMul, tscShift, flags)
                    .mapToLong(IntField::end).max().orElse(0);
        }
    }

    /** {@code struct ms_hyperv_tsc_page}: the Hyper-V reference TSC page. */
    public record HvTscLayout(IntField sequence, IntField scale, IntField offset) {
        long extent() {
            return Math.max(sequence.end(), Math.max(scale.end(), offset.end()));
        }
    }

    /**
     * Where each part lies: page indices in [vvar] ({@code pvclock} and {@code hvclock} in
     * [vvar_vclock] when {@code vclockMapping}), and byte offsets in their pages.
     */
    public record Pages(int timePage, int timensPage, OptionalInt rngPage, long timeDataOffset, long rngOffset,
            OptionalInt pvclockPage, OptionalInt hvclockPage, boolean vclockMapping) {}

    private final String shape;
    private final ClockLayout clock;
    private final TimeDataLayout timeData;
    private final Optional<RngLayout> rng;
    private final Optional<PvclockLayout> pvclock;
    private final Optional<HvTscLayout> hvTsc;
    private final Map<Long, String> clockModes;
    private final Pages pages;

    private VvarLayout(String shape, ClockLayout clock, TimeDataLayout timeData, Optional<RngLayout> rng,
            Optional<PvclockLayout> pvclock, Optional<HvTscLayout> hvTsc, Map<Long, String> clockModes, Pages pages) {
        this.shape = shape;
        this.clock = clock;
        this.timeData = timeData;
        this.rng = rng;
        this.pvclock = pvclock;
        this.hvTsc = hvTsc;
        this.clockModes = clockModes;
        this.pages = pages;
    }

    /** What this kernel's BTF lacks for the layout to be known: the missing names, in C. */
    public static final class MissingTypesException extends Exception {
        private final List<String> missing;

        MissingTypesException(List<String> missing) {
            super("the kernel's BTF lacks " + String.join(", ", missing));
            this.missing = List.copyOf(missing);
        }

        public List<String> missing() {
            return missing;
        }
    }

    /**
     * The layout of the kernel that {@code btf} describes, with the ABI's facts for what BTF does
     * not carry, in a process that has (or has not) a [vvar_vclock] mapping.
     *
     * @throws MissingTypesException naming every type, member or enumerator it lacks, or the
     *     members that are not what the vDSO reads (an integer of another width, too few clock bases)
     */
    public static VvarLayout of(Btf btf, VvarFacts facts, boolean vclockMapping) throws MissingTypesException {
        Resolver r = new Resolver(btf);
        boolean dataStore = btf.find("vdso_time_data", BtfKind.STRUCT).isPresent();
        String clockStruct = dataStore ? "vdso_clock" : "vdso_data";
        if (!dataStore && btf.find(clockStruct, BtfKind.STRUCT).isEmpty()) {
            throw new MissingTypesException(List.of("struct vdso_time_data (or the older struct vdso_data)"));
        }
        ClockLayout clock = r.clock(clockStruct);
        TimeDataLayout timeData;
        Pages pages;
        if (dataStore) {
            long clocks = r.offset("vdso_time_data", "clock_data");
            int count = r.count("vdso_time_data", "clock_data", clock.size());
            long aux = r.optionalOffset("vdso_time_data", "aux_clock_data").orElse(-1L);
            int auxCount = aux < 0 ? 0 : r.count("vdso_time_data", "aux_clock_data", clock.size());
            timeData = new TimeDataLayout("vdso_time_data", clocks, count, aux, auxCount,
                    r.intField("vdso_time_data", "tz_minuteswest"), r.intField("vdso_time_data", "tz_dsttime"),
                    r.intField("vdso_time_data", "hrtimer_res"));
            Map<String, Long> order = r.enumerators("vdso_pages");
            OptionalInt rngPage = order.containsKey("VDSO_RNG_PAGE_OFFSET")
                    ? OptionalInt.of(order.get("VDSO_RNG_PAGE_OFFSET").intValue()) : OptionalInt.empty();
            pages = new Pages(r.enumerator(order, "vdso_pages", "VDSO_TIME_PAGE_OFFSET"),
                    r.enumerator(order, "vdso_pages", "VDSO_TIMENS_PAGE_OFFSET"), rngPage, 0, 0, facts.pvclockPage(),
                    facts.hvclockPage(), true);
        } else {
            // The older layout: CS_BASES structures in a row, the timezone words in the first.
            VvarFacts.LegacyLayout legacy = facts.legacy(vclockMapping).orElse(null);
            if (legacy == null) {
                r.missing.add("the place of _vdso_data in [vvar] on this architecture (not known to vdsoscope)");
                legacy = new VvarFacts.LegacyLayout(0, java.util.OptionalLong.empty(), 0, 1, OptionalInt.empty(),
                        OptionalInt.empty());
            }
            timeData = new TimeDataLayout("vdso_data[CS_BASES]", 0, CS_BASES, -1, 0,
                    r.intField(clockStruct, "tz_minuteswest"), r.intField(clockStruct, "tz_dsttime"),
                    r.intField(clockStruct, "hrtimer_res"));
            pages = new Pages(legacy.dataPage(), legacy.timensPage(),
                    legacy.rngOffset().isPresent() ? OptionalInt.of(legacy.dataPage()) : OptionalInt.empty(),
                    legacy.timeDataOffset(), legacy.rngOffset().orElse(0),
                    vclockMapping ? facts.pvclockPage() : legacy.pvclockPage(),
                    vclockMapping ? facts.hvclockPage() : legacy.hvclockPage(), vclockMapping);
        }
        if (timeData.clockCount() < CS_BASES) {
            r.missing.add("the clock bases CS_HRES_COARSE and CS_RAW in struct " + timeData.struct());
        }
        Map<Long, String> modes = new LinkedHashMap<>();
        r.enumerators("vdso_clock_mode").forEach((name, value) -> modes.putIfAbsent(value, name));
        if (!modes.containsValue(VDSO_CLOCKMODE_TIMENS) && !r.missing.contains("enum vdso_clock_mode")) {
            r.missing.add("enum vdso_clock_mode's " + VDSO_CLOCKMODE_TIMENS);
        }
        if (!r.missing.isEmpty()) {
            throw new MissingTypesException(r.missing);
        }
        Optional<RngLayout> rng = r.optional("vdso_rng_data", () -> new RngLayout(
                r.intField("vdso_rng_data", "generation"), r.intField("vdso_rng_data", "is_ready")));
        Optional<PvclockLayout> pvclock = r.optional("pvclock_vcpu_time_info", () -> new PvclockLayout(
                r.intField("pvclock_vcpu_time_info", "version"), r.intField("pvclock_vcpu_time_info", "tsc_timestamp"),
                r.intField("pvclock_vcpu_time_info", "system_time"),
                r.intField("pvclock_vcpu_time_info", "tsc_to_system_mul"),
                r.intField("pvclock_vcpu_time_info", "tsc_shift"), r.intField("pvclock_vcpu_time_info", "flags")));
        Optional<HvTscLayout> hv = r.optional("ms_hyperv_tsc_page", () -> new HvTscLayout(
                r.intField("ms_hyperv_tsc_page", "tsc_sequence"), r.intField("ms_hyperv_tsc_page", "tsc_scale"),
                r.intField("ms_hyperv_tsc_page", "tsc_offset")));
        return new VvarLayout(dataStore ? "vdso_time_data" : "vdso_data", clock, timeData, rng, pvclock, hv,
                Map.copyOf(modes), pages);
    }

    /** The name of the time data's structure: {@code vdso_time_data}, or the older {@code vdso_data}. */
    public String shape() {
        return shape;
    }

    public ClockLayout clock() {
        return clock;
    }

    public TimeDataLayout timeData() {
        return timeData;
    }

    public Optional<RngLayout> rng() {
        return rng;
    }

    public Optional<PvclockLayout> pvclock() {
        return pvclock;
    }

    public Optional<HvTscLayout> hvTsc() {
        return hvTsc;
    }

    public Pages pages() {
        return pages;
    }

    /** The name of a clock mode's value ({@code VDSO_CLOCKMODE_TSC}), or the number where the enum has none. */
    public String clockModeName(long value) {
        String name = clockModes.get(value);
        return name != null ? name : "clock mode " + value;
    }

    /** Whether {@code value} is one of enum vdso_clock_mode's values. */
    public boolean knowsClockMode(long value) {
        return clockModes.containsKey(value);
    }

    /** The value of {@code VDSO_CLOCKMODE_TIMENS}, which marks a time namespace's page. */
    public long timensMode() {
        return clockModes.entrySet().stream().filter(e -> e.getValue().equals(VDSO_CLOCKMODE_TIMENS))
                .mapToLong(Map.Entry::getKey).findFirst().orElseThrow();
    }

    /** Finds members in BTF, collecting what is missing instead of stopping at the first. */
    private static final class Resolver {
        private final Btf btf;
        final List<String> missing = new ArrayList<>();

        Resolver(Btf btf) {
            this.btf = btf;
        }

        private Field require(String struct, String path) {
            Optional<Field> field = btf.field(struct, path);
            if (field.isEmpty()) {
                missing.add("struct " + struct + "'s member " + path);
                return new Field(path, 0, 0, 0);
            }
            return field.get();
        }

        long offset(String struct, String path) {
            return require(struct, path).byteOffset();
        }

        Optional<Long> optionalOffset(String struct, String path) {
            return btf.field(struct, path).map(Field::byteOffset);
        }

        /** The size of a struct or union by name, 0 (and noted) where there is none. */
        long structSize(String struct) {
            Optional<BtfType> type = btf.find(struct, BtfKind.STRUCT);
            if (type.isEmpty()) {
                missing.add("struct " + struct);
                return 0;
            }
            return ((BtfType.Composite) type.get()).size();
        }

        /** The element count of an array member whose elements are {@code elementSize} bytes. */
        int count(String struct, String path, long elementSize) {
            Field field = require(struct, path);
            if (field.typeId() == 0 || elementSize <= 0) {
                return 0;
            }
            if (!(btf.resolve(field.typeId()) instanceof BtfType.Array array)
                    || !(btf.resolve(array.elementType()) instanceof BtfType.Composite element)
                    || element.size() != elementSize) {
                missing.add("struct " + struct + "'s member " + path + " as an array of " + elementSize + "-byte structs");
                return 0;
            }
            return (int) Math.min(array.count(), Integer.MAX_VALUE);
        }

        IntField intField(String struct, String path) {
            Field field = require(struct, path);
            if (field.typeId() == 0) {
                return new IntField(path, 0, 0, false);
            }
            BtfType type = btf.resolve(field.typeId());
            long size = type instanceof BtfType.Int i ? i.size() : type instanceof BtfType.Enum e ? e.size() : 0;
            if (field.isBitfield() || (size != 1 && size != 2 && size != 4 && size != 8)) {
                missing.add("struct " + struct + "'s member " + path + " as an integer of 1, 2, 4 or 8 bytes");
                return new IntField(path, 0, 0, false);
            }
            boolean signed = type instanceof BtfType.Int i ? i.signed() : ((BtfType.Enum) type).signed();
            return new IntField(path, field.byteOffset(), (int) size, signed);
        }

        TimestampLayout timestamp(String struct) {
            return new TimestampLayout(structSize(struct), intField(struct, "sec"), intField(struct, "nsec"));
        }

        ClockLayout clock(String struct) {
            long size = structSize(struct);
            TimestampLayout basetime = timestamp("vdso_timestamp");
            TimestampLayout offsets = timestamp("timens_offset");
            return new ClockLayout(struct, size, intField(struct, "seq"), intField(struct, "clock_mode"),
                    intField(struct, "cycle_last"),
                    btf.field(struct, "max_cycles").map(f -> intField(struct, "max_cycles")),
                    intField(struct, "mask"), intField(struct, "mult"), intField(struct, "shift"),
                    offset(struct, "basetime"), count(struct, "basetime", basetime.size()), basetime,
                    offset(struct, "offset"), offsets);
        }

        Map<String, Long> enumerators(String name) {
            Optional<List<Enumerator>> values = btf.enumerators(name);
            if (values.isEmpty()) {
                missing.add("enum " + name);
                return Map.of();
            }
            Map<String, Long> byName = new LinkedHashMap<>();
            values.get().forEach(e -> byName.put(e.name(), e.value()));
            return byName;
        }

        int enumerator(Map<String, Long> values, String enumName, String name) {
            Long value = values.get(name);
            if (value == null) {
                if (!values.isEmpty()) {
                    missing.add("enum " + enumName + "'s " + name);
                }
                return 0;
            }
            return value.intValue();
        }

        /** A part that some kernels lack (no getrandom, no paravirtual clocks): empty where its struct is. */
        <T> Optional<T> optional(String struct, java.util.function.Supplier<T> layout) {
            if (btf.find(struct, BtfKind.STRUCT).isEmpty()) {
                return Optional.empty();
            }
            int before = missing.size();
            T value = layout.get();
            if (missing.size() > before) {
                missing.subList(before, missing.size()).clear();
                return Optional.empty();
            }
            return Optional.of(value);
        }
    }
}
