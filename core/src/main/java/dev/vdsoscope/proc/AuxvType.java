package dev.vdsoscope.proc;

import java.util.Objects;

import dev.vdsoscope.elf.ElfConstant;

/** {@code a_type} of an auxiliary vector entry ({@code <linux/auxvec.h>}, {@code <elf.h>}). */
public record AuxvType(long value) implements ElfConstant {
    public static final AuxvType AT_NULL = new AuxvType(0);
    public static final AuxvType AT_IGNORE = new AuxvType(1);
    public static final AuxvType AT_EXECFD = new AuxvType(2);
    public static final AuxvType AT_PHDR = new AuxvType(3);
    public static final AuxvType AT_PHENT = new AuxvType(4);
    public static final AuxvType AT_PHNUM = new AuxvType(5);
    public static final AuxvType AT_PAGESZ = new AuxvType(6);
    public static final AuxvType AT_BASE = new AuxvType(7);
    public static final AuxvType AT_FLAGS = new AuxvType(8);
    public static final AuxvType AT_ENTRY = new AuxvType(9);
    public static final AuxvType AT_NOTELF = new AuxvType(10);
    public static final AuxvType AT_UID = new AuxvType(11);
    public static final AuxvType AT_EUID = new AuxvType(12);
    public static final AuxvType AT_GID = new AuxvType(13);
    public static final AuxvType AT_EGID = new AuxvType(14);
    public static final AuxvType AT_PLATFORM = new AuxvType(15);
    public static final AuxvType AT_HWCAP = new AuxvType(16);
    public static final AuxvType AT_CLKTCK = new AuxvType(17);
    public static final AuxvType AT_FPUCW = new AuxvType(18);
    public static final AuxvType AT_DCACHEBSIZE = new AuxvType(19);
    public static final AuxvType AT_ICACHEBSIZE = new AuxvType(20);
    public static final AuxvType AT_UCACHEBSIZE = new AuxvType(21);
    public static final AuxvType AT_IGNOREPPC = new AuxvType(22);
    public static final AuxvType AT_SECURE = new AuxvType(23);
    public static final AuxvType AT_BASE_PLATFORM = new AuxvType(24);
    public static final AuxvType AT_RANDOM = new AuxvType(25);
    public static final AuxvType AT_HWCAP2 = new AuxvType(26);
    public static final AuxvType AT_RSEQ_FEATURE_SIZE = new AuxvType(27);
    public static final AuxvType AT_RSEQ_ALIGN = new AuxvType(28);
    public static final AuxvType AT_HWCAP3 = new AuxvType(29);
    public static final AuxvType AT_HWCAP4 = new AuxvType(30);
    public static final AuxvType AT_EXECFN = new AuxvType(31);
    public static final AuxvType AT_SYSINFO = new AuxvType(32);
    public static final AuxvType AT_SYSINFO_EHDR = new AuxvType(33);
    public static final AuxvType AT_L1I_CACHESHAPE = new AuxvType(34);
    public static final AuxvType AT_L1D_CACHESHAPE = new AuxvType(35);
    public static final AuxvType AT_L2_CACHESHAPE = new AuxvType(36);
    public static final AuxvType AT_L3_CACHESHAPE = new AuxvType(37);
    public static final AuxvType AT_L1I_CACHESIZE = new AuxvType(40);
    public static final AuxvType AT_L1I_CACHEGEOMETRY = new AuxvType(41);
    public static final AuxvType AT_L1D_CACHESIZE = new AuxvType(42);
    public static final AuxvType AT_L1D_CACHEGEOMETRY = new AuxvType(43);
    public static final AuxvType AT_L2_CACHESIZE = new AuxvType(44);
    public static final AuxvType AT_L2_CACHEGEOMETRY = new AuxvType(45);
    public static final AuxvType AT_L3_CACHESIZE = new AuxvType(46);
    public static final AuxvType AT_L3_CACHEGEOMETRY = new AuxvType(47);
    public static final AuxvType AT_MINSIGSTKSZ = new AuxvType(51);

    private static final ElfConstant.Names NAMES = new ElfConstant.Names(AuxvType.class, AuxvType.class);

    @Override
    public String cName() {
        return Objects.requireNonNullElse(NAMES.name(value), "AT_" + value);
    }

    /** Whether the value is an address in the process (of a string, a header, random bytes). */
    public boolean isAddress() {
        return switch ((int) value) {
            case 3, 7, 9, 15, 24, 25, 31, 32, 33 -> true;
            default -> false;
        };
    }

    /** Whether the value points at a NUL-terminated string in the process's memory. */
    public boolean isString() {
        return value == 15 || value == 24 || value == 31;
    }

    /** What the entry means, in a few words, for the decoded view. */
    public String meaning() {
        return switch ((int) value) {
            case 2 -> "file descriptor of the program";
            case 3 -> "program headers of the program";
            case 4 -> "size of one program header";
            case 5 -> "number of program headers";
            case 6 -> "page size";
            case 7 -> "load address of the interpreter (ld.so)";
            case 8 -> "flags";
            case 9 -> "entry point of the program";
            case 11 -> "real user id";
            case 12 -> "effective user id";
            case 13 -> "real group id";
            case 14 -> "effective group id";
            case 15 -> "platform string";
            case 16 -> "hardware capabilities";
            case 17 -> "clock ticks per second (times(2))";
            case 23 -> "secure mode (setuid/setgid/capabilities)";
            case 24 -> "base platform string";
            case 25 -> "address of 16 random bytes";
            case 26 -> "more hardware capabilities";
            case 27 -> "rseq feature size";
            case 28 -> "rseq alignment";
            case 29 -> "even more hardware capabilities";
            case 30 -> "still more hardware capabilities";
            case 31 -> "file name the program was executed as";
            case 32 -> "entry point of the i386 system-call gate (__kernel_vsyscall)";
            case 33 -> "address of the vDSO's ELF header";
            case 51 -> "minimal signal stack size";
            default -> "";
        };
    }
}
