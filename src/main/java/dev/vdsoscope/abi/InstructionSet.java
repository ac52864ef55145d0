package dev.vdsoscope.abi;

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

    /** The shortest instruction: how far to step over bytes that do not decode. */
    public int minimumLength() {
        return minimumLength;
    }

    public boolean isX86() {
        return this == X86_32 || this == X86_64;
    }

    public boolean isArm32() {
        return this == ARM || this == THUMB;
    }

    /** Whether the instruction set only exists in one byte order (SystemZ and SPARC: big-endian). */
    public boolean bigEndianOnly() {
        return this == S390X || this == SPARC32 || this == SPARC64;
    }
}
