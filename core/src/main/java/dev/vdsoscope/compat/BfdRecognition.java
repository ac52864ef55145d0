package dev.vdsoscope.compat;

import java.util.Optional;

import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfHeader;
import dev.vdsoscope.elf.ElfInput;
import dev.vdsoscope.elf.ElfType;
import dev.vdsoscope.elf.Machine;
import dev.vdsoscope.elf.Section;
import dev.vdsoscope.elf.SectionIndex;
import dev.vdsoscope.elf.SectionType;
import dev.vdsoscope.elf.SegmentType;
import dev.vdsoscope.elf.raw.RawLayouts;
import dev.vdsoscope.elf.raw.Shdr;

/**
 * Whether BFD 2.40 recognizes a file as an ELF object or core file, and whether it then has
 * sections at all: the checks of {@code elf_object_p} (bfd/elfcode.h), of {@code elf_core_file_p}
 * (bfd/elfcore.h) and the failures of {@code bfd_section_from_shdr} and
 * {@code _bfd_elf_make_section_from_shdr} (bfd/elf.c) that end in "file format not recognized",
 * made on the raw header fields as BFD reads them. docs/OBJDUMP-COMPAT.md lists each rule with
 * its place in those sources.
 *
 * <p>The back-ends' own section-type rules are {@link BfdTarget}'s; a file this class accepts may
 * still be read by the generic target.
 */
final class BfdRecognition {
    /** bfd_set_section_alignment refuses an alignment power of 63 or more (bfd/section.c). */
    private static final int MAX_ALIGNMENT_POWER = 62;
    private static final int SIZEOF_VERSYM = 2;

    /**
     * What BFD made of a file: refused ({@code rejection} says why), or recognized, with its
     * sections processed or, when {@code e_shstrndx} is 0 or names no string table, with none
     * (then BFD has no .dynsym either).
     */
    record Verdict(Optional<String> rejection, boolean hasSections) {
        static Verdict rejected(String why) {
            return new Verdict(Optional.of(why), false);
        }
    }

    private BfdRecognition() {}

    static Verdict of(ElfFile elf) {
        ElfHeader h = elf.header();
        return h.type().is(ElfType.ET_CORE) ? core(elf, h) : object(elf, h);
    }

    /** elf_core_file_p: EI_VERSION is not checked; the program headers must all be there. */
    private static Verdict core(ElfFile elf, ElfHeader h) {
        int phentsize = h.is64() ? RawLayouts.ELF64_PHDR.size() : RawLayouts.ELF32_PHDR.size();
        long fileSize = elf.input().size();
        if (h.phoff() == 0) {
            return Verdict.rejected("a core file without program headers");
        }
        if (h.phentsize() != phentsize) {
            return Verdict.rejected("program header size " + h.phentsize() + " is not " + phentsize);
        }
        if (!fits(h.phoff(), h.phnum(), phentsize, fileSize)) {
            return Verdict.rejected("the program header table extends past the end of the file");
        }
        for (var segment : elf.segments()) {
            // bfd_section_from_phdr reads every PT_NOTE of a core file (elf_read_notes).
            if (segment.type().is(SegmentType.PT_NOTE) && segment.filesz() != 0
                    && !fits(segment.offset(), 1, segment.filesz(), fileSize)) {
                return Verdict.rejected("a PT_NOTE segment extends past the end of the file");
            }
        }
        return new Verdict(Optional.empty(), false);
    }

