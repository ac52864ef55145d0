package dev.vdsoscope.compat;

import static dev.vdsoscope.elf.MachineFlags.EF_MIPS_ABI2;
import static dev.vdsoscope.elf.MachineFlags.EF_SPARC_32PLUS;

import java.util.List;

import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfHeader;
import dev.vdsoscope.elf.Machine;
import dev.vdsoscope.elf.OsAbi;
import dev.vdsoscope.elf.Section;
import dev.vdsoscope.elf.SectionType;

/**
 * The BFD target that GNU objdump 2.40 (Debian's binutils-multiarch build) picks for an ELF file: the
 * name it prints as "file format", and which architecture back-end, if any, then shapes the symbols
 * (their values, sections and flags, and which ones are hidden as special). When a back-end rejects a
 * file, BFD falls back to the generic {@code elfNN-little/big} target and no back-end hook applies.
 * The rules are in docs/OBJDUMP-COMPAT.md; the differential test checks them against the real objdump.
 */
record BfdTarget(String name, Arch arch) {
    /** The back-ends whose hooks change what -T prints; every other one prints like the generic target. */
    enum Arch { GENERIC, X86_64, ARM, AARCH64, MIPS, RISCV, SPARC64, M32R, OTHER }

    /** The target BFD picks for a file whose sections, as BFD made them, are {@code sections}. */
    static BfdTarget of(ElfFile elf, List<Section> sections) {
        ElfHeader h = elf.header();
        BfdTarget specific = specific(h);
        if (specific.arch != Arch.GENERIC && !acceptsSections(specific.arch, h.machine(), sections)) {
            return generic(h);
        }
        return specific;
    }

    static BfdTarget generic(ElfHeader h) {
        return new BfdTarget((h.is64() ? "elf64-" : "elf32-") + (h.data().littleEndian() ? "little" : "big"),
                Arch.GENERIC);
    }

