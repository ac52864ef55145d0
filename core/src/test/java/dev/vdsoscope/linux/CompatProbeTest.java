package dev.vdsoscope.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import dev.vdsoscope.abi.CompatProbeProgram;
import dev.vdsoscope.proc.AuxvType;
import dev.vdsoscope.proc.LinuxProcess;

/**
 * The 32-bit process vdsoscope starts to show linux-gate.so.1: it runs from memory, has the i386
 * auxiliary vector, answers its timing requests, and never outlives the tool, even one killed by
 * SIGKILL. Where this kernel runs no i386 program (no IA32 emulation), the tests are skipped, saying so.
 */
@ResourceLock(CompatProbe.MACHINE_PROPERTY)
class CompatProbeTest {
    private static CompatProbe startOrSkip() {
        try {
            return CompatProbe.start();
        } catch (CompatProbe.UnavailableException e) {
            assumeTrue(false, "no 32-bit process here: " + e.getMessage());
            throw new AssertionError(e);
        }
    }

    private static boolean gone(long pid, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            if (!Files.exists(Path.of("/proc/" + pid)) || zombieOf(pid)) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static boolean zombieOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException e) {
            return true;
        }
    }

    @Test
    void aLive32BitProcessFromMemoryWithAtSysinfo() throws Exception {
        long pid;
        try (CompatProbe probe = startOrSkip()) {
            pid = probe.pid();
            assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString())
                    .as("run from an anonymous memory file, nothing on disk").startsWith("/memfd:");
            LinuxProcess process = LinuxProcess.of(pid);
            assertThat(process.auxv().value(AuxvType.AT_SYSINFO)).as("AT_SYSINFO").isPresent();
            assertThat(process.auxv().value(AuxvType.AT_SYSINFO_EHDR)).as("AT_SYSINFO_EHDR").isPresent();
            assertThat(Files.readString(Path.of("/proc/" + pid + "/maps"))).contains("[vdso]");
            long empty = probe.time(CompatProbeProgram.Loop.EMPTY, 1000, 0);
            long calls = probe.time(CompatProbeProgram.Loop.INT80_GETPID, 1000, 0);
            assertThat(empty).isPositive();
            assertThat(calls).isPositive();
        }
        assertThat(gone(pid, 3000)).as("the probe ends with close()").isTrue();
    }

    @Test
    void theProbeEndsWhenTheToolIsKilled() throws Exception {
        try (CompatProbe check = startOrSkip()) {
            assertThat(check.pid()).isPositive();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), ProbeHolder.class.getName()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long probePid;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                StandardCharsets.US_ASCII))) {
            probePid = Long.parseLong(out.readLine().strip());
            assertThat(Files.exists(Path.of("/proc/" + probePid))).isTrue();
            new ProcessBuilder("kill", "-KILL", Long.toString(holder.pid())).start().waitFor();
            assertThat(holder.waitFor(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            holder.destroyForcibly();
        }
        assertThat(gone(probePid, 5000)).as("the probe exits at end of file on its input").isTrue();
    }

    @Test
    void aKernelThatRunsNoSuchProgramIsOneReason() {
        // An e_machine no kernel or binfmt_misc emulator (qemu-user) takes: execve says ENOEXEC, as for i386 without IA32 emulation.
        System.setProperty(CompatProbe.MACHINE_PROPERTY, "65535");
        try {
            assertThatThrownBy(CompatProbe::start).isInstanceOf(CompatProbe.UnavailableException.class)
                    .hasMessage("this kernel does not run i386 programs (no IA32 emulation: CONFIG_IA32_EMULATION"
                            + " is off, or ia32_emulation=0 is on its command line)");
        } finally {
            System.clearProperty(CompatProbe.MACHINE_PROPERTY);
        }
    }
}