    private static Verdict object(ElfFile elf, ElfHeader h) {
        ElfInput in = elf.input();
        long fileSize = in.size();
        int ehsize = h.is64() ? RawLayouts.ELF64_EHDR.size() : RawLayouts.ELF32_EHDR.size();
        Shdr sh = h.is64() ? RawLayouts.ELF64_SHDR : RawLayouts.ELF32_SHDR;
        int shentsize = sh.size();
        int phentsize = h.is64() ? RawLayouts.ELF64_PHDR.size() : RawLayouts.ELF32_PHDR.size();
        if (h.identVersion() != 1) {
            return Verdict.rejected("ELF identification version " + h.identVersion() + " is not 1");
        }
        if (h.shoff() < ehsize && h.type().is(ElfType.ET_REL)) {
            return Verdict.rejected("a relocatable file without section headers");
        }
        if (h.eShnum() != 0 && h.shentsize() != shentsize) {
            return Verdict.rejected("section header size " + h.shentsize() + " is not " + shentsize);
        }
        if (h.eShnum() != 0 && h.shoff() < ehsize) {
            return Verdict.rejected("section headers at offset " + h.shoff() + " overlap the ELF header");
        }
        long shnum = h.eShnum();
        long shstrndx = h.eShstrndx();
        long phnum = h.ePhnum();
        if (h.shoff() >= ehsize) {
            if (!fits(h.shoff(), 1, shentsize, fileSize)) {
                return Verdict.rejected("section header 0 is past the end of the file");
            }
            long size0 = in.field(h.shoff(), sh.sh_size);
            if (shnum == 0) {
                shnum = size0;
                if (shnum >= SectionIndex.SHN_LORESERVE || shnum == 0) {
                    return Verdict.rejected("e_shnum is 0 and section header 0 gives " + size0 + " sections");
                }
            }
            if (shstrndx == SectionIndex.SHN_XINDEX) {
                shstrndx = in.field(h.shoff(), sh.sh_link);
            }
            long info0 = in.field(h.shoff(), sh.sh_info);
            if (phnum == SectionIndex.PN_XNUM && info0 != 0) {
                phnum = info0;
            }
            if (!fits(h.shoff(), shnum, shentsize, fileSize)) {
                return Verdict.rejected("the section header table extends past the end of the file");
            }
        }
        boolean hasSections = shnum != 0;
        if (shnum != 0) {
            boolean solarisLinks = isSolarisLinkMachine(h.machine());
            for (int i = 1; i < shnum; i++) {
                long at = h.shoff() + (long) i * shentsize;
                long link = in.field(at, sh.sh_link);
                if (link >= shnum && !(solarisLinks && (link == SHN_BEFORE || link == SHN_AFTER))) {
                    return Verdict.rejected("section " + i + " links to section " + link + ", past the last");
                }
                long type = in.field(at, sh.sh_type);
                boolean infoLink = (in.field(at, sh.sh_flags) & Section.SHF_INFO_LINK) != 0
                        || type == SectionType.SHT_REL.value() || type == SectionType.SHT_RELA.value();
                if (infoLink && in.field(at, sh.sh_info) >= shnum) {
                    return Verdict.rejected("section " + i + " has sh_info " + in.field(at, sh.sh_info)
                            + ", past the last section");
                }
            }
            if (shstrndx >= shnum || in.field(h.shoff() + shstrndx * shentsize, sh.sh_type)
                    != SectionType.SHT_STRTAB.value()) {
                // PR 2257: BFD goes on without section names, and so without sections.
                hasSections = false;
            }
        } else if (shstrndx != SectionIndex.SHN_UNDEF) {
            return Verdict.rejected("no section headers, but e_shstrndx is " + shstrndx);
        }
        if (phnum != 0) {
            if (phnum > fileSize / phentsize) {
                return Verdict.rejected(phnum + " program headers cannot fit in the file");
            }
            if (!fits(h.phoff(), phnum, phentsize, fileSize)) {
                return Verdict.rejected("the program header table extends past the end of the file");
            }
        }
        if (!hasSections || h.shoff() < ehsize) {
            return new Verdict(Optional.empty(), false);
        }
        Optional<String> failure = sectionFailure(in, h, sh, shnum, shstrndx);
        return failure.map(Verdict::rejected).orElse(new Verdict(Optional.empty(), true));
    }

