package dev.vdsoscope.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfHeader;
import dev.vdsoscope.elf.Machine;
import dev.vdsoscope.elf.Section;
import dev.vdsoscope.elf.SectionIndex;
import dev.vdsoscope.elf.Symbol;
import dev.vdsoscope.elf.SymbolBinding;
import dev.vdsoscope.elf.SymbolTable;
import dev.vdsoscope.elf.SymbolType;
import dev.vdsoscope.elf.SymbolVersions;

/**
 * Prints a file's dynamic symbols byte for byte as GNU objdump 2.40 {@code -T} does (BFD's
 * bfd_elf_print_symbol), so that a user can diff the two. The rules are documented in
 * docs/OBJDUMP-COMPAT.md; the differential test runs the real objdump as the oracle.
 */
final class ObjdumpSymbols {
    private final PrintStream out;
    private final StringBuilder line = new StringBuilder(256);

    ObjdumpSymbols(PrintStream out) {
        this.out = out;
    }

    void print(String file, ElfFile elf, boolean withStatic) {
        out.print("\n" + file + ":     file format " + bfdTarget(elf.header()) + "\n\n");
        if (withStatic) {
            printTable(elf, elf.staticSymbols(), "SYMBOL TABLE:", false);
        }
        printTable(elf, elf.dynamicSymbols(), "DYNAMIC SYMBOL TABLE:", true);
    }

    private void printTable(ElfFile elf, Optional<SymbolTable> table, String title, boolean dynamic) {
        out.print(title + "\n");
        if (table.isEmpty() || table.get().size() <= 1) {
            out.print("no symbols\n");
        } else {
            SymbolTable symbols = table.get();
            int width = elf.header().is64() ? 16 : 8;
            boolean versioned = dynamic && elf.versions().fromSections()
                    && (elf.versions().hasDefinitionTable() || elf.versions().hasRequirementTable());
            for (int i = 1; i < symbols.size(); i++) {
                line.setLength(0);
                appendSymbol(elf, symbols.get(i), width, dynamic, versioned);
                line.append('\n');
                out.append(line);
            }
        }
        out.print("\n\n");
    }

    private void appendSymbol(ElfFile elf, Symbol s, int width, boolean dynamic, boolean versioned) {
        String section = section(elf, s);
        boolean common = s.shndx() == SectionIndex.SHN_COMMON;
        Hex.append(line, displayValue(elf, s), width);
        flags(elf, s, dynamic);
        line.append(' ').append(section).append('\t');
        Hex.append(line, common ? s.value() : s.size(), width);
        if (versioned) {
            version(elf, s);
        }
        switch (s.other()) {
            case 0 -> { }
            case 1 -> line.append(" .internal");
            case 2 -> line.append(" .hidden");
            case 3 -> line.append(" .protected");
            default -> {
                line.append(" 0x");
                Hex.append(line, s.other(), 2);
            }
        }
        line.append(' ').append(s.type().equals(SymbolType.STT_SECTION) && s.name().isEmpty() ? section : s.name());
    }

    /**
     * BFD's ARM backend (elf32_arm_swap_symbol_in) clears the Thumb bit of function addresses as it
     * reads them, and shows STT_ARM_TFUNC as a function.
     */
    private static long displayValue(ElfFile elf, Symbol s) {
        if (elf.machine().equals(Machine.EM_ARM) && isFunction(elf, s)) {
            return s.value() & ~1L;
        }
        return s.value();
    }

    private static boolean isFunction(ElfFile elf, Symbol s) {
        return s.type().equals(SymbolType.STT_FUNC) || s.type().equals(SymbolType.STT_GNU_IFUNC)
                || (elf.machine().equals(Machine.EM_ARM) && s.type().value() == STT_ARM_TFUNC);
    }

    /** ARM's processor-specific "Thumb function" symbol type (STT_LOPROC + 2). */
    private static final int STT_ARM_TFUNC = 13;

