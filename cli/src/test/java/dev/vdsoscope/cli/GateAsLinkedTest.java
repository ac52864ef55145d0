package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.vdsoscope.disasm.CapstoneLibrary;

/**
 * The gate as linked against the gate as running, on both CPU vendors' stories whatever CPU runs the
 * suite: Debian's 6.12 i386 compat vDSO with __kernel_vsyscall's site patched as the kernel patches
 * it at boot, on an Intel CPU (X86_FEATURE_SYSENTER32: {@code movl %esp, %ebp; sysenter}) and on an
 * AMD one (X86_FEATURE_SYSCALL32: {@code movl %ecx, %ebp; syscall}), as {@code dump} would save it.
 */
class GateAsLinkedTest {
    static final Path PRISTINE = Path.of("test-fixtures/vdso/i386compat-linux-6.12.117-vdso32.so");
    /** __kernel_vsyscall+0x3: four bytes of NOP as linked, then int $0x80 at +0x7 (objdump -d of the fixture). */
    static final int SITE = 0x583;
    static final byte[] SYSENTER = {(byte) 0x89, (byte) 0xe5, 0x0f, 0x34};
    static final byte[] SYSCALL = {(byte) 0x89, (byte) 0xcd, 0x0f, 0x05};

    @TempDir
    Path dir;

    @BeforeAll
    static void needsCapstone() {
        assumeTrue(CapstoneLibrary.find().isPresent(), "needs Capstone");
    }

    private Path patched(String name, byte[] replacement) throws Exception {
        byte[] image = Files.readAllBytes(PRISTINE);
        for (int i = 0; i < 4; i++) {
            assertThat(image[SITE + i]).as("the fixture's site holds NOPs").isEqualTo((byte) 0x90);
        }
        System.arraycopy(replacement, 0, image, SITE, replacement.length);
        return Files.write(dir.resolve(name), image);
    }

    @Test
    void aDumpFromAnAmdMachineSaysIntAs80AsLinkedInferredAndSyscallPatchedIn() throws Exception {
        Cli.Result r = Cli.run("gate", patched("amd.so", SYSCALL).toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.out()).contains("Note: this file holds patched code")
                .contains("as linked:  4 bytes of nop  (inferred: ")
                .contains("now:  movl %ecx, %ebp; syscall  <- replacement for X86_FEATURE_SYSCALL32")
                .contains("So: int $0x80 as linked (inferred); sysenter when the CPU has X86_FEATURE_SYSENTER32;"
                        + " syscall when the CPU has X86_FEATURE_SYSCALL32; in this image: the kernel patched in"
                        + " syscall (X86_FEATURE_SYSCALL32).");
    }

    @Test
    void aDumpFromAnIntelMachineSaysSysenterPatchedIn() throws Exception {
        Cli.Result r = Cli.run("gate", patched("intel.so", SYSENTER).toString());
        assertThat(r.out()).contains("now:  movl %esp, %ebp; sysenter  <- replacement for X86_FEATURE_SYSENTER32")
                .contains("int $0x80 as linked (inferred)")
                .contains("in this image: the kernel patched in sysenter (X86_FEATURE_SYSENTER32).");
    }

    @Test
    void theImageAsLinkedGivenBesideIsReadNotInferred() throws Exception {
        Cli.Result r = Cli.run("gate", "--live", patched("amd.so", SYSCALL).toString(), "--debug-image",
                PRISTINE.toString());
        assertThat(r.out()).contains("as linked:  4 bytes of nop  (read from the unstripped image)")
                .contains("So: int $0x80 as linked; sysenter when")
                .contains("on this machine: the kernel patched in syscall (X86_FEATURE_SYSCALL32).")
                .doesNotContain("inferred");
    }

    @Test
    void aFileAsLinkedIsUnchanged() {
        Cli.Result r = Cli.run("gate", PRISTINE.toString());
        assertThat(r.out()).contains("as linked:  4 bytes of nop\n")
                .contains("So: int $0x80 as linked; sysenter when the CPU has X86_FEATURE_SYSENTER32; syscall when"
                        + " the CPU has X86_FEATURE_SYSCALL32.\n")
                .doesNotContain("patched code").doesNotContain("inferred").doesNotContain("now:");
    }

    @Test
    void aSiteWhoseOriginalIsCodeIsNotRecoverableFromAPatchedImage() {
        // The live x86-64 fixture was dumped from a process: its rdtsc sites hold RDTSCP, the original gone.
        Cli.Result r = Cli.run("gate", "test-fixtures/vdso/x86_64-linux-6.18.44-live-vdso.so");
        assertThat(r.out()).contains("Note: this file holds patched code")
                .contains("as linked:  not recoverable from memory (give --debug-image)");
    }

    /**
     * The fixture's .altinstructions replayed as a 64-bit kernel applies them on recorded CPUs: Intel,
     * Centaur and Zhaoxin CPUs get sysenter (X86_FEATURE_SYSENTER32), AMD and Hygon ones syscall.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"intel-haswell, sysenter (X86_FEATURE_SYSENTER32)",
            "intel-westmere, sysenter (X86_FEATURE_SYSENTER32)", "zhaoxin-kx6000, sysenter (X86_FEATURE_SYSENTER32)",
            "amd-zen2, syscall (X86_FEATURE_SYSCALL32)", "amd-zen4, syscall (X86_FEATURE_SYSCALL32)",
            "hygon-dhyana, syscall (X86_FEATURE_SYSCALL32)"})
    void eachVendorsGateReplayedFromARecordedCpu(String cpu, String gate) {
        Cli.Result r = Cli.run("gate", "--cpu", cpu, PRISTINE.toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.out()).contains("Kernel entries of " + PRISTINE + " as patched on " + cpu)
                .contains("So: int $0x80 as linked; sysenter when the CPU has X86_FEATURE_SYSENTER32; syscall when the"
                        + " CPU has X86_FEATURE_SYSCALL32; on " + cpu + ": the kernel patched in " + gate + ".");
    }

    /**
     * The model against the kernel of the machine the suite runs on: the fixture patched for this CPU
     * gets the gate this kernel patched into a live 32-bit process's linux-gate.so.1.
     */
    @Test
    void theModelPatchesAsThisKernelDid() {
        Cli.Result live = Cli.run("gate", "compat:i386");
        assumeTrue(live.exitCode() == 0, "no 32-bit process here: " + live.stderr());
        java.util.regex.Matcher patched = java.util.regex.Pattern.compile("on this machine: the kernel patched in ([^.]+)\\.")
                .matcher(live.out());
        assertThat(patched.find()).as(live.out()).isTrue();
        Cli.Result modelled = Cli.run("gate", "--cpu", "host", PRISTINE.toString());
        assumeTrue(modelled.exitCode() == 0, "cpuid cannot run here: " + modelled.stderr());
        assertThat(modelled.out()).contains("on host: the kernel patched in " + patched.group(1) + ".");
    }
}
