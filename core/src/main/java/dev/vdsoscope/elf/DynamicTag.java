package dev.vdsoscope.elf;

/** {@code d_tag}. Processor-specific tags reuse the DT_LOPROC range and are named per machine. */
public record DynamicTag(long value) implements ElfConstant {
    public static final DynamicTag DT_NULL = new DynamicTag(0);
    public static final DynamicTag DT_NEEDED = new DynamicTag(1);
    public static final DynamicTag DT_PLTRELSZ = new DynamicTag(2);
    public static final DynamicTag DT_PLTGOT = new DynamicTag(3);
    public static final DynamicTag DT_HASH = new DynamicTag(4);
    public static final DynamicTag DT_STRTAB = new DynamicTag(5);
    public static final DynamicTag DT_SYMTAB = new DynamicTag(6);
    public static final DynamicTag DT_RELA = new DynamicTag(7);
    public static final DynamicTag DT_RELASZ = new DynamicTag(8);
    public static final DynamicTag DT_RELAENT = new DynamicTag(9);
    public static final DynamicTag DT_STRSZ = new DynamicTag(10);
    public static final DynamicTag DT_SYMENT = new DynamicTag(11);
    public static final DynamicTag DT_INIT = new DynamicTag(12);
    public static final DynamicTag DT_FINI = new DynamicTag(13);
    public static final DynamicTag DT_SONAME = new DynamicTag(14);
    public static final DynamicTag DT_RPATH = new DynamicTag(15);
    public static final DynamicTag DT_SYMBOLIC = new DynamicTag(16);
    public static final DynamicTag DT_REL = new DynamicTag(17);
    public static final DynamicTag DT_RELSZ = new DynamicTag(18);
    public static final DynamicTag DT_RELENT = new DynamicTag(19);
    public static final DynamicTag DT_PLTREL = new DynamicTag(20);
    public static final DynamicTag DT_DEBUG = new DynamicTag(21);
    public static final DynamicTag DT_TEXTREL = new DynamicTag(22);
    public static final DynamicTag DT_JMPREL = new DynamicTag(23);
    public static final DynamicTag DT_BIND_NOW = new DynamicTag(24);
    public static final DynamicTag DT_INIT_ARRAY = new DynamicTag(25);
    public static final DynamicTag DT_FINI_ARRAY = new DynamicTag(26);
    public static final DynamicTag DT_INIT_ARRAYSZ = new DynamicTag(27);
    public static final DynamicTag DT_FINI_ARRAYSZ = new DynamicTag(28);
    public static final DynamicTag DT_RUNPATH = new DynamicTag(29);
    public static final DynamicTag DT_FLAGS = new DynamicTag(30);
    public static final DynamicTag DT_PREINIT_ARRAY = new DynamicTag(32);
    public static final DynamicTag DT_PREINIT_ARRAYSZ = new DynamicTag(33);
    public static final DynamicTag DT_SYMTAB_SHNDX = new DynamicTag(34);
    public static final DynamicTag DT_RELRSZ = new DynamicTag(35);
    public static final DynamicTag DT_RELR = new DynamicTag(36);
    public static final DynamicTag DT_RELRENT = new DynamicTag(37);
    public static final DynamicTag DT_GNU_FLAGS_1 = new DynamicTag(0x6ffffdf4L);
    public static final DynamicTag DT_GNU_PRELINKED = new DynamicTag(0x6ffffdf5L);
    public static final DynamicTag DT_GNU_CONFLICTSZ = new DynamicTag(0x6ffffdf6L);
    public static final DynamicTag DT_GNU_LIBLISTSZ = new DynamicTag(0x6ffffdf7L);
    public static final DynamicTag DT_CHECKSUM = new DynamicTag(0x6ffffdf8L);
    public static final DynamicTag DT_PLTPADSZ = new DynamicTag(0x6ffffdf9L);
    public static final DynamicTag DT_MOVEENT = new DynamicTag(0x6ffffdfaL);
    public static final DynamicTag DT_MOVESZ = new DynamicTag(0x6ffffdfbL);
    public static final DynamicTag DT_FEATURE_1 = new DynamicTag(0x6ffffdfcL);
    public static final DynamicTag DT_POSFLAG_1 = new DynamicTag(0x6ffffdfdL);
    public static final DynamicTag DT_SYMINSZ = new DynamicTag(0x6ffffdfeL);
    public static final DynamicTag DT_SYMINENT = new DynamicTag(0x6ffffdffL);
    public static final DynamicTag DT_GNU_HASH = new DynamicTag(0x6ffffef5L);
    public static final DynamicTag DT_TLSDESC_PLT = new DynamicTag(0x6ffffef6L);
    public static final DynamicTag DT_TLSDESC_GOT = new DynamicTag(0x6ffffef7L);
    public static final DynamicTag DT_GNU_CONFLICT = new DynamicTag(0x6ffffef8L);
    public static final DynamicTag DT_GNU_LIBLIST = new DynamicTag(0x6ffffef9L);
    public static final DynamicTag DT_CONFIG = new DynamicTag(0x6ffffefaL);
    public static final DynamicTag DT_DEPAUDIT = new DynamicTag(0x6ffffefbL);
    public static final DynamicTag DT_AUDIT = new DynamicTag(0x6ffffefcL);
    public static final DynamicTag DT_PLTPAD = new DynamicTag(0x6ffffefdL);
    public static final DynamicTag DT_MOVETAB = new DynamicTag(0x6ffffefeL);
    public static final DynamicTag DT_SYMINFO = new DynamicTag(0x6ffffeffL);
    public static final DynamicTag DT_VERSYM = new DynamicTag(0x6ffffff0L);
    public static final DynamicTag DT_RELACOUNT = new DynamicTag(0x6ffffff9L);
    public static final DynamicTag DT_RELCOUNT = new DynamicTag(0x6ffffffaL);
    public static final DynamicTag DT_FLAGS_1 = new DynamicTag(0x6ffffffbL);
    public static final DynamicTag DT_VERDEF = new DynamicTag(0x6ffffffcL);
    public static final DynamicTag DT_VERDEFNUM = new DynamicTag(0x6ffffffdL);
    public static final DynamicTag DT_VERNEED = new DynamicTag(0x6ffffffeL);
    public static final DynamicTag DT_VERNEEDNUM = new DynamicTag(0x6fffffffL);
    public static final DynamicTag DT_AUXILIARY = new DynamicTag(0x7ffffffdL);
    public static final DynamicTag DT_USED = new DynamicTag(0x7ffffffeL);
    public static final DynamicTag DT_FILTER = new DynamicTag(0x7fffffffL);

