package dev.vdsoscope.elf;

import java.util.Objects;

/** {@code p_type}. Processor-specific values are named per machine. */
public record SegmentType(long value) implements ElfConstant {
    public static final SegmentType PT_NULL = new SegmentType(0);
    public static final SegmentType PT_LOAD = new SegmentType(1);
    public static final SegmentType PT_DYNAMIC = new SegmentType(2);
    public static final SegmentType PT_INTERP = new SegmentType(3);
    public static final SegmentType PT_NOTE = new SegmentType(4);
    public static final SegmentType PT_SHLIB = new SegmentType(5);
    public static final SegmentType PT_PHDR = new SegmentType(6);
    public static final SegmentType PT_TLS = new SegmentType(7);
    public static final SegmentType PT_GNU_EH_FRAME = new SegmentType(0x6474e550L);
    public static final SegmentType PT_GNU_STACK = new SegmentType(0x6474e551L);
    public static final SegmentType PT_GNU_RELRO = new SegmentType(0x6474e552L);
    public static final SegmentType PT_GNU_PROPERTY = new SegmentType(0x6474e553L);
    public static final SegmentType PT_GNU_SFRAME = new SegmentType(0x6474e554L);
    public static final SegmentType PT_OPENBSD_RANDOMIZE = new SegmentType(0x65a3dbe6L);
    public static final SegmentType PT_OPENBSD_WXNEEDED = new SegmentType(0x65a3dbe7L);
    public static final SegmentType PT_OPENBSD_BOOTDATA = new SegmentType(0x65a41be6L);

    /** The p_type values of 32-bit Arm (EM_ARM). */
    @ForMachines(40)
    public static final class Arm {
        private Arm() {}
        public static final SegmentType PT_ARM_EXIDX = new SegmentType(0x70000001L);
    }

    /** The p_type values of AArch64 (EM_AARCH64). */
    @ForMachines(183)
    public static final class Aarch64 {
        private Aarch64() {}
        public static final SegmentType PT_AARCH64_MEMTAG_MTE = new SegmentType(0x70000002L);
    }

    /** The p_type values of MIPS (EM_MIPS, EM_MIPS_RS3_LE). */
    @ForMachines({8, 10})
    public static final class Mips {
        private Mips() {}
        public static final SegmentType PT_MIPS_REGINFO = new SegmentType(0x70000000L);
        public static final SegmentType PT_MIPS_RTPROC = new SegmentType(0x70000001L);
        public static final SegmentType PT_MIPS_OPTIONS = new SegmentType(0x70000002L);
        public static final SegmentType PT_MIPS_ABIFLAGS = new SegmentType(0x70000003L);
    }

    /** The p_type values of RISC-V (EM_RISCV). */
    @ForMachines(243)
    public static final class Riscv {
        private Riscv() {}
        public static final SegmentType PT_RISCV_ATTRIBUTES = new SegmentType(0x70000003L);
    }

    private static final ElfConstant.Names NAMES = new ElfConstant.Names(SegmentType.class, SegmentType.class);

    /** The C name (as {@link #cName()}), not the record's component list: what a message or a log line wants. */
    @Override
    public String toString() {
        return cName();
    }

    @Override
    public String cName() {
        return Objects.requireNonNullElse(NAMES.name(value), "PT_0x" + Long.toHexString(value));
    }

    /** The name with processor-specific values resolved for {@code machine}. */
    public String cName(Machine machine) {
        return Objects.requireNonNullElse(NAMES.name(value, machine), "PT_0x" + Long.toHexString(value));
    }
}
