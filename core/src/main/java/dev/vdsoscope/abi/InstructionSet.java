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
