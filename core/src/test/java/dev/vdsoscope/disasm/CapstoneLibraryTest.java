package dev.vdsoscope.disasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.vdsoscope.abi.InstructionSet;
import dev.vdsoscope.elf.ElfFile;

/** Sets the Capstone search path, a system property every disassembling test reads. */
@org.junit.jupiter.api.parallel.Isolated
class CapstoneLibraryTest {
    @AfterEach
    void restoreDefaultSearch() {
        System.clearProperty(CapstoneLibrary.PATH_PROPERTY);
    }

    @Test
    void anEmptySearchPathHidesCapstoneWithTheInstallLine() {
        System.setProperty(CapstoneLibrary.PATH_PROPERTY, "");
        assertThatThrownBy(CapstoneLibrary::require).isInstanceOf(CapstoneUnavailableException.class)
                .hasMessageContaining("apt-get install libcapstone4").hasMessageNotContaining("\n");
        assertThat(CapstoneLibrary.find()).isEmpty();
    }

    @Test
    void theSystemLibraryDecodesASyscall() throws Exception {
        CapstoneLibrary library = CapstoneLibrary.require();
        assertThat(library.major()).isBetween(4, 5);
        try (Capstone cs = Capstone.open(library, InstructionSet.X86_64, java.nio.ByteOrder.LITTLE_ENDIAN, Syntax.att);
                var arena = java.lang.foreign.Arena.ofConfined()) {
            var code = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE,
                    new byte[] {(byte) 0xb8, (byte) 0xe4, 0, 0, 0, 0x0f, 0x05, (byte) 0xff});
            List<Instruction> insns = cs.decode(code, 0x1000);
            assertThat(insns).extracting(Instruction::text)
                    .containsExactly("movl $0xe4, %eax", "syscall", ".byte 0xff");
            assertThat(insns).extracting(Instruction::address).containsExactly(0x1000L, 0x1005L, 0x1007L);
        }
    }

    @Test
    void theMavenArtifactsLibraryIsExtractedOnceAndChecked(@TempDir Path cache) throws Exception {
        Optional<Path> extracted = CapstoneLibrary.extractFromMavenArtifact(cache);
        assumeTrue(extracted.isPresent(), "com.github.zhkl0228:capstone:3.1.8 is not in ~/.m2 for this platform");
        assertThat(extracted.get()).startsWith(cache).isRegularFile();
        long modified = Files.getLastModifiedTime(extracted.get()).toMillis();
        assertThat(CapstoneLibrary.extractFromMavenArtifact(cache)).contains(extracted.get());
        assertThat(Files.getLastModifiedTime(extracted.get()).toMillis()).isEqualTo(modified);
        try (var files = Files.list(cache)) {
            assertThat(files).containsExactly(extracted.get()); // no temporary file left behind
        }
        // Not loaded here: its soname is libcapstone.so.4 too, and would shadow the system library in this JVM.
        try (ElfFile elf = ElfFile.open(extracted.get())) {
            assertThat(elf.header().type().cName()).isEqualTo("ET_DYN");
        }
    }

    @Test
    void aCorruptedCachedLibraryIsReplaced(@TempDir Path cache) throws Exception {
        Optional<Path> extracted = CapstoneLibrary.extractFromMavenArtifact(cache);
        assumeTrue(extracted.isPresent(), "com.github.zhkl0228:capstone:3.1.8 is not in ~/.m2 for this platform");
        Files.write(extracted.get(), new byte[] {1, 2, 3});
        assertThat(CapstoneLibrary.extractFromMavenArtifact(cache)).contains(extracted.get());
        assertThat(Files.size(extracted.get())).isGreaterThan(100_000);
    }
}
