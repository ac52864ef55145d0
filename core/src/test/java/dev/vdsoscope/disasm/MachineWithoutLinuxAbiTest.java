package dev.vdsoscope.disasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.vdsoscope.abi.InstructionSet;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.Section;
import dev.vdsoscope.elf.testing.ElfImageBuilder;

/**
 * ELF files of a machine a Linux ABI here runs, in a class or byte order no Linux ABI has: disasm
 * decodes them by their machine, as objdump does (`disasm --help`: any ELF file will do). Each image
 * holds the real code of a fixture of that machine in its .text; objdump -d is the oracle where its
 * BFD has a target for the combination ({@code objdump -i}), else the case is skipped, saying so.
 */
class MachineWithoutLinuxAbiTest {
    @TempDir
    Path dir;

    /**
     * One combination: the machine, class and byte order of the image, the fixture whose .text it
     * holds, the instruction set worked out by hand from the machine, and the BFD target objdump
     * would need.
     */
    record Case(String name, int machine, boolean is64, ByteOrder order, String codeFrom, InstructionSet isa,
            String bfdTarget) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        return List.of(
                new Case("aarch64 ILP32 (ELFCLASS32 EM_AARCH64)", 183, false, ByteOrder.LITTLE_ENDIAN,
                        "aarch64-linux-6.12.117-vdso.so", InstructionSet.AARCH64, "elf32-littleaarch64"),
                new Case("EM_386 in ELFCLASS64", ElfImageBuilder.EM_386, true, ByteOrder.LITTLE_ENDIAN,
                        "i386-linux-6.1-686-vdso32.so", InstructionSet.X86_32, "elf64-i386"),
                new Case("EM_ARM in ELFCLASS64", ElfImageBuilder.EM_ARM, true, ByteOrder.LITTLE_ENDIAN,
                        "armcompat-linux-6.12.117-vdso32.so", InstructionSet.ARM, "elf64-littlearm"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void decodedByItsMachineAsObjdumpDoes(Case c) throws Exception {
        assumeTrue(CapstoneLibrary.find().isPresent(), "Capstone (libcapstone4) decodes the images");
        byte[] code;
        try (ElfFile fixture = ElfFile.open(ObjdumpAgreementTest.FIXTURES.resolve(c.codeFrom()))) {
            Section text = fixture.sections().stream().filter(s -> s.name().equals(".text")).findFirst().orElseThrow();
            code = fixture.contents(text).toArray(ValueLayout.JAVA_BYTE);
        }
        Path file = dir.resolve("image.so");
        Files.write(file, ElfImageBuilder.of(c.is64(), c.order(), c.machine()).textContent(code).build().bytes());
        try (ElfFile elf = ElfFile.open(file); ImageDisassembler d = ImageDisassembler.open(elf, Syntax.att)) {
            assertThat(d.isa()).isEqualTo(c.isa());
            assertThat(d.sections()).isNotEmpty();
        }
        assumeTrue(objdumpTargets().contains(c.bfdTarget()), "objdump has no " + c.bfdTarget() + " target to compare with");
        ObjdumpAgreementTest.assertAgreement(file, c.name(), Syntax.att);
    }

    /** The BFD targets objdump -i lists; empty when objdump is missing. */
    private static List<String> objdumpTargets() throws Exception {
        try {
            Process p = new ProcessBuilder("objdump", "-i").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().filter(l -> !l.startsWith(" ")).map(String::strip).toList();
        } catch (java.io.IOException notInstalled) {
            return List.of();
        }
    }
}
