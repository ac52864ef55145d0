package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

import dev.vdsoscope.disasm.CapstoneLibrary;

/**
 * A vDSO whose exported functions enter the kernel through a local function they call: Debian 12's
 * s390x vDSO, where __kernel_gettimeofday calls __s390_vdso_gettimeofday, whose fallback is
 * {@code lghi %r1,78; svc 0} (objdump -d of the fixture shows the same instructions and numbers).
 */
class LocalHelperGateTest {
    static final String S390X = "test-fixtures/vdso/s390x-linux-6.1-vdso64.so";

    @Test
    void theFallbacksInLocalHelpersAreFoundAndNamed() {
        assumeTrue(CapstoneLibrary.find().isPresent(), "needs Capstone");
        Cli.Result r = Cli.run("gate", S390X);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.out())
                .contains("__kernel_gettimeofday  0x3f0: a fast path in user space, with a system-call fallback\n"
                        + "  0x5d2  svc 0  gettimeofday (78 = 0x4e)  in __s390_vdso_gettimeofday, a local function it calls\n")
                .contains("  0x7fa  svc 0  clock_gettime (260 = 0x104)  in __s390_vdso_clock_gettime")
                .contains("  0xab8  svc 0  clock_getres (261 = 0x105)  in __s390_vdso_clock_getres")
                .contains("__kernel_getcpu  0x450: stays in user space: no kernel entry")
                .doesNotContain("system call (");
    }
}
