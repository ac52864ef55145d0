package dev.vdsoscope.measure;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.linux.SeccompMarker;
import dev.vdsoscope.vdso.ClockId;
import dev.vdsoscope.vdso.VdsoCalls;
import dev.vdsoscope.vdso.VdsoRandom;

/**
 * Whether a vDSO time call enters the kernel, proved rather than timed: the call is made on a thread
 * whose matching system call a seccomp filter makes fail with a marker errno ({@link SeccompMarker}).
 * The marker coming back proves the vDSO fell back to the system call; a normal answer proves it
 * did not. Where seccomp cannot be used, the answer is empty and timing must decide.
 */
public final class KernelEntryProof {
    /** What the proof found. */
    public enum Finding {
        /** The call made its system call: the vDSO fell back (or does not serve it). */
        ENTERS_KERNEL,
        /** The call answered without its system call: served in user space. */
        STAYS_IN_USER_SPACE,
        /** The call failed with another error than the marker (an invalid clock the vDSO refuses itself). */
        FAILS_IN_USER_SPACE
    }

    private KernelEntryProof() {}

    /** clock_gettime(clock) through this process's vDSO, under the filter; empty where seccomp is unavailable. */
    public static Optional<Finding> clockGettime(int clock) {
        return prove("clock_gettime", VdsoCalls::clockGettimeUnchecked, clock);
    }

    public static Optional<Finding> clockGettime(ClockId clock) {
        return clockGettime(clock.id());
    }

    /** clock_getres(clock), likewise. */
    public static Optional<Finding> clockGetres(int clock) {
        return prove("clock_getres", VdsoCalls::clockGetresUnchecked, clock);
    }

    /**
     * getrandom(32 bytes) through the vDSO, under a filter that marks the getrandom system call, with
     * every state keyed first ({@link VdsoRandom#warm}). The vDSO also makes the call when the kernel's
     * RNG generation has changed (a reseed), so a marker is taken as proof only when it comes back
     * three times in a row. Empty where seccomp is unavailable.
     */
    public static Optional<Finding> getrandom() {
        VdsoRandom.warm();
        try (Arena arena = Arena.ofShared()) {
            Host host = host("getrandom");
            MemorySegment buffer = arena.allocate(32);
            for (int attempt = 0; attempt < 3; attempt++) {
                long result = SeccompMarker.underFilter(host.auditArch(), host.syscall(), 0, buffer.address(),
                        host.seccomp(), () -> VdsoRandom.getrandom(buffer, 0));
                if (result != -SeccompMarker.MARKER) {
                    return Optional.of(result == 32 ? Finding.STAYS_IN_USER_SPACE : Finding.FAILS_IN_USER_SPACE);
                }
                VdsoRandom.warm(); // a reseed: key the states again, then ask once more
            }
            return Optional.of(Finding.ENTERS_KERNEL);
        } catch (SeccompMarker.UnavailableException e) {
            return Optional.empty();
        }
    }

    /** Why the proof cannot be made here, or empty when it can. */
    public static Optional<String> unavailable() {
        try {
            proveOrThrow("clock_gettime", VdsoCalls::clockGettimeUnchecked, ClockId.CLOCK_MONOTONIC.id());
            return Optional.empty();
        } catch (SeccompMarker.UnavailableException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** What a filter needs of this machine: its AUDIT_ARCH, the system call's number and seccomp's. */
    private record Host(long auditArch, long syscall, long seccomp) {}

    private static Host host(String syscall) throws SeccompMarker.UnavailableException {
        LinuxAbi abi = LinuxAbi.host().orElseThrow(() -> new SeccompMarker.UnavailableException("an unknown machine"));
        long number = abi.syscalls().number(syscall).orElseThrow(
                () -> new SeccompMarker.UnavailableException(abi.displayName() + " has no " + syscall));
        long seccomp = abi.syscalls().number("seccomp").orElseThrow(
                () -> new SeccompMarker.UnavailableException(abi.displayName() + " has no seccomp"));
        return new Host(abi.auditArch(), number, seccomp);
    }

    /** A clock call given its result buffer's address: clock_gettime or clock_getres through the vDSO. */
    @FunctionalInterface
    private interface ClockCall {
        int call(int clock, long buffer);
    }

    private static Optional<Finding> prove(String syscall, ClockCall call, int clock) {
        try {
            return Optional.of(proveOrThrow(syscall, call, clock));
        } catch (SeccompMarker.UnavailableException e) {
            return Optional.empty();
        }
    }

    /**
     * The filter marks the system call only when its buffer argument (args[1]) is this proof's own
     * buffer: the JVM's own clock reads on the thread, if any, are left alone.
     */
    private static Finding proveOrThrow(String syscall, ClockCall call, int clock)
            throws SeccompMarker.UnavailableException {
        Host host = host(syscall);
        try (Arena arena = Arena.ofShared()) {
            long buffer = arena.allocate(16, 8).address();
            call.call(clock, buffer); // binds the call before the filter, so nothing but the call itself runs under it
            long result = SeccompMarker.underFilter(host.auditArch(), host.syscall(), 1, buffer, host.seccomp(),
                    () -> call.call(clock, buffer));
            if (result == -SeccompMarker.MARKER) {
                return Finding.ENTERS_KERNEL;
            }
            return result == 0 ? Finding.STAYS_IN_USER_SPACE : Finding.FAILS_IN_USER_SPACE;
        }
    }
}
