package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.vdsoscope.disasm.CapstoneLibrary;

/** Sets the Capstone search path, a system property every disassembling test reads. */
@org.junit.jupiter.api.parallel.Isolated
class GateAndDisasmCommandsTest {
    static final String FIXTURES = "test-fixtures/vdso/";

    @AfterEach
    void restoreDefaultSearch() {
        System.clearProperty(CapstoneLibrary.PATH_PROPERTY);
    }

    @Test
    void i386CompatGateTellsTheThreeWayStory() {
        Cli.Result r = Cli.run("gate", FIXTURES + "i386compat-linux-6.12.117-vdso32.so");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.out())
                .contains("__kernel_vsyscall  0x580: the i386 system-call gate itself")
                .contains("0x587  int $0x80")
                .contains("with X86_FEATURE_SYSENTER32 (3*32+15):  movl %esp, %ebp; sysenter")
                .contains("with X86_FEATURE_SYSCALL32 (3*32+14):  movl %ecx, %ebp; syscall")
                .contains("So: int $0x80 as linked; sysenter when the CPU has X86_FEATURE_SYSENTER32;"
                        + " syscall when the CPU has X86_FEATURE_SYSCALL32.")
                .contains("__kernel_sigreturn  0x5a0: a pure trampoline into the kernel")
                .contains("0x5a6  int $0x80  sigreturn (119 = 0x77)")
                .contains("0x1454  call __kernel_vsyscall  clock_gettime64 (403 = 0x193)")
                .contains("14-byte entries");
    }

    @Test
    void nativeI386GateUsesSep() {
        Cli.Result r = Cli.run("gate", FIXTURES + "i386-linux-6.1-686-vdso32.so");
        assertThat(r.out()).contains("with X86_FEATURE_SEP (0*32+11)").contains("12-byte entries")
                .contains("So: int $0x80 as linked; sysenter when the CPU has X86_FEATURE_SEP.");
    }

    @Test
    void the12ByteLayoutIsChosenWhere14AlsoDividesTheSection() {
        // 84 bytes of .altinstructions: 7 entries of 12 or 6 of 14; only 12 decodes to sane entries.
        Cli.Result r = Cli.run("gate", FIXTURES + "x86_64-linux-6.1-vdso64.so");
        assertThat(r.out()).contains("7 entries, 12-byte entries")
                .contains("14-byte entries divide the section but do not fit")
                .contains("with X86_FEATURE_LFENCE_RDTSC (3*32+18):  lfence; rdtsc");
    }

    @Test
    void rdpidIsNotMistakenForRdseed() {
        // Capstone 4 decodes F3 0F C7 F8 as rdseed; the getcpu alternative is RDPID.
        assertThat(Cli.run("gate", FIXTURES + "x86_64-linux-6.12.117-vdso64.so").out())
                .contains("with X86_FEATURE_RDPID (16*32+22):  rdpid %rax").doesNotContain("rdseed");
    }

    @Test
    void anotherProcessIsReadThroughProcPidMem() {
        assumeTrue(System.getProperty("os.arch").equals("amd64"), "x86-64 only");
        Cli.Result r = Cli.run("disasm", "--pid", Long.toString(ProcessHandle.current().pid()), "--symbol",
                "clock_gettime");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.out()).contains("[vdso]").contains("syscall");
    }

    @Test
    void theX32ImageFallsBackWithX8664Numbers() {
        assertThat(Cli.run("gate", FIXTURES + "x32-linux-6.12.117-vdsox32.so").out())
                .contains("0xa58  syscall  clock_gettime (228 = 0xe4)");
    }

    @Test
    void arm64AndArmFallbacksAreNamed() {
        assertThat(Cli.run("gate", FIXTURES + "aarch64-linux-6.12.117-vdso.so").out())
                .contains("0x3fc  svc #0  clock_gettime (113 = 0x71)")
                .contains("__kernel_rt_sigreturn = VDSO_sigtramp  0x820: a pure trampoline into the kernel");
        assertThat(Cli.run("gate", FIXTURES + "armcompat-linux-6.12.117-vdso32.so").out())
                .contains("0x716  svc #0  clock_gettime64 (403 = 0x193)");
    }

    @Test
    void aLiveDumpShowsWhichAlternativeWasApplied() {
        Cli.Result r = Cli.run("gate", "--live", FIXTURES + "x86_64-linux-6.18.44-live-vdso.so");
        assertThat(r.out()).contains("now:  lfence; rdtsc  <- replacement for X86_FEATURE_LFENCE_RDTSC");
    }

    @Test
    void thisMachinesVdsoNamesItsFallbackSyscalls() throws Exception {
        assumeTrue(System.getProperty("os.arch").equals("amd64"), "x86-64 only");
        Cli.Result r = Cli.run("gate", "--json");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode functions = new ObjectMapper().readTree(r.stdout()).path("gate").path("functions");
        assertThat(syscalls(functions, "clock_gettime")).contains("syscall clock_gettime");
        assertThat(syscalls(functions, "gettimeofday")).contains("syscall gettimeofday");
        // time() has no fallback in current kernels; if it ever has one, it must be named.
        assertThat(syscalls(functions, "time")).allMatch(s -> s.equals("syscall time"));
        assertThat(Cli.run("gate").out()).contains("syscall  clock_gettime (228 = 0xe4)");
    }

    private static List<String> syscalls(JsonNode functions, String name) {
        for (JsonNode f : functions) {
            for (JsonNode n : f.path("names")) {
                if (n.asText().equals(name)) {
                    return f.path("entries").valueStream().filter(e -> e.path("feature").isNull())
                            .map(e -> e.path("instruction").asText() + " " + e.path("syscall").asText()).toList();
                }
            }
        }
        throw new AssertionError("no function " + name);
    }

    @Test
    void withoutCapstoneTheReportRunsAndSaysWhatIsMissing() {
        System.setProperty(CapstoneLibrary.PATH_PROPERTY, "");
        Cli.Result report = Cli.run("report");
        assertThat(report.exitCode()).as(report.stderr()).isZero();
        assertThat(report.out()).contains("Exported functions")
                .contains("System-call gate: not analysed: Capstone not found")
                .contains("apt-get install libcapstone4");
        Cli.Result json = Cli.run("report", "--json");
        assertThat(json.exitCode()).isZero();
        assertThat(json.out()).contains("\"unavailable\" : \"Capstone not found");
        Cli.Result disasm = Cli.run("disasm");
        assertThat(disasm.exitCode()).isEqualTo(ExitCode.MISSING_ENVIRONMENT);
        assertThat(disasm.out()).isEmpty();
        assertThat(disasm.stderr().lines()).hasSize(1).first().asString()
                .startsWith("vdsoscope: Capstone").contains("apt-get install libcapstone4");
    }

    @Test
    void theReportAnalysesItsOwnGate() throws Exception {
        Cli.Result r = Cli.run("report", "--json");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode gate = new ObjectMapper().readTree(r.stdout()).path("gate");
        assertThat(gate.path("live").asBoolean()).isTrue();
        assertThat(gate.path("functions").size()).isGreaterThan(2);
        assertThat(Cli.run("report").out()).contains("System-call gate (how each function enters the kernel");
    }

    @Test
    void disasmShowsBranchTargetsAndAliases() {
        Cli.Result r = Cli.run("disasm", "--symbol", "time", FIXTURES + "x86_64-linux-6.12.117-vdso64.so");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.out()).contains("<__vdso_time>:  (also time)").containsPattern("je +0x[0-9a-f]+ <__vdso_time\\+0x");
        Cli.Result thumb = Cli.run("disasm", "--symbol", "__vdso_clock_gettime",
                FIXTURES + "armcompat-linux-6.12.117-vdso32.so");
        assertThat(thumb.out()).contains("[THUMB]").contains("push.w");
    }
}
