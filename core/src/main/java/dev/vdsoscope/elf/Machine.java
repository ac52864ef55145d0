package dev.vdsoscope.elf;

import java.util.Objects;


/** {@code e_machine}: the instruction set. Descriptions follow readelf's wording. */
public record Machine(long value) implements ElfConstant {
    public static final Machine EM_NONE = new Machine(0);
    public static final Machine EM_M32 = new Machine(1);
    public static final Machine EM_SPARC = new Machine(2);
    public static final Machine EM_386 = new Machine(3);
    public static final Machine EM_68K = new Machine(4);
    public static final Machine EM_88K = new Machine(5);
    public static final Machine EM_IAMCU = new Machine(6);
    public static final Machine EM_860 = new Machine(7);
    public static final Machine EM_MIPS = new Machine(8);
    public static final Machine EM_S370 = new Machine(9);
    public static final Machine EM_MIPS_RS3_LE = new Machine(10);
    public static final Machine EM_PARISC = new Machine(15);
    public static final Machine EM_SPARC32PLUS = new Machine(18);
    public static final Machine EM_PPC = new Machine(20);
    public static final Machine EM_PPC64 = new Machine(21);
    public static final Machine EM_S390 = new Machine(22);
    public static final Machine EM_ARM = new Machine(40);
    /** 41 is what the gABI lists for Alpha; real Alpha files use {@link #EM_ALPHA}, as glibc's elf.h names them. */
    public static final Machine EM_FAKE_ALPHA = new Machine(41);
    public static final Machine EM_SH = new Machine(42);
    public static final Machine EM_SPARCV9 = new Machine(43);
    public static final Machine EM_IA_64 = new Machine(50);
    public static final Machine EM_X86_64 = new Machine(62);
    public static final Machine EM_AVR = new Machine(83);
    public static final Machine EM_M32R = new Machine(88);
    public static final Machine EM_OPENRISC = new Machine(92);
    public static final Machine EM_ARC_COMPACT = new Machine(93);
    public static final Machine EM_XTENSA = new Machine(94);
    public static final Machine EM_MSP430 = new Machine(105);
    public static final Machine EM_ALTERA_NIOS2 = new Machine(113);
    public static final Machine EM_HEXAGON = new Machine(164);
    public static final Machine EM_AARCH64 = new Machine(183);
    public static final Machine EM_TILEPRO = new Machine(188);
    public static final Machine EM_MICROBLAZE = new Machine(189);
    public static final Machine EM_CUDA = new Machine(190);
    public static final Machine EM_TILEGX = new Machine(191);
    public static final Machine EM_ARC_COMPACT2 = new Machine(195);
    public static final Machine EM_AMDGPU = new Machine(224);
    public static final Machine EM_RISCV = new Machine(243);
    public static final Machine EM_BPF = new Machine(247);
    public static final Machine EM_CSKY = new Machine(252);
    public static final Machine EM_LOONGARCH = new Machine(258);
    public static final Machine EM_ALPHA = new Machine(0x9026);
    /** The M32R number before 88 was assigned (binutils' name). */
    public static final Machine EM_CYGNUS_M32R = new Machine(0x9041);
    /** The S/390 number before 22 was assigned (binutils' name). */
    public static final Machine EM_S390_OLD = new Machine(0xa390);

    private static final ElfConstant.Names NAMES = new ElfConstant.Names(Machine.class, Machine.class);

    /** The C name (as {@link #cName()}), not the record's component list: what a message or a log line wants. */
    @Override
    public String toString() {
        return cName();
    }

    @Override
    public String cName() {
        return Objects.requireNonNullElse(NAMES.name(value), "EM_" + value);
    }

    /** A human name for the architecture, as readelf prints it. */
    public String description() {
        return switch ((int) value) {
            case 0 -> "None";
            case 1 -> "WE32100";
            case 2 -> "Sparc";
            case 3 -> "Intel 80386";
            case 4 -> "MC68000";
            case 5 -> "MC88000";
            case 6 -> "Intel MCU";
            case 7 -> "Intel 80860";
            case 8 -> "MIPS R3000";
            case 9 -> "IBM System/370";
            case 10 -> "MIPS R4000 big-endian";
            case 15 -> "HPPA";
            case 18 -> "Sparc v8+";
            case 20 -> "PowerPC";
            case 21 -> "PowerPC64";
            case 22 -> "IBM S/390";
            case 40 -> "ARM";
            case 41 -> "Digital Alpha (old)";
            case 42 -> "Renesas / SuperH SH";
            case 43 -> "Sparc v9";
            case 50 -> "Intel IA-64";
            case 62 -> "Advanced Micro Devices X86-64";
            case 83 -> "Atmel AVR 8-bit microcontroller";
            case 92 -> "OpenRISC 1000";
            case 93 -> "ARCompact";
            case 94 -> "Tensilica Xtensa Processor";
            case 105 -> "Texas Instruments msp430 microcontroller";
            case 113 -> "Altera Nios II";
            case 164 -> "QUALCOMM DSP6 Processor";
            case 183 -> "AArch64";
            case 188 -> "Tilera TILEPro multicore architecture family";
            case 189 -> "Xilinx MicroBlaze";
            case 190 -> "NVIDIA CUDA architecture";
            case 191 -> "Tilera TILE-Gx multicore architecture family";
            case 195 -> "ARCv2";
            case 224 -> "AMD GPU";
            case 243 -> "RISC-V";
            case 247 -> "Linux BPF";
            case 252 -> "C-SKY";
            case 258 -> "LoongArch";
            case 0x9026 -> "Alpha";
            case 0xa390 -> "IBM S/390";
            default -> "<unknown>: 0x" + Long.toHexString(value);
        };
    }
}
