package dev.vdsoscope.disasm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.vdsoscope.abi.InstructionSet;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ProgramHeader;
import dev.vdsoscope.elf.SegmentType;
import dev.vdsoscope.elf.SectionIndex;
import dev.vdsoscope.elf.Symbol;
import dev.vdsoscope.elf.SymbolBinding;
import dev.vdsoscope.elf.SymbolTable;
import dev.vdsoscope.elf.SymbolType;
import dev.vdsoscope.elf.SymbolVersions;
import dev.vdsoscope.proc.Mapping;
import dev.vdsoscope.proc.Maps;
import dev.vdsoscope.proc.PseudoMapping;

/**
 * The names objdump -d gives the addresses its listing points at (branch and call targets, and the
 * {@code # address} comment of PC-relative operands): {@code <name>} or {@code <name+0x1c>} from the
 * nearest symbol at or below the address, comparing addresses unsigned (the vDSO's data sits at
 * "negative" addresses below its code). As objdump, it takes the static symbol table when the image
 * has one, else the dynamic one with each name's version ({@code @@LINUX_2.6}); data and absolute
 * symbols count (the vDSO's {@code vvar__vdso_data}, {@code _vdso_data}, {@code pvclock_page});
 * PLT entries are named {@code foo@plt}. An address below every symbol is named from the lowest one
 * with a negative offset, as objdump does; an image without symbols leaves addresses bare.
 *
 * <p>A live image adds the kernel's mappings around it ({@link Region}): an address in one is named
 * {@code <[vvar]+0x80>}, what the process's maps say is there.
 */
public final class AddressNames {
    /** A range of image addresses a mapping of the process covers, named as /proc/PID/maps names it. */
    public record Region(String name, long start, long end) {
        /** Measured from the start: a region just below an image at 0 ends at 0, past the top of the address space. */
        boolean contains(long address) {
            return Long.compareUnsigned(address - start, end - start) < 0;
        }
    }

    /** Address to name, ordered as unsigned numbers. */
    private final TreeMap<Long, String> names;
    /** Relocated GOT slots: the name of each slot's symbol, for that address alone. */
    private final Map<Long, String> slots;
    private final List<Region> regions;

    private AddressNames(TreeMap<Long, String> names, Map<Long, String> slots, List<Region> regions) {
        this.names = names;
        this.slots = slots;
        this.regions = regions;
    }

    private record Candidate(long address, String name, int rank, int order) {}


    /**
     * The names of an image's addresses: its symbols, the PLT entries {@code plt} names (address to
     * {@code foo@plt}), and the GOT slots {@code slots} relocates (address to dynamic symbol index).
     */
    static AddressNames of(ElfFile elf, InstructionSet isa, Map<Long, String> plt, Map<Long, Integer> slots) {
        List<Candidate> candidates = new ArrayList<>();
        Optional<SymbolTable> statics = elf.staticSymbols().filter(t -> t.size() > 1);
        Optional<SymbolTable> dynamic = elf.dynamicSymbols();
        if (statics.isPresent()) {
            collect(statics.get(), null, isa, candidates);
        } else {
            dynamic.ifPresent(t -> collect(t, elf.versions(), isa, candidates));
        }
        plt.forEach((address, name) -> candidates.add(new Candidate(address, name, 0, -1)));
        Map<Long, String> slotNames = new HashMap<>();
        if (dynamic.isPresent()) {
            // A GOT slot bound to another object's symbol is named after it, with its version
            // (__gmon_start__@Base, getenv@GLIBC_2.2.5), as objdump names it: that address only, and
            // only where no symbol of the image is. (Checked by section index first: a C++ library
            // relocates hundreds of thousands of slots against its own symbols.)
            SymbolTable table = dynamic.get();
            Map<Integer, String> undefinedNames = new HashMap<>();
            slots.forEach((slot, index) -> {
                if (table.shndx(index) == SectionIndex.SHN_UNDEF) {
                    slotNames.put(slot, undefinedNames.computeIfAbsent(index,
                            i -> table.get(i).name() + versionSuffix(elf.versions(), i, false)));
                }
            });
        }
        // At one address: functions before other symbols, globals before weak before locals, then table order.
        candidates.sort(Comparator.comparingInt(Candidate::rank).thenComparingInt(Candidate::order));
        TreeMap<Long, String> names = new TreeMap<>(Long::compareUnsigned);
        for (Candidate c : candidates) {
            names.putIfAbsent(c.address(), c.name());
        }
        return new AddressNames(names, slotNames, List.of());
    }

