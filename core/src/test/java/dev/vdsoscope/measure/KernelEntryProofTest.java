package dev.vdsoscope.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.linux.SeccompMarker;
import dev.vdsoscope.linux.Syscall;
import dev.vdsoscope.vdso.ClockId;

/**
 * The seccomp proof of a fallback: calls that really enter the kernel (the CPU-time clocks, clock ids
 * the kernel does not serve) are proved to, calls the vDSO answers from its data page (the coarse
 * clocks, on any clocksource) are proved not to, and the filter marks only the system call it names.
 * CLOCK_MONOTONIC's answer depends on the clocksource, so it is checked against the host's:
 * with tsc current, it stays in user space. Skipped, saying why, where seccomp cannot be used.
 */
class KernelEntryProofTest {
    @BeforeAll
    static void needsSeccomp() {
        Optional<String> why = KernelEntryProof.unavailable();
        assumeTrue(why.isEmpty(), () -> "seccomp cannot be used here: " + why.orElse(""));
    }

    @Test
    void callsThatEnterTheKernelAreProvedTo() {
        assertThat(KernelEntryProof.clockGettime(ClockId.CLOCK_PROCESS_CPUTIME_ID)).contains(KernelEntryProof.Finding.ENTERS_KERNEL);
        assertThat(KernelEntryProof.clockGettime(ClockId.CLOCK_THREAD_CPUTIME_ID)).contains(KernelEntryProof.Finding.ENTERS_KERNEL);
        for (int invalid : new int[] {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 16, 23}) {
            assertThat(KernelEntryProof.clockGettime(invalid)).as("clock id %d", invalid)
                    .contains(KernelEntryProof.Finding.ENTERS_KERNEL);
        }
    }

    @Test
    void callsTheVdsoAnswersAreProvedNotTo() throws Exception {
        assumeTrue(dev.vdsoscope.vdso.Vdso.find().isPresent(), "this process has no vDSO: every call is a system call");
        assertThat(KernelEntryProof.clockGettime(ClockId.CLOCK_REALTIME_COARSE)).contains(KernelEntryProof.Finding.STAYS_IN_USER_SPACE);
        assertThat(KernelEntryProof.clockGettime(ClockId.CLOCK_MONOTONIC_COARSE)).contains(KernelEntryProof.Finding.STAYS_IN_USER_SPACE);
        Path current = Path.of("/sys/devices/system/clocksource/clocksource0/current_clocksource");
        if (Files.isReadable(current) && Files.readString(current).strip().equals("tsc")) {
            assertThat(KernelEntryProof.clockGettime(ClockId.CLOCK_MONOTONIC)).contains(KernelEntryProof.Finding.STAYS_IN_USER_SPACE);
            assertThat(KernelEntryProof.clockGettime(ClockId.CLOCK_REALTIME)).contains(KernelEntryProof.Finding.STAYS_IN_USER_SPACE);
        }
    }

    /** The filter can fail a call: the one it names gets the marker, another goes through. */
    @Test
    void theFilterMarksOnlyTheSystemCallItNames() throws Exception {
        LinuxAbi abi = LinuxAbi.host().orElseThrow();
        long getpid = abi.syscalls().number("getpid").orElseThrow();
        long getppid = abi.syscalls().number("getppid").orElseThrow();
        long seccomp = abi.syscalls().number("seccomp").orElseThrow();
        long pid = ProcessHandle.current().pid();
        assertThat(SeccompMarker.underFilter(abi.auditArch(), getpid, seccomp, () -> Syscall.invoke(getpid, 0, 0, 0)))
                .isEqualTo(-SeccompMarker.MARKER);
        assertThat(SeccompMarker.underFilter(abi.auditArch(), getppid, seccomp, () -> Syscall.invoke(getpid, 0, 0, 0)))
                .isEqualTo(pid);
        assertThat(Syscall.invoke(getpid, 0, 0, 0)).as("this thread has no filter").isEqualTo(pid);
        // With an argument named, only the call with that argument gets the marker.
        long clockGettime = abi.syscalls().number("clock_gettime").orElseThrow();
        int cpuClock = ClockId.CLOCK_PROCESS_CPUTIME_ID.id();
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
            long marked = arena.allocate(16, 8).address();
            long other = arena.allocate(16, 8).address();
            assertThat(SeccompMarker.underFilter(abi.auditArch(), clockGettime, 1, marked, seccomp,
                    () -> Syscall.invoke(clockGettime, cpuClock, marked, 0))).isEqualTo(-SeccompMarker.MARKER);
            assertThat(SeccompMarker.underFilter(abi.auditArch(), clockGettime, 1, marked, seccomp,
                    () -> Syscall.invoke(clockGettime, cpuClock, other, 0))).isZero();
        }
    }

    /** getrandom through the vDSO, states keyed: no system call; where the vDSO lacks it, every call is one. */
    @Test
    void getrandomsWarmPathIsProvedFree() {
        assertThat(KernelEntryProof.getrandom()).contains(dev.vdsoscope.vdso.VdsoRandom.servedByVdso()
                ? KernelEntryProof.Finding.STAYS_IN_USER_SPACE : KernelEntryProof.Finding.ENTERS_KERNEL);
    }
}