    /**
     * The target whose machine, class and byte order match, before any section is looked at; the
     * generic one where this build has no back-end for the machine (LoongArch among them).
     */
    private static BfdTarget specific(ElfHeader h) {
        boolean le = h.data().littleEndian();
        boolean is64 = h.is64();
        long flags = h.flags();
        OsAbi osabi = h.osAbi();
        String bits = is64 ? "elf64-" : "elf32-";
        Machine m = h.machine();
        if (m.is(Machine.EM_X86_64)) {
            return le ? new BfdTarget(bits + "x86-64", Arch.X86_64) : generic(h);
        } else if (m.is(Machine.EM_386)) {
            return le && !is64 ? new BfdTarget("elf32-i386", Arch.OTHER) : generic(h);
        } else if (m.is(Machine.EM_IAMCU)) {
            return le && !is64 ? new BfdTarget("elf32-iamcu", Arch.OTHER) : generic(h);
        } else if (m.is(Machine.EM_AARCH64)) {
            return new BfdTarget(bits + (le ? "littleaarch64" : "bigaarch64"), Arch.AARCH64);
        } else if (m.is(Machine.EM_ARM)) {
            return !is64 ? new BfdTarget(le ? "elf32-littlearm" : "elf32-bigarm", Arch.ARM) : generic(h);
        } else if (m.is(Machine.EM_PPC)) {
            return !is64 ? new BfdTarget(le ? "elf32-powerpcle" : "elf32-powerpc", Arch.OTHER) : generic(h);
        } else if (m.is(Machine.EM_PPC64)) {
            return is64 ? new BfdTarget(le ? "elf64-powerpcle" : "elf64-powerpc", Arch.OTHER) : generic(h);
        } else if (m.is(Machine.EM_S390)) {
            return !le ? new BfdTarget(bits + "s390", Arch.OTHER) : generic(h);
        } else if (m.is(Machine.EM_MIPS)) {
            return new BfdTarget(bits + (!is64 && (flags & EF_MIPS_ABI2) != 0 ? "n" : "")
                    + (le ? "tradlittlemips" : "tradbigmips"), Arch.MIPS);
        } else if (m.is(Machine.EM_RISCV)) {
            return new BfdTarget(bits + (le ? "littleriscv" : "bigriscv"), Arch.RISCV);
        } else if (m.is(Machine.EM_SPARC)) {
            return !le && !is64 ? new BfdTarget("elf32-sparc", Arch.OTHER) : generic(h);
        } else if (m.is(Machine.EM_SPARC32PLUS)) {
            return !le && !is64 && (flags & EF_SPARC_32PLUS) != 0 ? new BfdTarget("elf32-sparc", Arch.OTHER)
                    : generic(h);
        } else if (m.is(Machine.EM_SPARCV9)) {
            return !le && is64 ? new BfdTarget("elf64-sparc", Arch.SPARC64) : generic(h);
        } else if (m.is(Machine.EM_IA_64)) {
            return is64 ? new BfdTarget(le ? "elf64-ia64-little" : "elf64-ia64-big", Arch.OTHER) : generic(h);
        } else if (m.is(Machine.EM_ALPHA)) {
            return le && is64 ? new BfdTarget("elf64-alpha", Arch.OTHER) : generic(h);
        } else if (m.is(Machine.EM_68K)) {
            return !le && !is64 ? new BfdTarget("elf32-m68k", Arch.OTHER) : generic(h);
        } else if (m.is(Machine.EM_SH)) {
            return !is64 ? new BfdTarget(le ? "elf32-sh-linux" : "elf32-shbig-linux", Arch.OTHER) : generic(h);
        } else if (m.is(Machine.EM_M32R) || m.is(Machine.EM_CYGNUS_M32R)) {
            return !is64 ? new BfdTarget(le ? "elf32-m32rle-linux" : "elf32-m32r-linux", Arch.M32R) : generic(h);
        } else if (m.is(Machine.EM_PARISC)) {
            boolean gnu = osabi.is(OsAbi.ELFOSABI_GNU);
            return !le && !is64 && (gnu || osabi.is(OsAbi.ELFOSABI_HPUX))
                    ? new BfdTarget(gnu ? "elf32-hppa-linux" : "elf32-hppa", Arch.OTHER) : generic(h);
        }
        return generic(h);
    }

