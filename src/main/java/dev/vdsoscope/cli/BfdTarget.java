package dev.vdsoscope.cli;

import java.util.List;

import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfHeader;
import dev.vdsoscope.elf.Section;

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

    static final int EM_SPARC = 2, EM_68K = 4, EM_386 = 3, EM_IAMCU = 6, EM_MIPS = 8, EM_PARISC = 15,
            EM_SPARC32PLUS = 18, EM_PPC = 20, EM_PPC64 = 21, EM_S390 = 22, EM_ARM = 40, EM_SH = 42,
            EM_SPARCV9 = 43, EM_IA_64 = 50, EM_X86_64 = 62, EM_M32R = 88, EM_AARCH64 = 183, EM_RISCV = 243,
            EM_ALPHA = 0x9026, EM_CYGNUS_M32R = 0x9041;

    private static final int EF_MIPS_ABI2 = 0x20;
    private static final int EF_SPARC_32PLUS = 0x100;
    private static final int ELFOSABI_HPUX = 1, ELFOSABI_GNU = 3;

    static BfdTarget of(ElfFile elf) {
        ElfHeader h = elf.header();
        BfdTarget specific = specific(h);
        if (specific.arch != Arch.GENERIC && !acceptsSections(specific.arch, (int) h.machine().value(), elf.sections())) {
            return generic(h);
        }
        return specific;
    }

    static BfdTarget generic(ElfHeader h) {
        return new BfdTarget((h.is64() ? "elf64-" : "elf32-") + (h.data().littleEndian() ? "little" : "big"),
                Arch.GENERIC);
    }

    /** The target whose machine, class and byte order match, before any section is looked at. */
    private static BfdTarget specific(ElfHeader h) {
        boolean le = h.data().littleEndian();
        boolean is64 = h.is64();
        long flags = h.flags();
        int osabi = (int) h.osAbi().value();
        String bits = is64 ? "elf64-" : "elf32-";
        int machine = (int) h.machine().value();
        return switch (machine) {
            case EM_X86_64 -> le ? new BfdTarget(bits + "x86-64", Arch.X86_64) : generic(h);
            case EM_386 -> le && !is64 ? new BfdTarget("elf32-i386", Arch.OTHER) : generic(h);
            case EM_IAMCU -> le && !is64 ? new BfdTarget("elf32-iamcu", Arch.OTHER) : generic(h);
            case EM_AARCH64 -> new BfdTarget(bits + (le ? "littleaarch64" : "bigaarch64"), Arch.AARCH64);
            case EM_ARM -> !is64 ? new BfdTarget(le ? "elf32-littlearm" : "elf32-bigarm", Arch.ARM) : generic(h);
            case EM_PPC -> !is64 ? new BfdTarget(le ? "elf32-powerpcle" : "elf32-powerpc", Arch.OTHER) : generic(h);
            case EM_PPC64 -> is64 ? new BfdTarget(le ? "elf64-powerpcle" : "elf64-powerpc", Arch.OTHER) : generic(h);
            case EM_S390 -> !le ? new BfdTarget(bits + "s390", Arch.OTHER) : generic(h);
            case EM_MIPS -> new BfdTarget(bits + (!is64 && (flags & EF_MIPS_ABI2) != 0 ? "n" : "")
                    + (le ? "tradlittlemips" : "tradbigmips"), Arch.MIPS);
            case EM_RISCV -> new BfdTarget(bits + (le ? "littleriscv" : "bigriscv"), Arch.RISCV);
            case EM_SPARC -> !le && !is64 ? new BfdTarget("elf32-sparc", Arch.OTHER) : generic(h);
            case EM_SPARC32PLUS -> !le && !is64 && (flags & EF_SPARC_32PLUS) != 0
                    ? new BfdTarget("elf32-sparc", Arch.OTHER) : generic(h);
            case EM_SPARCV9 -> !le && is64 ? new BfdTarget("elf64-sparc", Arch.SPARC64) : generic(h);
            case EM_IA_64 -> is64 ? new BfdTarget(le ? "elf64-ia64-little" : "elf64-ia64-big", Arch.OTHER) : generic(h);
            case EM_ALPHA -> le && is64 ? new BfdTarget("elf64-alpha", Arch.OTHER) : generic(h);
            case EM_68K -> !le && !is64 ? new BfdTarget("elf32-m68k", Arch.OTHER) : generic(h);
            case EM_SH -> !is64 ? new BfdTarget(le ? "elf32-sh-linux" : "elf32-shbig-linux", Arch.OTHER) : generic(h);
            case EM_M32R, EM_CYGNUS_M32R -> !is64
                    ? new BfdTarget(le ? "elf32-m32rle-linux" : "elf32-m32r-linux", Arch.M32R) : generic(h);
            case EM_PARISC -> !le && !is64 && (osabi == ELFOSABI_GNU || osabi == ELFOSABI_HPUX)
                    ? new BfdTarget(osabi == ELFOSABI_GNU ? "elf32-hppa-linux" : "elf32-hppa", Arch.OTHER)
                    : generic(h);
            // LoongArch and everything else has no back-end in this build.
            default -> generic(h);
        };
    }

    private static final long SHT_LOOS = 0x60000000L, SHT_HIOS = 0x6fffffffL, SHT_LOPROC = 0x70000000L,
            SHT_HIPROC = 0x7fffffffL, SHT_LOUSER = 0x80000000L;
    private static final long SHF_ALLOC = 0x2, SHF_OS_NONCONFORMING = 0x100;

    /**
     * Whether the back-end's section reader (bfd_section_from_shdr and its elf_backend_section_from_shdr
     * hook) takes every section. Most back-ends turn an unknown section type into a plain section; the
     * x86-64, AArch64, ARM, MIPS, IA-64 and Alpha ones refuse the processor-specific types they do not
     * know (and a few others), which makes BFD fall back to the generic target.
     */
    private static boolean acceptsSections(Arch arch, int machine, List<Section> sections) {
        boolean strict = switch (arch) {
            case X86_64, ARM, AARCH64, MIPS -> true;
            case OTHER -> machine == EM_IA_64 || machine == EM_ALPHA;
            default -> false;
        };
        if (!strict) {
            return true;
        }
        for (int i = 1; i < sections.size(); i++) {
            Section s = sections.get(i);
            long type = s.type().value();
            if (knownToBfd(type)) {
                continue;
            }
            if (arch == Arch.MIPS) {
                if (!mipsAccepts(type, s.name())) {
                    return false;
                }
                continue;
            }
            if (type >= SHT_LOPROC && type <= SHT_HIPROC) {
                if (!processorTypeKnown(arch, machine, type)) {
                    return false;
                }
            } else if (type >= SHT_LOUSER) {
                if ((s.flags() & SHF_ALLOC) != 0) {
                    return false;
                }
            } else if (type >= SHT_LOOS && type <= SHT_HIOS) {
                if ((s.flags() & SHF_OS_NONCONFORMING) != 0) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return true;
    }

    /** The section types bfd_section_from_shdr handles itself, for every back-end. */
    private static boolean knownToBfd(long type) {
        return (type >= 0 && type <= 11) || (type >= 14 && type <= 19)
                || type == 0x6ffffff5L // SHT_GNU_ATTRIBUTES
                || type == 0x6ffffff6L // SHT_GNU_HASH
                || type == 0x6ffffff7L // SHT_GNU_LIBLIST
                || type == 0x6ffffffdL || type == 0x6ffffffeL || type == 0x6fffffffL; // verdef, verneed, versym
    }

    /** Processor-specific types a strict back-end knows: unwind tables and attributes sections. */
    private static boolean processorTypeKnown(Arch arch, int machine, long type) {
        return switch (arch) {
            case X86_64 -> type == 0x70000001L; // SHT_X86_64_UNWIND
            case AARCH64 -> type == 0x70000003L; // SHT_AARCH64_ATTRIBUTES
            case ARM -> type >= 0x70000001L && type <= 0x70000003L; // EXIDX, PREEMPTMAP, ATTRIBUTES
            default -> machine == EM_IA_64 && type == 0x70000001L; // SHT_IA_64_UNWIND
        };
    }

    /**
     * The MIPS back-end makes a section of any type, except that each MIPS type it knows must carry
     * that type's section name.
     */
    private static boolean mipsAccepts(long type, String name) {
        return switch ((int) (type - SHT_LOPROC)) {
            case 0x0 -> name.equals(".liblist");
            case 0x1 -> name.equals(".msym");
            case 0x2 -> name.equals(".conflict");
            case 0x3 -> name.startsWith(".gptab.");
            case 0x4 -> name.equals(".ucode");
            case 0x5 -> name.equals(".mdebug");
            case 0x6 -> name.equals(".reginfo");
            case 0xb -> name.equals(".MIPS.interfaces");
            case 0xc -> name.startsWith(".MIPS.content");
            case 0xd -> name.equals(".MIPS.options");
            case 0x1e -> name.startsWith(".debug_") || name.startsWith(".zdebug_");
            case 0x20 -> name.equals(".MIPS.symlib");
            case 0x21 -> name.startsWith(".MIPS.events") || name.startsWith(".MIPS.post_rel");
            case 0x2a -> name.equals(".MIPS.abiflags");
            case 0x2b -> name.equals(".MIPS.xhash");
            default -> true;
        };
    }
}
