package dev.vdsoscope.disasm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

import dev.vdsoscope.abi.InstructionSet;
import dev.vdsoscope.abi.RelocationTypes;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.Section;
import dev.vdsoscope.elf.SectionType;
import dev.vdsoscope.elf.SymbolTable;

/**
 * The PLT entries of an x86-64 (or x32) image, each named after the symbol whose GOT slot it jumps
 * through, as objdump names them {@code foo@plt}: every {@code jmp *slot(%rip)} in {@code .plt},
 * {@code .plt.sec} and {@code .plt.got} is matched with the dynamic relocation of that slot
 * ({@code R_X86_64_JUMP_SLOT} in {@code .rela.plt}, {@code R_X86_64_GLOB_DAT} in {@code .rela.dyn}).
 * Read from the code rather than from fixed entry sizes, it serves the lazy PLT, the IBT PLT (whose
 * entries start at an {@code endbr64}) and the GOT PLT alike.
 */
final class PltEntries {
    private static final List<String> PLT_SECTIONS = List.of(".plt", ".plt.sec", ".plt.got");
    /** Elf64_Rela: r_offset, r_info (symbol index in the high 32 bits), r_addend. */
    private static final int ELF64_RELA_SIZE = 24;
    /** Elf32_Rela (x32): r_offset, r_info (symbol index above the low 8 bits), r_addend. */
    private static final int ELF32_RELA_SIZE = 12;

    private PltEntries() {}

    /**
     * Entry address to the name of its symbol; empty for other instruction sets or without PLT.
     * {@code slots}: {@link #relocatedSlots}.
     */
    static Map<Long, String> of(ElfFile elf, ImageDisassembler d, Map<Long, Integer> slots)
            throws CapstoneUnavailableException {
        Map<Long, String> entries = new TreeMap<>();
        if (d.isa() != InstructionSet.X86_64 || !d.fullyDecoded()) {
            return entries;
        }
        SymbolTable symbols = elf.dynamicSymbols().orElse(null);
        if (slots.isEmpty() || symbols == null) {
            return entries;
        }
        for (Section s : elf.sections()) {
            if (!PLT_SECTIONS.contains(s.name()) || (s.flags() & Section.SHF_EXECINSTR) == 0 || !s.hasFileBytes()) {
                continue;
            }
            Instruction previous = null;
            for (Instruction insn : d.decode(d.isa(), elf.contents(s), s.addr())) {
                OptionalLong slot = insn.mnemonic().contains("jmp") && insn.operands().startsWith("*")
                        ? d.pcRelativeTarget(insn) : OptionalLong.empty();
                if (slot.isPresent() && slots.containsKey(slot.getAsLong())) {
                    boolean startsAtEndbr = previous != null && previous.mnemonic().equals("endbr64")
                            && previous.address() + previous.length() == insn.address();
                    entries.put(startsAtEndbr ? previous.address() : insn.address(),
                            symbols.get(slots.get(slot.getAsLong())).name());
                }
                previous = insn;
            }
        }
        return entries;
    }

    /**
     * GOT slot to the index of its dynamic symbol: the R_X86_64_GLOB_DAT and R_X86_64_JUMP_SLOT
     * relocations (x32 numbers them alike) of every RELA section against the dynamic symbols. The
     * rest (a C++ library has hundreds of thousands of R_X86_64_64 and RELATIVE ones) fill no GOT slot.
     */
    static Map<Long, Integer> relocatedSlots(ElfFile elf, InstructionSet isa) {
        Map<Long, Integer> slots = new HashMap<>();
        SymbolTable symbols = elf.dynamicSymbols().orElse(null);
        if (symbols == null || isa != InstructionSet.X86_64) {
            return slots;
        }
        boolean is64 = elf.header().is64();
        int entrySize = is64 ? ELF64_RELA_SIZE : ELF32_RELA_SIZE;
        ValueLayout.OfLong word64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(elf.byteOrder());
        ValueLayout.OfInt word32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(elf.byteOrder());
        for (Section s : elf.sections()) {
            if (!s.type().equals(SectionType.SHT_RELA) || s.link() != symbols.sectionIndex() || !s.hasFileBytes()) {
                continue;
            }
            MemorySegment table = elf.contents(s);
            for (long at = 0; at + entrySize <= table.byteSize(); at += entrySize) {
                long offset = is64 ? table.get(word64, at) : Integer.toUnsignedLong(table.get(word32, at));
                long info = is64 ? table.get(word64, at + 8) : Integer.toUnsignedLong(table.get(word32, at + 4));
                long symbol = is64 ? info >>> 32 : info >>> 8;
                int type = (int) (is64 ? info & 0xffffffffL : info & 0xff);
                boolean gotSlot = type == RelocationTypes.X86_64.R_X86_64_GLOB_DAT.value
                        || type == RelocationTypes.X86_64.R_X86_64_JUMP_SLOT.value;
                if (gotSlot && symbol > 0 && symbol < symbols.size()) {
                    slots.putIfAbsent(offset, (int) symbol);
                }
            }
        }
        return slots;
    }
}
