package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.vdsoscope.disasm.CapstoneLibrary;

/**
 * A live image made from an unstripped one the way the kernel makes it: the RDTSCP alternative
 * applied at one site (replacement, then NOP padding), then the section headers dropped, as in a
 * vDSO dumped from a process whose image lost them.
 */
class PatchedImageTest {
    static final Path ORIGINAL = Path.of("test-fixtures/vdso/x86_64-linux-6.12.117-vdso64.so");
    /** A 5-byte site in __vdso_clock_gettime: rdtsc padded, or lfence; rdtsc, or rdtscp padded. */
    static final int SITE = 0xc3d;

    private static Path patched(Path directory, boolean dropSections) throws Exception {
        byte[] image = Files.readAllBytes(ORIGINAL);
        byte[] rdtscpAndNop = {0x0f, 0x01, (byte) 0xf9, 0x66, (byte) 0x90};
        System.arraycopy(rdtscpAndNop, 0, image, SITE, rdtscpAndNop.length);
        if (dropSections) {
            ByteBuffer header = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
            header.putLong(0x28, 0); // e_shoff
            header.putShort(0x3c, (short) 0); // e_shnum
            header.putShort(0x3e, (short) 0); // e_shstrndx
        }
        Path file = directory.resolve(dropSections ? "live-without-sections.so" : "live.so");
        Files.write(file, image);
        return file;
    }

    @Test
    void theDebugImageGivesTheSitesAndTheCodeAsLinked(@TempDir Path directory) throws Exception {
        Cli.Result r = Cli.run("gate", "--live", patched(directory, true).toString(), "--debug-image",
                ORIGINAL.toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.out()).contains("0xc3d <__vdso_clock_gettime+0x5d>, 5-byte patch site")
                .contains("as linked:  rdtsc; 3 bytes of nop")
                .contains("now:  rdtscp; 2 bytes of nop  <- replacement for X86_FEATURE_RDTSCP")
                .contains("now:  rdtsc; 3 bytes of nop  <- as linked: no replacement applied");
    }

    @Test
    void withoutSectionsOrDebugImageThePatchIsRecognised(@TempDir Path directory) throws Exception {
        Cli.Result r = Cli.run("gate", "--live", patched(directory, true).toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.out()).contains("sites recognised from the patched code")
                .contains("0xc3d <__vdso_clock_gettime+0x5d>, 3-byte patch site")
                .contains("now:  rdtscp  <- replacement for X86_FEATURE_RDTSCP (recognised from the code)")
                .contains("0xcd8  syscall  clock_gettime (228 = 0xe4)");
    }

    @Test
    void diffOfBuiltAndPatchedShowsThePatchedSite(@TempDir Path directory) throws Exception {
        Cli.Result r = Cli.run("diff", ORIGINAL.toString(), patched(directory, false).toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.FINDINGS);
        // rdtsc and three one-byte nops became rdtscp and one two-byte nop.
        assertThat(r.out()).contains("__vdso_clock_gettime         changed 3 of 266 instructions (266 -> 264)")
                .contains("__vdso_time                  identical bytes");
    }

    /**
     * The ARM compat vDSO marked EM_AARCH64 (183): an ELFCLASS32 AArch64 file, aarch64 ILP32, which
     * no Linux ABI here is. objdump -d decodes it as AArch64 (elf32-littleaarch64), so disasm does
     * too; the gate needs the ABI's system calls and says, in one line, that it has none.
     */
    @Test
    void anAarch64Ilp32FileIsDisassembledButHasNoGate(@TempDir Path directory) throws Exception {
        byte[] image = Files.readAllBytes(Path.of("test-fixtures/vdso/armcompat-linux-6.12.117-vdso32.so"));
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putShort(0x12, (short) 183); // e_machine
        Path file = Files.write(directory.resolve("ilp32.so"), image);
        assumeTrue(CapstoneLibrary.find().isPresent(),
                "Capstone (libcapstone4) decodes the image");
        Cli.Result disasm = Cli.run("disasm", file.toString());
        assertThat(disasm.exitCode()).as(disasm.stderr()).isZero();
        assertThat(disasm.out()).startsWith(file + ": AARCH64, ").doesNotContain("[THUMB]");
        Cli.Result gate = Cli.run("gate", file.toString());
        assertThat(gate.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(gate.stderr()).isEqualTo("vdsoscope: " + file + ": no Linux ABI is EM_AARCH64 in ELFCLASS32 and"
                + " ELFDATA2LSB: its system calls cannot be named\n");
        assertThat(gate.out()).isEmpty();
    }
}