    private static void collect(SymbolTable table, SymbolVersions versions, InstructionSet isa,
            List<Candidate> candidates) {
        for (int i = 1; i < table.size(); i++) {
            Symbol s = table.get(i);
            SymbolType type = s.type();
            if (s.shndx() == SectionIndex.SHN_UNDEF || s.name().isEmpty() || s.name().startsWith("$")
                    || type.equals(SymbolType.STT_SECTION) || type.equals(SymbolType.STT_FILE)) {
                continue;
            }
            long address = isa.isArm32() && type.equals(SymbolType.STT_FUNC) ? s.value() & ~1L : s.value();
            int rank = (type.equals(SymbolType.STT_FUNC) ? 0 : 3) + (s.binding().equals(SymbolBinding.STB_GLOBAL) ? 0
                    : s.binding().equals(SymbolBinding.STB_WEAK) ? 1 : 2);
            String name = versions == null ? s.name() : s.name() + versionSuffix(versions, i, true);
            candidates.add(new Candidate(address, name, rank, i));
        }
    }

    /**
     * A dynamic symbol's version as objdump appends it: {@code @@V} for the default version the file
     * defines, {@code @V} for a hidden one and for a version it needs (a copy-relocated {@code stderr}
     * in a program is {@code stderr@GLIBC_2.2.5}).
     */
    private static String versionSuffix(SymbolVersions versions, int index, boolean defined) {
        return versions.of(index).map(v -> switch (v.kind()) {
            case LOCAL, UNKNOWN -> "";
            case GLOBAL -> v.hidden() || !defined ? "@Base" : "@@Base";
            case DEFINED -> (v.hidden() ? "@" : "@@") + v.name();
            case NEEDED -> "@" + v.name();
        }).orElse("");
    }

    /**
     * The kernel's data mappings around a process's vDSO ({@code [vvar]}, {@code [vvar_vclock]}), as
     * ranges of the image's own addresses: the vDSO reads them at fixed distances from its code, so
     * that a mapping {@code d} bytes below {@code [vdso]} is at {@code d} below the image's first byte.
     */
    public static List<Region> kernelDataAround(ElfFile image, Maps maps) {
        Optional<Mapping> vdso = maps.find(PseudoMapping.VDSO);
        Optional<ProgramHeader> firstLoad = image.segments().stream()
                .filter(p -> p.type().equals(SegmentType.PT_LOAD)).findFirst();
        if (vdso.isEmpty() || firstLoad.isEmpty()) {
            return List.of();
        }
        // The address the image gives its first byte (0 for the vDSOs of today's kernels).
        long imageBase = firstLoad.get().vaddr() - firstLoad.get().offset();
        List<Region> regions = new ArrayList<>();
        for (Mapping m : maps.mappings()) {
            if (m.pseudo() == PseudoMapping.VVAR || m.pseudo() == PseudoMapping.VVAR_VCLOCK) {
                regions.add(new Region(m.path(), m.start() - vdso.get().start() + imageBase,
                        m.end() - vdso.get().start() + imageBase));
            }
        }
        return regions;
    }

    /** The same names, and these regions of a live process's memory around the image. */
    public AddressNames withRegions(List<Region> liveRegions) {
        return new AddressNames(names, slots, List.copyOf(liveRegions));
    }

    /** How objdump names an address: {@code <name+0x10>}; empty when the image has no symbol to name it by. */
    public Optional<String> describe(long address) {
        for (Region r : regions) {
            if (r.contains(address)) {
                return Optional.of("<" + r.name() + "+0x" + Long.toHexString(address - r.start()) + ">");
            }
        }
        Map.Entry<Long, String> at = names.floorEntry(address);
        String slot = slots.get(address);
        if (slot != null && (at == null || at.getKey() != address)) {
            return Optional.of("<" + slot + ">");
        }
        if (at == null) {
            at = names.firstEntry();
            if (at == null) {
                return Optional.empty();
            }
            return Optional.of("<" + at.getValue() + "-0x" + Long.toHexString(at.getKey() - address) + ">");
        }
        long offset = address - at.getKey();
        return Optional.of("<" + at.getValue() + (offset == 0 ? "" : "+0x" + Long.toHexString(offset)) + ">");
    }
}