    /** The d_tag values of x86-64 (EM_X86_64). */
    @ForMachines(62)
    public static final class X86_64 {
        private X86_64() {}
        public static final DynamicTag DT_X86_64_PLT = new DynamicTag(0x70000000L);
        public static final DynamicTag DT_X86_64_PLTSZ = new DynamicTag(0x70000001L);
        public static final DynamicTag DT_X86_64_PLTENT = new DynamicTag(0x70000003L);
    }

    /** The d_tag values of AArch64 (EM_AARCH64). */
    @ForMachines(183)
    public static final class Aarch64 {
        private Aarch64() {}
        public static final DynamicTag DT_AARCH64_BTI_PLT = new DynamicTag(0x70000001L);
        public static final DynamicTag DT_AARCH64_PAC_PLT = new DynamicTag(0x70000003L);
        public static final DynamicTag DT_AARCH64_VARIANT_PCS = new DynamicTag(0x70000005L);
        public static final DynamicTag DT_AARCH64_MEMTAG_MODE = new DynamicTag(0x70000009L);
        public static final DynamicTag DT_AARCH64_MEMTAG_HEAP = new DynamicTag(0x7000000bL);
        public static final DynamicTag DT_AARCH64_MEMTAG_STACK = new DynamicTag(0x7000000cL);
    }

    /** The d_tag values of PowerPC (EM_PPC). */
    @ForMachines(20)
    public static final class Ppc {
        private Ppc() {}
        public static final DynamicTag DT_PPC_GOT = new DynamicTag(0x70000000L);
        public static final DynamicTag DT_PPC_OPT = new DynamicTag(0x70000001L);
    }

    /** The d_tag values of 64-bit PowerPC (EM_PPC64). */
    @ForMachines(21)
    public static final class Ppc64 {
        private Ppc64() {}
        public static final DynamicTag DT_PPC64_GLINK = new DynamicTag(0x70000000L);
        public static final DynamicTag DT_PPC64_OPD = new DynamicTag(0x70000001L);
        public static final DynamicTag DT_PPC64_OPDSZ = new DynamicTag(0x70000002L);
        public static final DynamicTag DT_PPC64_OPT = new DynamicTag(0x70000003L);
    }

