package dev.vdsoscope.compat;

import java.util.Set;

import dev.vdsoscope.elf.ElfInput;
import dev.vdsoscope.elf.Machine;

/**
 * file(1)'s words for a Solaris capabilities section ({@code SHT_SUNW_cap}): the hardware
 * capabilities ({@code CA_SUNW_HW_1}) as {@code ", uses FPU CX8 ..."} and the software ones
 * ({@code CA_SUNW_SF_1}) as {@code ", uses frame pointer"}, as readelf.c's {@code doshn} prints them
 * after "stripped". The section type's number is also {@code SHT_GNU_ATTRIBUTES}; file tells them
 * apart by a GNU attributes section's first byte, 'A', and reads no further then.
 */
final class FileCapabilities {
    /** Elf32_Cap / Elf64_Cap's {@code c_tag} values. */
    private static final long CA_SUNW_NULL = 0, CA_SUNW_HW_1 = 1, CA_SUNW_SF_1 = 2;
    /** CA_SUNW_SF_1's bits: whether frame pointer use is known, and whether it is used. */
    private static final long SF1_SUNW_FPKNWN = 0x1, SF1_SUNW_FPUSED = 0x2, SF1_SUNW_MASK = 0x3;
    /** The machines file reads the section of (the others skip it). */
    private static final Set<Machine> READ = Set.of(Machine.EM_SPARC, Machine.EM_SPARCV9, Machine.EM_IA_64,
            Machine.EM_386, Machine.EM_X86_64);
    private static final Set<Machine> SPARC = Set.of(Machine.EM_SPARC, Machine.EM_SPARC32PLUS, Machine.EM_SPARCV9);
    private static final Set<Machine> X86 = Set.of(Machine.EM_386, Machine.EM_IA_64, Machine.EM_X86_64);
    /** After this many unknown tags file reads no more capability sections. */
    private static final int BAD_TAGS_MAX = 5;

    /** One hardware capability bit and file's name for it ({@code cap_desc_t}). */
    private record Name(long mask, String name) {}

    /** Solaris's AV_SPARC_* bits that file names, in its order (sys/auxv_SPARC.h). */
    private static final Name[] SPARC_NAMES = {
        new Name(0x1, "MUL32"), new Name(0x2, "DIV32"), new Name(0x4, "FSMULD"), new Name(0x8, "V8PLUS"),
        new Name(0x10, "POPC"), new Name(0x20, "VIS"), new Name(0x40, "VIS2"), new Name(0x80, "ASI_BLK_INIT"),
        new Name(0x100, "FMAF"), new Name(0x4000, "FJFMAU"), new Name(0x8000, "IMA"),
    };
    /** Solaris's AV_386_* bits that file names, in its order (sys/auxv_386.h). */
    private static final Name[] X86_NAMES = {
        new Name(0x1, "FPU"), new Name(0x2, "TSC"), new Name(0x4, "CX8"), new Name(0x8, "SEP"),
        new Name(0x10, "AMD_SYSC"), new Name(0x20, "CMOV"), new Name(0x40, "MMX"), new Name(0x80, "AMD_MMX"),
        new Name(0x100, "AMD_3DNow"), new Name(0x200, "AMD_3DNowx"), new Name(0x400, "FXSR"), new Name(0x800, "SSE"),
        new Name(0x1000, "SSE2"), new Name(0x2000, "PAUSE"), new Name(0x4000, "SSE3"), new Name(0x8000, "MON"),
        new Name(0x10000, "CX16"), new Name(0x20000, "AHF"), new Name(0x40000, "TSCP"),
        new Name(0x80000, "AMD_SSE4A"), new Name(0x100000, "POPCNT"), new Name(0x200000, "AMD_LZCNT"),
        new Name(0x400000, "SSSE3"), new Name(0x800000, "SSE4.1"), new Name(0x1000000, "SSE4.2"),
    };

    private final ElfInput in;
    private final Machine machine;
    private final boolean is64;
    private final StringBuilder text;
    private long hardware;
    private long software;
    private int badTags;

    FileCapabilities(ElfInput in, Machine machine, boolean is64, StringBuilder text) {
        this.in = in;
        this.machine = machine;
        this.is64 = is64;
        this.text = text;
    }

    /**
     * One capabilities section: its entries gathered, an unknown tag said at once (", with unknown
     * capability 0x9 = 0x1"). Returns false where file's read would fail (an entry past the end of
     * the file), which ends its description of the sections.
     */
    boolean section(long offset, long size) {
        if (!READ.contains(machine) || badTags > BAD_TAGS_MAX) {
            return true;
        }
        int entry = is64 ? 16 : 8;
        int width = entry / 2;
        for (long end = entry; Long.compareUnsigned(end, size) <= 0; end += entry) {
            long at = offset + end - entry;
            if (!in.contains(at, entry)) {
                return false;
            }
            if (in.u8(at) == 'A') {
                break; // a GNU attributes section: file reads no entry of it
            }
            long tag = in.unsigned(at, width);
            long value = in.unsigned(at + width, width);
            if (tag == CA_SUNW_HW_1) {
                hardware |= value;
            } else if (tag == CA_SUNW_SF_1) {
                software |= value;
            } else if (tag != CA_SUNW_NULL) {
                text.append(", with unknown capability ").append(hex(tag)).append(" = ").append(hex(value));
                if (badTags++ > 2) {
                    break;
                }
            }
        }
        return true;
    }

    /** The words after "stripped": the hardware capabilities, then the software ones. */
    void describe() {
        if (hardware != 0) {
            Name[] names = SPARC.contains(machine) ? SPARC_NAMES : X86.contains(machine) ? X86_NAMES : null;
            text.append(", uses");
            long left = hardware;
            if (names == null) {
                text.append(" hardware capability ").append(hex(left));
            } else {
                for (Name name : names) {
                    if ((left & name.mask()) != 0) {
                        text.append(' ').append(name.name());
                        left &= ~name.mask();
                    }
                }
                if (left != 0) {
                    text.append(" unknown hardware capability ").append(hex(left));
                }
            }
        }
        if (software != 0) {
            if ((software & SF1_SUNW_FPUSED) != 0) {
                text.append((software & SF1_SUNW_FPKNWN) != 0 ? ", uses frame pointer"
                        : ", not known to use frame pointer");
            }
            long left = software & ~SF1_SUNW_MASK;
            if (left != 0) {
                text.append(", with unknown software capability ").append(hex(left));
            }
        }
    }

    private static String hex(long value) {
        return FileDescription.alternateHex(value);
    }
}
