package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import dev.vdsoscope.disasm.CapstoneLibrary;
import dev.vdsoscope.linux.CompatProbe;

/**
 * linux-gate.so.1 on an x86-64 host, live: the report's section and the compat:i386 target, from a
 * 32-bit process the tool starts and ends. The gate this CPU got is checked against the CPU's vendor
 * as /proc/cpuinfo gives it (the kernel sets X86_FEATURE_SYSENTER32 on Intel, Centaur and Zhaoxin
 * CPUs, X86_FEATURE_SYSCALL32 on AMD and Hygon ones). Without IA32 emulation, skipped visibly; the
 * failure itself is tested by injecting it.
 */
@ResourceLock(CompatProbe.MACHINE_PROPERTY)
class LinuxGateTest {
    private static void assumeI386Runs() {
        try (CompatProbe probe = CompatProbe.start()) {
            assertThat(probe.pid()).isPositive();
        } catch (CompatProbe.UnavailableException e) {
            assumeTrue(false, "no 32-bit process here: " + e.getMessage());
        }
    }

    private static String expectedGate() throws Exception {
        Matcher vendor = Pattern.compile("(?m)^vendor_id\\s*:\\s*(\\S+)").matcher(Files.readString(Path.of("/proc/cpuinfo")));
        assumeTrue(vendor.find(), "no vendor_id in /proc/cpuinfo");
        return switch (vendor.group(1)) {
            case "AuthenticAMD", "HygonGenuine" -> "syscall (X86_FEATURE_SYSCALL32)";
            case "GenuineIntel", "CentaurHauls", "  Shanghai  " -> "sysenter (X86_FEATURE_SYSENTER32)";
            default -> {
                assumeTrue(false, "a CPU vendor whose gate is not known here: " + vendor.group(1));
                yield "";
            }
        };
    }

    @Test
    void theReportShowsLinuxGateFromA32BitProcess() throws Exception {
        assumeI386Runs();
        assumeTrue(CapstoneLibrary.find().isPresent(), "needs Capstone");
        Cli.Result r = Cli.run();
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        String section = r.out().substring(r.out().indexOf("linux-gate.so.1 (the vDSO of 32-bit processes"));
        assertThat(section).containsPattern("seen in a 32-bit process vdsoscope started \\(pid \\d+, ended since\\):"
                + " linux-gate.so.1 at 0x[0-9a-f]{8}")
                .containsPattern("auxv AT_SYSINFO 0x[0-9a-f]{8} \\(__kernel_vsyscall\\)")
                .contains("So: int $0x80 as linked (inferred);")
                .contains("on this machine: the kernel patched in " + expectedGate() + ".");
    }

    @Test
    void theReportsJsonHasTheSameSection() throws Exception {
        assumeI386Runs();
        var compat = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Cli.run("report", "--json").stdout())
                .get("compat");
        assertThat(compat.get("abi").asText()).isEqualTo("i386");
        assertThat(compat.get("soname").asText()).isEqualTo("linux-gate.so.1");
        assertThat(compat.get("entry").asText()).isEqualTo("(__kernel_vsyscall)");
        assertThat(compat.get("gate").asText()).contains("the kernel patched in " + expectedGate());
        assertThat(compat.get("int80GetpidNs").asDouble()).isPositive();
        assertThat(compat.get("unavailable").isNull()).isTrue();
    }

    @Test
    void compatI386IsATargetLikeAnyProcess() throws Exception {
        assumeI386Runs();
        Cli.Result r = Cli.run("compat:i386");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.out()).containsPattern("vDSO of pid \\d+ \\(a 32-bit process vdsoscope started\\), a 32-bit i386 process")
                .contains("soname    linux-gate.so.1")
                .containsPattern("auxv AT_SYSINFO        0x[0-9a-f]{8}  the i386 system-call entry point \\(__kernel_vsyscall\\)");
        Cli.Result symbols = Cli.run("symbols", "compat:i386");
        assertThat(symbols.out()).contains("__kernel_vsyscall");
    }

    @Test
    void withoutIa32EmulationTheReportSaysWhyInOneLine() {
        System.setProperty(CompatProbe.MACHINE_PROPERTY, "65535"); // an e_machine nothing runs (not even qemu-user through binfmt_misc): ENOEXEC, as without IA32 emulation
        try {
            Cli.Result report = Cli.run();
            assertThat(report.exitCode()).as(report.stderr()).isZero();
            assertThat(report.out()).contains("linux-gate.so.1 (the vDSO of 32-bit processes on this kernel)\n"
                    + "  not shown: this kernel does not run i386 programs (no IA32 emulation:");
            Cli.Result target = Cli.run("compat:i386");
            assertThat(target.exitCode()).isEqualTo(ExitCode.MISSING_ENVIRONMENT);
            assertThat(target.stderr()).isEqualTo("vdsoscope: compat:i386: this kernel does not run i386 programs (no"
                    + " IA32 emulation: CONFIG_IA32_EMULATION is off, or ia32_emulation=0 is on its command line)\n");
            assertThat(target.stdout()).isEmpty();
        } finally {
            System.clearProperty(CompatProbe.MACHINE_PROPERTY);
        }
    }
}