    /** The seven flag columns of bfd_print_symbol_vandf, from the flags elf_slurp_symbol_table sets. */
    private void flags(ElfFile elf, Symbol s, boolean dynamic) {
        boolean armThumb = elf.machine().equals(Machine.EM_ARM) && s.type().value() == STT_ARM_TFUNC;
        SymbolBinding bind = s.binding();
        SymbolType type = s.type();
        boolean local = bind.equals(SymbolBinding.STB_LOCAL);
        boolean global = bind.equals(SymbolBinding.STB_GLOBAL) && s.shndx() != SectionIndex.SHN_UNDEF
                && s.shndx() != SectionIndex.SHN_COMMON;
        boolean unique = bind.equals(SymbolBinding.STB_GNU_UNIQUE);
        boolean debugging = type.equals(SymbolType.STT_SECTION) || type.equals(SymbolType.STT_FILE);
        line.append(' ');
        line.append(local ? (global ? '!' : 'l') : global ? 'g' : unique ? 'u' : ' ');
        line.append(bind.equals(SymbolBinding.STB_WEAK) ? 'w' : ' ');
        line.append(' ');
        line.append(' ');
        line.append(type.equals(SymbolType.STT_GNU_IFUNC) ? 'i' : ' ');
        line.append(debugging ? 'd' : dynamic ? 'D' : ' ');
        line.append(type.equals(SymbolType.STT_FUNC) || armThumb ? 'F' : type.equals(SymbolType.STT_FILE) ? 'f'
                : type.equals(SymbolType.STT_OBJECT) || type.equals(SymbolType.STT_COMMON) ? 'O' : ' ');
    }

    /** _bfd_elf_get_symbol_version_string with base_p true, and its padding in bfd_elf_print_symbol. */
    private void version(ElfFile elf, Symbol s) {
        SymbolVersions versions = elf.versions();
        int raw = versions.versym(s.index());
        if (raw < 0) {
            return;
        }
        boolean hidden = (raw & SymbolVersions.VERSYM_HIDDEN) != 0;
        int index = raw & SymbolVersions.VERSYM_VERSION;
        String name;
        List<SymbolVersions.Definition> definitions = versions.definitions();
        int defined = 0;
        for (SymbolVersions.Definition d : definitions) {
            defined = Math.max(defined, d.index());
        }
        if (index == 0) {
            name = "";
        } else if (index == 1 && (index > defined || definitions.getFirst().isBase())) {
            name = "Base";
        } else if (index <= defined) {
            Optional<SymbolVersions.Definition> d = versions.definition(index);
            if (d.isEmpty()) {
                return;
            }
            name = d.get().name();
        } else {
            name = "<corrupt>";
            for (SymbolVersions.Requirement r : versions.requirements()) {
                for (SymbolVersions.Needed n : r.versions()) {
                    if (n.index() == index) {
                        hidden = true;
                        name = n.name();
                    }
                }
            }
        }
        if (!hidden) {
            line.append("  ").append(name);
            for (int i = name.length(); i < 11; i++) {
                line.append(' ');
            }
        } else {
            line.append(" (").append(name).append(')');
            for (int i = 10 - name.length(); i > 0; i--) {
                line.append(' ');
            }
        }
    }

    private static String section(ElfFile elf, Symbol s) {
        int shndx = s.shndx();
        if (shndx == SectionIndex.SHN_UNDEF) {
            return "*UND*";
        }
        if (shndx == SectionIndex.SHN_ABS) {
            return "*ABS*";
        }
        if (shndx == SectionIndex.SHN_COMMON) {
            return "*COM*";
        }
        List<Section> sections = elf.sections();
        if (shndx < sections.size() && shndx > 0) {
            return sections.get(shndx).name();
        }
        return "*ABS*";
    }

    /** BFD's target name, which objdump prints as the "file format". */
    static String bfdTarget(ElfHeader h) {
        boolean le = h.data().littleEndian();
        boolean is64 = h.is64();
        Machine m = h.machine();
        String bits = is64 ? "elf64-" : "elf32-";
        return switch ((int) m.value()) {
            case 62 -> is64 ? "elf64-x86-64" : "elf32-x86-64";
            case 3 -> "elf32-i386";
            case 6 -> "elf32-iamcu";
            case 183 -> bits + (le ? "littleaarch64" : "bigaarch64");
            case 40 -> le ? "elf32-littlearm" : "elf32-bigarm";
            case 20 -> le ? "elf32-powerpcle" : "elf32-powerpc";
            case 21 -> le ? "elf64-powerpcle" : "elf64-powerpc";
            case 22 -> bits + "s390";
            case 8, 10 -> bits + (le ? "tradlittlemips" : "tradbigmips");
            case 243 -> bits + (le ? "littleriscv" : "bigriscv");
            case 258 -> bits + "loongarch";
            case 2, 18 -> "elf32-sparc";
            case 43 -> "elf64-sparc";
            default -> bits + (le ? "little" : "big");
        };
    }
}
