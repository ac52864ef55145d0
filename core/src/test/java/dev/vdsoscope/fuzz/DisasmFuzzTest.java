package dev.vdsoscope.fuzz;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Optional;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.vdsoscope.disasm.Capstone;
import dev.vdsoscope.disasm.CapstoneLibrary;
import dev.vdsoscope.disasm.CapstoneUnavailableException;
import dev.vdsoscope.disasm.GateAnalysis;
import dev.vdsoscope.abi.InstructionSet;
import dev.vdsoscope.disasm.Syntax;
import dev.vdsoscope.disasm.X86Alternatives;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;

/**
 * Fuzzing of the disassembly front end: raw bytes through the Capstone binding for every
 * instruction set, and whole images through the .altinstructions decoder and the gate analysis.
 */
class DisasmFuzzTest {
    @FuzzTest
    void decode(FuzzedDataProvider data) throws CapstoneUnavailableException {
        CapstoneLibrary library = CapstoneLibrary.require();
        InstructionSet isa = data.pickValue(InstructionSet.values());
        if (!library.supports(isa)) {
            return;
        }
        ByteOrder order = data.consumeBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        Syntax syntax = data.pickValue(Syntax.values());
        long address = data.consumeLong();
        byte[] code = data.consumeRemainingAsBytes();
        try (Capstone capstone = Capstone.open(library, isa, order, syntax)) {
            capstone.decode(MemorySegment.ofArray(code), address);
        }
    }

    @FuzzTest
    void alternativesAndGates(byte[] data) {
        try {
            ElfFile elf = ElfFile.of("fuzz", MemorySegment.ofArray(data));
            X86Alternatives.of(elf).ifPresent(a -> {
                a.sites().forEach(site -> site.entries().forEach(a::replacementBytes));
                a.notes();
            });
            GateAnalysis.analyse(elf, false, Optional.empty());
        } catch (ElfFormatException | CapstoneUnavailableException | dev.vdsoscope.disasm.UnsupportedInstructionSetException expected) {
            // Malformed images and machines without a decoder are reported as such.
        }
    }
}