    /** The first section bfd_section_from_shdr fails on, and why. */
    private static Optional<String> sectionFailure(ElfInput in, ElfHeader h, Shdr sh, long shnum, long shstrndx) {
        long fileSize = in.size();
        int shentsize = sh.size();
        int symentsize = h.is64() ? RawLayouts.ELF64_SYM.size() : RawLayouts.ELF32_SYM.size();
        long namesAt = h.shoff() + shstrndx * shentsize;
        long namesOffset = in.field(namesAt, sh.sh_offset);
        long namesSize = in.field(namesAt, sh.sh_size);
        // bfd_elf_get_str_section: an empty or unreadable name table reads as a table of size 0.
        boolean namesReadable = namesSize > 0 && fits(namesOffset, 1, namesSize, fileSize);
        for (int i = 1; i < shnum; i++) {
            long at = h.shoff() + (long) i * shentsize;
            long name = in.field(at, sh.sh_name);
            if (name != 0 && (!namesReadable || name >= namesSize)) {
                return Optional.of("the name of section " + i + " is outside the section name table");
            }
            long type = in.field(at, sh.sh_type);
            long entsize = in.field(at, sh.sh_entsize);
            long size = in.field(at, sh.sh_size);
            if (type == SectionType.SHT_NULL.value() || type == SectionType.SHT_SHLIB.value()
                    || type == SectionType.SHT_SYMTAB_SHNDX.value()) {
                continue;
            }
            if (type == SectionType.SHT_SYMTAB.value() || type == SectionType.SHT_DYNSYM.value()) {
                if (entsize != symentsize) {
                    return Optional.of("section " + i + " has symbol entry size " + entsize + ", not " + symentsize);
                }
                if (size != 0 && Long.compareUnsigned(in.field(at, sh.sh_info) * entsize, size) > 0) {
                    return Optional.of("section " + i + " has sh_info " + in.field(at, sh.sh_info)
                            + ", past its " + size / entsize + " symbols");
                }
            }
            // An SHT_RELR entry is one address word (bed->s->arch_size / 8).
            long relocationSize = type == SectionType.SHT_REL.value()
                    ? (h.is64() ? RawLayouts.ELF64_REL : RawLayouts.ELF32_REL).size()
                    : type == SectionType.SHT_RELA.value()
                    ? (h.is64() ? RawLayouts.ELF64_RELA : RawLayouts.ELF32_RELA).size()
                    : type == SectionType.SHT_RELR.value() ? (h.is64() ? Long.BYTES : Integer.BYTES) : -1;
            if (relocationSize >= 0 && entsize != relocationSize) {
                return Optional.of("relocation section " + i + " has entry size " + entsize + ", not " + relocationSize);
            }
            if (type == SectionType.SHT_GNU_versym.value() && entsize != SIZEOF_VERSYM) {
                return Optional.of("section " + i + " has version entry size " + entsize + ", not " + SIZEOF_VERSYM);
            }
            long align = in.field(at, sh.sh_addralign);
            if (Long.numberOfTrailingZeros(align) > MAX_ALIGNMENT_POWER && align != 0) {
                return Optional.of("section " + i + " has alignment 0x" + Long.toHexString(align));
            }
            if (type == SectionType.SHT_NOTE.value() && size != 0
                    && !fits(in.field(at, sh.sh_offset), 1, size, fileSize)) {
                return Optional.of("note section " + i + " extends past the end of the file");
            }
        }
        return Optional.empty();
    }

    /** SHN_BEFORE and SHN_AFTER, Solaris's sh_link values that BFD accepts on x86 and SPARC (PR 10478). */
    private static final long SHN_BEFORE = 0xff00, SHN_AFTER = 0xff01;
    /** EM_OLD_SPARCV9 (binutils include/elf/common.h), an e_machine that glibc's elf.h leaves reserved. */
    private static final long EM_OLD_SPARCV9 = 11;

    private static boolean isSolarisLinkMachine(Machine machine) {
        return machine.is(Machine.EM_386) || machine.is(Machine.EM_IAMCU) || machine.is(Machine.EM_X86_64)
                || machine.value() == EM_OLD_SPARCV9 || machine.is(Machine.EM_SPARC32PLUS)
                || machine.is(Machine.EM_SPARCV9) || machine.is(Machine.EM_SPARC);
    }

    /** Whether {@code count} entries of {@code size} bytes from {@code offset} lie inside the file. */
    private static boolean fits(long offset, long count, long size, long fileSize) {
        if (offset < 0 || count < 0 || size < 0 || offset > fileSize) {
            return false;
        }
        return count == 0 || (fileSize - offset) / count >= size;
    }
}
