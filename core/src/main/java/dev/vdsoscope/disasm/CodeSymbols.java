package dev.vdsoscope.disasm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.vdsoscope.abi.InstructionSet;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.SectionIndex;
import dev.vdsoscope.elf.Symbol;
import dev.vdsoscope.elf.SymbolBinding;
import dev.vdsoscope.elf.SymbolTable;
import dev.vdsoscope.elf.SymbolType;

/**
 * The code symbols of an image, merged from .dynsym and .symtab: function boundaries, the names to
 * print branch targets with, and the ARM/AArch64 mapping symbols ($a, $t, $x, $d) that say where
 * code switches between ARM, Thumb and literal data.
 */
public final class CodeSymbols {
    /** Every name bound to one code address; {@code exported} when one of them is in .dynsym. */
    public record Function(long address, long size, List<String> names, boolean exported, boolean thumb) {
        /** The name to show: a global .dynsym name first (what objdump shows), else the first. */
        public String name() {
            return names.getFirst();
        }

        public long end() {
            return address + size;
        }
    }

    /** What the bytes from a mapping symbol on are. */
    public enum Mapping { ARM, THUMB, DATA, CODE }

    private final NavigableMap<Long, Function> functions;
    private final NavigableMap<Long, Mapping> mappings;

    private final NavigableSet<Long> boundaries;

    private CodeSymbols(NavigableMap<Long, Function> functions, NavigableMap<Long, Mapping> mappings) {
        this.functions = functions;
        this.mappings = mappings;
        TreeSet<Long> all = new TreeSet<>(functions.keySet());
        all.addAll(mappings.keySet());
        this.boundaries = Collections.unmodifiableNavigableSet(all);
    }

    private record Candidate(long address, long size, String name, int rank, boolean exported, boolean thumb) {
        /** Whether it is an STT_FUNC symbol (ranked before the STT_NOTYPE ones). */
        boolean function() {
            return rank < FUNCTION_RANKS;
        }
    }

    /** Ranks below this are STT_FUNC symbols, by binding; STT_NOTYPE ones come after. */
    private static final int FUNCTION_RANKS = 4;

    /**
     * The code symbols of an image whose code is {@code isa}: ARM code has the Thumb bit in its
     * function addresses and ARM's mapping symbols, AArch64 code its own ({@link InstructionSet#mappingSymbolLetters}).
     */
    public static CodeSymbols of(ElfFile elf, InstructionSet isa) {
        List<Candidate> candidates = new ArrayList<>();
        NavigableMap<Long, Mapping> mappings = new TreeMap<>();
        elf.dynamicSymbols().ifPresent(t -> collect(t, true, isa, candidates, mappings));
        elf.staticSymbols().ifPresent(t -> collect(t, false, isa, candidates, mappings));
        candidates.sort(Comparator.comparingLong(Candidate::address).thenComparingInt(Candidate::rank)
                .thenComparing(Candidate::name));
        NavigableMap<Long, Function> functions = new TreeMap<>();
        for (Candidate c : candidates) {
            Function f = functions.get(c.address());
            if (f == null) {
                functions.put(c.address(), new Function(c.address(), c.size(), new ArrayList<>(List.of(c.name())),
                        c.exported(), c.thumb()));
            } else {
                if (!f.names().contains(c.name())) {
                    f.names().add(c.name());
                }
                functions.put(c.address(), new Function(f.address(), Math.max(f.size(), c.size()), f.names(),
                        f.exported() || c.exported(), f.thumb() || c.thumb()));
            }
        }
        functions.replaceAll((a, f) -> new Function(f.address(), f.size(), List.copyOf(f.names()), f.exported(),
                f.thumb()));
        if (!isa.mappingSymbolLetters().isEmpty()) {
            // As objdump (get_sym_code_type in arm-dis.c and aarch64-dis.c): a function symbol is a
            // mapping symbol too, code from there on (ARM or Thumb by its low bit) whatever came before;
            // a real mapping symbol at the same address says more.
            for (Candidate c : candidates) {
                if (c.function()) {
                    mappings.putIfAbsent(c.address(), c.thumb() ? Mapping.THUMB : isa.isArm32() ? Mapping.ARM
                            : Mapping.CODE);
                }
            }
        }
        return new CodeSymbols(functions, mappings);
    }

    private static void collect(SymbolTable table, boolean dynamic, InstructionSet isa, List<Candidate> candidates,
            Map<Long, Mapping> mappings) {
        boolean arm = isa.isArm32();
        for (int i = 1; i < table.size(); i++) {
            Symbol s = table.get(i);
            if (s.shndx() == SectionIndex.SHN_UNDEF || s.shndx() == SectionIndex.SHN_ABS
                    || s.shndx() >= SectionIndex.SHN_LORESERVE) {
                continue;
            }
            String name = s.name();
            if (name.startsWith("$")) {
                char letter = name.length() > 1 ? name.charAt(1) : ' ';
                Mapping kind = isa.mappingSymbolLetters().indexOf(letter) < 0 ? null : switch (letter) {
                    case 'a' -> Mapping.ARM;
                    case 't' -> Mapping.THUMB;
                    case 'd' -> Mapping.DATA;
                    case 'x' -> Mapping.CODE;
                    default -> null;
                };
                if (kind != null) {
                    mappings.put(s.value(), kind);
                }
                continue;
            }
            boolean function = s.type().equals(SymbolType.STT_FUNC);
            if (!function && !(s.type().equals(SymbolType.STT_NOTYPE) && !name.isEmpty())) {
                continue;
            }
            boolean thumb = arm && (s.value() & 1) == 1;
            long address = arm ? s.value() & ~1L : s.value();
            int rank = (function ? 0 : FUNCTION_RANKS) + (s.binding().equals(SymbolBinding.STB_GLOBAL) ? 0
                    : s.binding().equals(SymbolBinding.STB_WEAK) ? 1 : 2);
            candidates.add(new Candidate(address, s.size(), name, rank, dynamic, thumb));
        }
    }

    /** The functions in address order (aliases merged). */
    public List<Function> functions() {
        return List.copyOf(functions.values());
    }

    public Optional<Function> named(String name) {
        return functions.values().stream().filter(f -> f.names().contains(name)).findFirst();
    }

    public Optional<Function> at(long address) {
        return Optional.ofNullable(functions.get(address));
    }

    /** The function whose bytes hold this address. */
    public Optional<Function> containing(long address) {
        Map.Entry<Long, Function> e = functions.floorEntry(address);
        if (e == null) {
            return Optional.empty();
        }
        Function f = e.getValue();
        return address < f.end() || f.size() == 0 && address == f.address() ? Optional.of(f) : Optional.empty();
    }

    /** A target as objdump shows it: {@code <name>} or {@code <name+0x1c>}; empty when no symbol precedes it. */
    public Optional<String> describe(long target) {
        Map.Entry<Long, Function> e = functions.floorEntry(target);
        if (e == null) {
            return Optional.empty();
        }
        long offset = target - e.getKey();
        return Optional.of("<" + e.getValue().name() + (offset == 0 ? "" : "+0x" + Long.toHexString(offset)) + ">");
    }

    /** The mapping symbols, address to kind; empty when the image has none (stripped, or not ARM). */
    public NavigableMap<Long, Mapping> mappings() {
        return mappings;
    }

    /** Addresses where a listing restarts decoding: function starts and mapping symbols. */
    public NavigableSet<Long> boundaries() {
        return boundaries;
    }
}
