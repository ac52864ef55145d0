package dev.vdsoscope.linux;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.OptionalLong;
import dev.vdsoscope.abi.LinuxAbi;

/**
 * A real system call through libc's syscall(2), bypassing both the vDSO and libc's wrappers: the
 * control against which vDSO calls are measured, and the fallback where a vDSO lacks a function.
 */
public final class Syscall {
    private Syscall() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** syscall(long number, ...): every variadic argument is passed as a long, as the kernel reads them. */
    private static final MethodHandle SYSCALL3 = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));

    private static final ThreadLocal<MemorySegment> STATE = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(CALL_STATE));

    /** The number of a system call on the running architecture, if it has one. */
    public static OptionalLong number(String name) {
        return LinuxAbi.host().map(abi -> abi.syscalls().number(name)).orElse(OptionalLong.empty());
    }

    /** Makes the call; returns its result, or minus errno on failure (the kernel's own convention). */
    public static long invoke(long number, long a, long b, long c) {
        MemorySegment state = STATE.get();
        try {
            long result = (long) SYSCALL3.invokeExact(state, number, a, b, c);
            return result == -1 ? -(int) ERRNO.get(state, 0L) : result;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
