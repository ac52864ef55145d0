package dev.vdsoscope.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Proof, rather than timing, that a call enters the kernel: the call runs on a new platform thread
 * of its own whose one system call (by number) is made to fail with {@link #MARKER} by a seccomp
 * filter. A marker coming back proves the system call was made; a normal answer proves it was not.
 * Seccomp filters belong to the thread that installs them (no TSYNC), so no other thread of the
 * process is affected, and the filter ends with the thread. Needs no privilege: the thread sets
 * no_new_privs first, as seccomp(2) requires of an unprivileged caller.
 */
public final class SeccompMarker {
    /** An errno no system call returns (below MAX_ERRNO, 4095): what the filtered call gets. */
    public static final int MARKER = 4000;

    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int SECCOMP_SET_MODE_FILTER = 1;
    private static final int SECCOMP_RET_ALLOW = 0x7fff_0000, SECCOMP_RET_ERRNO = 0x0005_0000;
    private static final short BPF_LD_W_ABS = 0x20, BPF_JMP_JEQ_K = 0x15, BPF_RET_K = 0x06;
    /** struct seccomp_data: nr at 0, arch at 4, args[6] (u64 each) from 16. */
    private static final int DATA_NR = 0, DATA_ARCH = 4, DATA_ARGS = 16;

    private static final MethodHandle PRCTL = Libc.bind("prctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));

    /** Seccomp cannot be used here (no seccomp(2), a policy against it), or the call failed. */
    public static final class UnavailableException extends Exception {
        public UnavailableException(String message) {
            super(message);
        }
    }

    private SeccompMarker() {}

    /**
     * Runs {@code call} on a new thread on which system call {@code syscall} of the ABI
     * {@code auditArch} (AUDIT_ARCH_*) fails with {@link #MARKER} when its argument {@code argument}
     * (0 to 5) is {@code value}: the call's own buffer, so that whatever else the JVM does on that
     * thread (its own clock reads) is left alone. Returns what the call returned.
     *
     * @param seccomp the seccomp(2) system call's number on this machine
     */
    public static long underFilter(long auditArch, long syscall, int argument, long value, long seccomp,
            LongSupplier call) throws UnavailableException {
        return run(auditArch, syscall, argument, value, seccomp, call);
    }

    /**
     * Runs {@code call} on a new thread on which every call of system call {@code syscall} fails with
     * {@link #MARKER}, whatever its arguments.
     */
    public static long underFilter(long auditArch, long syscall, long seccomp, LongSupplier call)
            throws UnavailableException {
        return run(auditArch, syscall, -1, 0, seccomp, call);
    }

    private static long run(long auditArch, long syscall, int argument, long value, long seccomp, LongSupplier call)
            throws UnavailableException {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().name("vdsoscope-seccomp-proof").start(() -> {
            try {
                install(auditArch, syscall, argument, value, seccomp);
                outcome.set(call.getAsLong());
            } catch (UnavailableException | RuntimeException e) {
                outcome.set(e);
            } catch (Throwable t) {
                outcome.set(new UnavailableException("the call failed on the filtered thread: " + t));
            }
        });
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted");
        }
        Object result = outcome.get();
        if (result instanceof UnavailableException e) {
            throw e;
        }
        if (result instanceof RuntimeException e) {
            throw e;
        }
        return (Long) result;
    }

    /**
     * The filter: for this architecture, the one system call (with the one argument value, where
     * {@code argument} is 0 to 5) fails with the marker; all else is allowed.
     */
    private static void install(long auditArch, long syscall, int argument, long value, long seccomp)
            throws UnavailableException {
        try (Arena arena = Arena.ofConfined()) {
            int length = argument < 0 ? 6 : 10;
            MemorySegment program = arena.allocate(length * 8L, 8);
            int allow = length - 1;
            instruction(program, 0, BPF_LD_W_ABS, 0, 0, DATA_ARCH);
            instruction(program, 1, BPF_JMP_JEQ_K, 0, allow - 2, (int) auditArch);
            instruction(program, 2, BPF_LD_W_ABS, 0, 0, DATA_NR);
            instruction(program, 3, BPF_JMP_JEQ_K, 0, allow - 4, (int) syscall);
            if (argument >= 0) {
                // seccomp_data.args[i] is a u64 at 16 + 8i, its words in this machine's byte order.
                boolean little = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;
                int low = DATA_ARGS + 8 * argument + (little ? 0 : 4);
                int high = DATA_ARGS + 8 * argument + (little ? 4 : 0);
                instruction(program, 4, BPF_LD_W_ABS, 0, 0, low);
                instruction(program, 5, BPF_JMP_JEQ_K, 0, allow - 6, (int) value);
                instruction(program, 6, BPF_LD_W_ABS, 0, 0, high);
                instruction(program, 7, BPF_JMP_JEQ_K, 0, allow - 8, (int) (value >>> 32));
            }
            instruction(program, allow - 1, BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | MARKER);
            instruction(program, allow, BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW);
            MemorySegment fprog = arena.allocate(16, 8); // struct sock_fprog { unsigned short len; filter * }
            fprog.set(JAVA_SHORT, 0, (short) length);
            fprog.set(ADDRESS, 8, program);
            if ((int) PRCTL.invokeExact(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0) {
                throw new UnavailableException("prctl(PR_SET_NO_NEW_PRIVS) failed");
            }
            long result = Syscall.invoke(seccomp, SECCOMP_SET_MODE_FILTER, 0, fprog.address());
            if (result != 0) {
                throw new UnavailableException("seccomp(SECCOMP_SET_MODE_FILTER) failed: " + Libc.strerror((int) -result));
            }
        } catch (UnavailableException e) {
            throw e;
        } catch (Throwable t) {
            throw new UnavailableException("cannot install a seccomp filter: " + t);
        }
    }

    /** struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; } */
    private static void instruction(MemorySegment program, int index, short code, int jt, int jf, int k) {
        long at = index * 8L;
        program.set(JAVA_SHORT, at, code);
        program.set(JAVA_BYTE, at + 2, (byte) jt);
        program.set(JAVA_BYTE, at + 3, (byte) jf);
        program.set(JAVA_INT, at + 4, k);
    }
}
