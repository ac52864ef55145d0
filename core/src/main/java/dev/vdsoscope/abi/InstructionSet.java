package dev.vdsoscope.abi;

import java.util.Optional;

import dev.vdsoscope.elf.ElfHeader;

/**
 * The instruction sets of the Linux ABIs: what a disassembler is told, apart from the byte order
 * the image gives. ARM images may switch to Thumb per symbol.
 */
public enum InstructionSet {
    X86_32(1), X86_64(1), ARM(4), THUMB(2), AARCH64(4), MIPS32(4), MIPS64(4), PPC32(4), PPC64(4), SPARC32(4),
    SPARC64(4), S390X(2), RISCV32(2), RISCV64(2), LOONGARCH64(4);

    private final int minimumLength;

    InstructionSet(int minimumLength) {
        this.minimumLength = minimumLength;
    }

    /**
     * The instruction set of a file's code: its Linux ABI's ({@link LinuxAbi#instructionSet(ElfHeader)}),
     * else what its machine alone says, as objdump decides by the machine (an aarch64 ILP32 file,
     * ELFCLASS32 EM_AARCH64, holds AArch64 code though no Linux ABI here is it); empty for a machine
     * none of these runs.
     */
    public static Optional<InstructionSet> of(ElfHeader header) {
        return LinuxAbi.of(header).or(() -> LinuxAbi.ofMachine(header)).map(abi -> abi.instructionSet(header));
    }

    /** The shortest instruction. */
    public int minimumLength() {
        return minimumLength;
    }

    /**
     * How long the instruction starting with {@code firstUnit} is, as far as the encoding says without
     * decoding it: how far to step over an instruction the decoder does not know, so that the next one
     * starts on its true boundary. {@code firstUnit} is the first 16 bits in the image's byte order.
     * <ul>
     * <li>s390: the instruction-length code, the top two bits of the first byte (Principles of
     * Operation, "Instruction Formats"): 00 two bytes, 01 and 10 four, 11 six.
     * <li>RISC-V: low two bits other than 11 mark a 16-bit compressed instruction, else 32 bits (the
     * longer encodings the spec reserves are not ratified).
     * <li>Thumb: a first halfword of 0b11101, 0b11110 or 0b11111 in its top five bits starts a 32-bit
     * instruction (ARM ARM, "Thumb instruction set encoding").
     * <li>x86: nothing is known without decoding; one byte, as objdump's {@code (bad)} steps.
     * <li>The others are fixed-width: 4 bytes.
     * </ul>
     */
    public int undecodedLength(int firstUnit) {
        return switch (this) {
            case S390X -> switch (firstUnit >>> S390_LENGTH_CODE_SHIFT & 3) {
                case 0 -> 2;
                case 1, 2 -> 4;
                default -> 6;
            };
            case RISCV32, RISCV64 -> (firstUnit & RISCV_32BIT_MARK) == RISCV_32BIT_MARK ? 4 : 2;
            case THUMB -> (firstUnit >>> 11) >= THUMB_32BIT_FIRST_PREFIX ? 4 : 2;
            default -> minimumLength;
        };
    }

    /** The s390 instruction-length code sits in the top two bits of the first (big-endian) halfword. */
    private static final int S390_LENGTH_CODE_SHIFT = 14;
    /** RISC-V: both low bits set in the first halfword mark an instruction of 32 bits or more. */
    private static final int RISCV_32BIT_MARK = 0b11;
    /** Thumb: the lowest top-five-bit prefix of a 32-bit instruction's first halfword. */
    private static final int THUMB_32BIT_FIRST_PREFIX = 0b11101;

    public boolean isX86() {
        return this == X86_32 || this == X86_64;
    }

    public boolean isArm32() {
        return this == ARM || this == THUMB;
    }

    /**
     * The mapping symbols its psABI defines, by the letter after the {@code $}: ARM's {@code $a},
     * {@code $t} and {@code $d}, AArch64's {@code $x} and {@code $d}; none elsewhere. In an AArch64
     * file {@code $t} is only a name, as objdump takes it.
     */
    public String mappingSymbolLetters() {
        return isArm32() ? "atd" : this == AARCH64 ? "xd" : "";
    }

    /** Whether the instruction set only exists in one byte order (SystemZ and SPARC: big-endian). */
    public boolean bigEndianOnly() {
        return this == S390X || this == SPARC32 || this == SPARC64;
    }
}