    /**
     * Whether the back-end's section reader (bfd_section_from_shdr and its elf_backend_section_from_shdr
     * hook) takes every section. Most back-ends turn an unknown section type into a plain section; the
     * x86-64, AArch64, ARM, MIPS, IA-64 and Alpha ones refuse the processor-specific types they do not
     * know (and a few others), which makes BFD fall back to the generic target.
     */
    private static boolean acceptsSections(Arch arch, Machine machine, List<Section> sections) {
        boolean strict = switch (arch) {
            case X86_64, ARM, AARCH64, MIPS -> true;
            case OTHER -> machine.is(Machine.EM_IA_64) || machine.is(Machine.EM_ALPHA);
            default -> false;
        };
        if (!strict) {
            return true;
        }
        for (int i = 1; i < sections.size(); i++) {
            Section s = sections.get(i);
            SectionType type = s.type();
            if (knownToBfd(type)) {
                continue;
            }
            if (arch == Arch.MIPS) {
                if (!mipsAccepts(type, s.name())) {
                    return false;
                }
                continue;
            }
            long value = type.value();
            if (value >= SectionType.SHT_LOPROC && value <= SectionType.SHT_HIPROC) {
                if (!processorTypeKnown(arch, machine, type)) {
                    return false;
                }
            } else if (value >= SectionType.SHT_LOUSER) {
                if ((s.flags() & Section.SHF_ALLOC) != 0) {
                    return false;
                }
            } else if (value >= SectionType.SHT_LOOS && value <= SectionType.SHT_HIOS) {
                if ((s.flags() & Section.SHF_OS_NONCONFORMING) != 0) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return true;
    }

    /**
     * The section types bfd_section_from_shdr handles itself, for every back-end: SHT_NULL to
     * SHT_DYNSYM, SHT_INIT_ARRAY to SHT_RELR, the GNU attributes, hash and liblist, and the version
     * sections.
     */
    private static boolean knownToBfd(SectionType type) {
        long value = type.value();
        return (value >= SectionType.SHT_NULL.value() && value <= SectionType.SHT_DYNSYM.value())
                || (value >= SectionType.SHT_INIT_ARRAY.value() && value <= SectionType.SHT_RELR.value())
                || type.is(SectionType.SHT_GNU_ATTRIBUTES) || type.is(SectionType.SHT_GNU_HASH)
                || type.is(SectionType.SHT_GNU_LIBLIST) || type.is(SectionType.SHT_GNU_verdef)
                || type.is(SectionType.SHT_GNU_verneed) || type.is(SectionType.SHT_GNU_versym);
    }

    /** Processor-specific types a strict back-end knows: unwind tables and attributes sections. */
    private static boolean processorTypeKnown(Arch arch, Machine machine, SectionType type) {
        return switch (arch) {
            case X86_64 -> type.is(SectionType.X86_64.SHT_X86_64_UNWIND);
            case AARCH64 -> type.is(SectionType.Aarch64.SHT_AARCH64_ATTRIBUTES);
            case ARM -> type.is(SectionType.Arm.SHT_ARM_EXIDX) || type.is(SectionType.Arm.SHT_ARM_PREEMPTMAP)
                    || type.is(SectionType.Arm.SHT_ARM_ATTRIBUTES);
            default -> machine.is(Machine.EM_IA_64) && type.is(SectionType.Ia64.SHT_IA_64_UNWIND);
        };
    }

    /**
     * The MIPS back-end makes a section of any type, except that each MIPS type it knows must carry
     * that type's section name.
     */
    private static boolean mipsAccepts(SectionType type, String name) {
        if (type.is(SectionType.Mips.SHT_MIPS_LIBLIST)) {
            return name.equals(".liblist");
        } else if (type.is(SectionType.Mips.SHT_MIPS_MSYM)) {
            return name.equals(".msym");
        } else if (type.is(SectionType.Mips.SHT_MIPS_CONFLICT)) {
            return name.equals(".conflict");
        } else if (type.is(SectionType.Mips.SHT_MIPS_GPTAB)) {
            return name.startsWith(".gptab.");
        } else if (type.is(SectionType.Mips.SHT_MIPS_UCODE)) {
            return name.equals(".ucode");
        } else if (type.is(SectionType.Mips.SHT_MIPS_DEBUG)) {
            return name.equals(".mdebug");
        } else if (type.is(SectionType.Mips.SHT_MIPS_REGINFO)) {
            return name.equals(".reginfo");
        } else if (type.is(SectionType.Mips.SHT_MIPS_IFACE)) {
            return name.equals(".MIPS.interfaces");
        } else if (type.is(SectionType.Mips.SHT_MIPS_CONTENT)) {
            return name.startsWith(".MIPS.content");
        } else if (type.is(SectionType.Mips.SHT_MIPS_OPTIONS)) {
            return name.equals(".MIPS.options");
        } else if (type.is(SectionType.Mips.SHT_MIPS_DWARF)) {
            return name.startsWith(".debug_") || name.startsWith(".zdebug_");
        } else if (type.is(SectionType.Mips.SHT_MIPS_SYMBOL_LIB)) {
            return name.equals(".MIPS.symlib");
        } else if (type.is(SectionType.Mips.SHT_MIPS_EVENTS)) {
            return name.startsWith(".MIPS.events") || name.startsWith(".MIPS.post_rel");
        } else if (type.is(SectionType.Mips.SHT_MIPS_ABIFLAGS)) {
            return name.equals(".MIPS.abiflags");
        } else if (type.is(SectionType.Mips.SHT_MIPS_XHASH)) {
            return name.equals(".MIPS.xhash");
        }
        return true;
    }
}