    /** The d_tag values of MIPS (EM_MIPS, EM_MIPS_RS3_LE). */
    @ForMachines({8, 10})
    public static final class Mips {
        private Mips() {}
        public static final DynamicTag DT_MIPS_RLD_VERSION = new DynamicTag(0x70000001L);
        public static final DynamicTag DT_MIPS_TIME_STAMP = new DynamicTag(0x70000002L);
        public static final DynamicTag DT_MIPS_ICHECKSUM = new DynamicTag(0x70000003L);
        public static final DynamicTag DT_MIPS_IVERSION = new DynamicTag(0x70000004L);
        public static final DynamicTag DT_MIPS_FLAGS = new DynamicTag(0x70000005L);
        public static final DynamicTag DT_MIPS_BASE_ADDRESS = new DynamicTag(0x70000006L);
        public static final DynamicTag DT_MIPS_MSYM = new DynamicTag(0x70000007L);
        public static final DynamicTag DT_MIPS_CONFLICT = new DynamicTag(0x70000008L);
        public static final DynamicTag DT_MIPS_LIBLIST = new DynamicTag(0x70000009L);
        public static final DynamicTag DT_MIPS_LOCAL_GOTNO = new DynamicTag(0x7000000aL);
        public static final DynamicTag DT_MIPS_CONFLICTNO = new DynamicTag(0x7000000bL);
        public static final DynamicTag DT_MIPS_LIBLISTNO = new DynamicTag(0x70000010L);
        public static final DynamicTag DT_MIPS_SYMTABNO = new DynamicTag(0x70000011L);
        public static final DynamicTag DT_MIPS_UNREFEXTNO = new DynamicTag(0x70000012L);
        public static final DynamicTag DT_MIPS_GOTSYM = new DynamicTag(0x70000013L);
        public static final DynamicTag DT_MIPS_HIPAGENO = new DynamicTag(0x70000014L);
        public static final DynamicTag DT_MIPS_RLD_MAP = new DynamicTag(0x70000016L);
        public static final DynamicTag DT_MIPS_OPTIONS = new DynamicTag(0x70000029L);
        public static final DynamicTag DT_MIPS_PLTGOT = new DynamicTag(0x70000032L);
        public static final DynamicTag DT_MIPS_RWPLT = new DynamicTag(0x70000034L);
        public static final DynamicTag DT_MIPS_RLD_MAP_REL = new DynamicTag(0x70000035L);
        public static final DynamicTag DT_MIPS_XHASH = new DynamicTag(0x70000036L);
    }

    /** The d_tag values of SPARC (EM_SPARC, EM_SPARC32PLUS, EM_SPARCV9). */
    @ForMachines({2, 18, 43})
    public static final class Sparc {
        private Sparc() {}
        public static final DynamicTag DT_SPARC_REGISTER = new DynamicTag(0x70000001L);
    }

    /** The d_tag values of RISC-V (EM_RISCV). */
    @ForMachines(243)
    public static final class Riscv {
        private Riscv() {}
        public static final DynamicTag DT_RISCV_VARIANT_CC = new DynamicTag(0x70000001L);
    }

    private static final ElfConstant.Names NAMES = new ElfConstant.Names(DynamicTag.class, DynamicTag.class);

    /** The C name (as {@link #cName()}), not the record's component list: what a message or a log line wants. */
    @Override
    public String toString() {
        return cName();
    }

    @Override
    public String cName() {
        String name = NAMES.name(value);
        return name != null ? name : fallback();
    }

    /** The name with processor-specific tags resolved for {@code machine}. */
    public String cName(Machine machine) {
        String name = NAMES.name(value, machine);
        return name != null ? name : fallback();
    }

    private String fallback() {
        if (value >= 0x70000000L && value <= 0x7fffffffL) {
            return "DT_LOPROC+0x" + Long.toHexString(value - 0x70000000L);
        }
        if (value >= 0x6000000dL && value <= 0x6ffff000L) {
            return "DT_LOOS+0x" + Long.toHexString(value - 0x6000000dL);
        }
        return "DT_0x" + Long.toHexString(value);
    }

    /** Whether {@code d_val} is an offset into the dynamic string table (for display). */
    public boolean isStringOffset() {
        return value == 1 || value == 14 || value == 15 || value == 29
                || value == 0x7ffffffdL || value == 0x7fffffffL || value == 0x6ffffefbL
                || value == 0x6ffffefcL || value == 0x6ffffefaL;
    }

    /** Whether {@code d_ptr} is a virtual address (as opposed to a size, count or flag word). */
    public boolean isAddress() {
        return switch ((int) value) {
            case 3, 4, 5, 6, 7, 12, 13, 17, 21, 23, 25, 26, 32, 34, 36 -> true;
            default -> value >= 0x6ffffe00L && value <= 0x6ffffeffL
                    || value == 0x6ffffff0L || value == 0x6ffffffcL || value == 0x6ffffffeL;
        };
    }
}
