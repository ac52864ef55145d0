package dev.vdsoscope.elf;

import java.util.Objects;

/** {@code sh_type}. */
public record SectionType(long value) implements ElfConstant {
    public static final SectionType SHT_NULL = new SectionType(0);
    public static final SectionType SHT_PROGBITS = new SectionType(1);
    public static final SectionType SHT_SYMTAB = new SectionType(2);
    public static final SectionType SHT_STRTAB = new SectionType(3);
    public static final SectionType SHT_RELA = new SectionType(4);
    public static final SectionType SHT_HASH = new SectionType(5);
    public static final SectionType SHT_DYNAMIC = new SectionType(6);
    public static final SectionType SHT_NOTE = new SectionType(7);
    public static final SectionType SHT_NOBITS = new SectionType(8);
    public static final SectionType SHT_REL = new SectionType(9);
    public static final SectionType SHT_SHLIB = new SectionType(10);
    public static final SectionType SHT_DYNSYM = new SectionType(11);
    public static final SectionType SHT_INIT_ARRAY = new SectionType(14);
    public static final SectionType SHT_FINI_ARRAY = new SectionType(15);
    public static final SectionType SHT_PREINIT_ARRAY = new SectionType(16);
    public static final SectionType SHT_GROUP = new SectionType(17);
    public static final SectionType SHT_SYMTAB_SHNDX = new SectionType(18);
    public static final SectionType SHT_RELR = new SectionType(19);
    public static final SectionType SHT_LLVM_ADDRSIG = new SectionType(0x6fff4c03L);
    public static final SectionType SHT_GNU_SFRAME = new SectionType(0x6ffffff4L);
    public static final SectionType SHT_GNU_ATTRIBUTES = new SectionType(0x6ffffff5L);
    public static final SectionType SHT_GNU_HASH = new SectionType(0x6ffffff6L);
    public static final SectionType SHT_GNU_LIBLIST = new SectionType(0x6ffffff7L);
    public static final SectionType SHT_CHECKSUM = new SectionType(0x6ffffff8L);
    public static final SectionType SHT_GNU_verdef = new SectionType(0x6ffffffdL);
    public static final SectionType SHT_GNU_verneed = new SectionType(0x6ffffffeL);
    public static final SectionType SHT_GNU_versym = new SectionType(0x6fffffffL);

    /** The ranges of OS-, processor- and user-specific types (bounds, not types: they name nothing). */
    public static final long SHT_LOOS = 0x60000000L, SHT_HIOS = 0x6fffffffL, SHT_LOPROC = 0x70000000L,
            SHT_HIPROC = 0x7fffffffL, SHT_LOUSER = 0x80000000L;

    /** The sh_type values of 32-bit Arm (EM_ARM). */
    @ForMachines(40)
    public static final class Arm {
        private Arm() {}
        public static final SectionType SHT_ARM_EXIDX = new SectionType(0x70000001L);
        public static final SectionType SHT_ARM_PREEMPTMAP = new SectionType(0x70000002L);
        public static final SectionType SHT_ARM_ATTRIBUTES = new SectionType(0x70000003L);
    }

    /** The sh_type values of AArch64 (EM_AARCH64). */
    @ForMachines(183)
    public static final class Aarch64 {
        private Aarch64() {}
        public static final SectionType SHT_AARCH64_ATTRIBUTES = new SectionType(0x70000003L);
    }

    /** The sh_type values of MIPS (EM_MIPS, EM_MIPS_RS3_LE). */
    @ForMachines({8, 10})
    public static final class Mips {
        private Mips() {}
        public static final SectionType SHT_MIPS_LIBLIST = new SectionType(0x70000000L);
        public static final SectionType SHT_MIPS_MSYM = new SectionType(0x70000001L);
        public static final SectionType SHT_MIPS_CONFLICT = new SectionType(0x70000002L);
        public static final SectionType SHT_MIPS_GPTAB = new SectionType(0x70000003L);
        public static final SectionType SHT_MIPS_UCODE = new SectionType(0x70000004L);
        public static final SectionType SHT_MIPS_DEBUG = new SectionType(0x70000005L);
        public static final SectionType SHT_MIPS_REGINFO = new SectionType(0x70000006L);
        public static final SectionType SHT_MIPS_IFACE = new SectionType(0x7000000bL);
        public static final SectionType SHT_MIPS_CONTENT = new SectionType(0x7000000cL);
        public static final SectionType SHT_MIPS_OPTIONS = new SectionType(0x7000000dL);
        public static final SectionType SHT_MIPS_DWARF = new SectionType(0x7000001eL);
        public static final SectionType SHT_MIPS_SYMBOL_LIB = new SectionType(0x70000020L);
        public static final SectionType SHT_MIPS_EVENTS = new SectionType(0x70000021L);
        public static final SectionType SHT_MIPS_ABIFLAGS = new SectionType(0x7000002aL);
        public static final SectionType SHT_MIPS_XHASH = new SectionType(0x7000002bL);
    }

    /** The sh_type values of x86-64 (EM_X86_64). */
    @ForMachines(62)
    public static final class X86_64 {
        private X86_64() {}
        public static final SectionType SHT_X86_64_UNWIND = new SectionType(0x70000001L);
    }

    /** The sh_type values of IA-64 (EM_IA_64). */
    @ForMachines(50)
    public static final class Ia64 {
        private Ia64() {}
        public static final SectionType SHT_IA_64_UNWIND = new SectionType(0x70000001L);
    }

    /** The sh_type values of RISC-V (EM_RISCV). */
    @ForMachines(243)
    public static final class Riscv {
        private Riscv() {}
        public static final SectionType SHT_RISCV_ATTRIBUTES = new SectionType(0x70000003L);
    }

    /** The sh_type values of PowerPC, 32- and 64-bit (EM_PPC, EM_PPC64). */
    @ForMachines({20, 21})
    public static final class Ppc {
        private Ppc() {}
        public static final SectionType SHT_PPC_ATTRIBUTES = new SectionType(0x70000003L);
    }

    private static final ElfConstant.Names NAMES = new ElfConstant.Names(SectionType.class, SectionType.class);

    /** The C name (as {@link #cName()}), not the record's component list: what a message or a log line wants. */
    @Override
    public String toString() {
        return cName();
    }

    @Override
    public String cName() {
        return Objects.requireNonNullElse(NAMES.name(value), "SHT_0x" + Long.toHexString(value));
    }

    public String cName(Machine machine) {
        return Objects.requireNonNullElse(NAMES.name(value, machine), "SHT_0x" + Long.toHexString(value));
    }
}
