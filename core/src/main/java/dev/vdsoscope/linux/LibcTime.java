package dev.vdsoscope.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * libc's time functions, and syscall(2), bound the way the vdso package binds the
 * vDSO's: critical, pointers as plain addresses, no errno capture. They exist to be measured against
 * the vDSO, so the only difference between the paths is what runs on the native side. Only for
 * calls that return at once: a critical call keeps the JVM from reaching a safepoint.
 */
public final class LibcTime {
    private LibcTime() {}

    private static final Linker.Option CRITICAL = Linker.Option.critical(false);

    private static final MethodHandle CLOCK_GETTIME = Libc.bind("clock_gettime",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), CRITICAL);
    private static final MethodHandle CLOCK_GETRES = Libc.bind("clock_getres",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), CRITICAL);
    private static final MethodHandle GETTIMEOFDAY = Libc.bind("gettimeofday",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), CRITICAL);
    private static final MethodHandle TIME = Libc.bind("time", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), CRITICAL);
    private static final MethodHandle GETCPU = Libc.bind("getcpu",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), CRITICAL);
    private static final MethodHandle SYSCALL = Libc.bind("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), CRITICAL);

    /** clock_gettime(clock, (struct timespec *) timespec); 0 or -1. */
    public static int clockGettime(int clock, long timespec) {
        try {
            return (int) CLOCK_GETTIME.invokeExact(clock, timespec);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int clockGetres(int clock, long timespec) {
        try {
            return (int) CLOCK_GETRES.invokeExact(clock, timespec);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** gettimeofday(timeval, NULL). */
    public static int gettimeofday(long timeval) {
        try {
            return (int) GETTIMEOFDAY.invokeExact(timeval, 0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** time(NULL). */
    public static long time() {
        try {
            return (long) TIME.invokeExact(0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** getcpu(cpu, node): glibc's wrapper, which uses the vDSO where it can. */
    public static int getcpu(long cpu, long node) {
        try {
            return (int) GETCPU.invokeExact(cpu, node);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** syscall(number, a, b, c): always enters the kernel; -1 on failure (errno is not kept). */
    public static long syscall(long number, long a, long b, long c) {
        try {
            return (long) SYSCALL.invokeExact(number, a, b, c);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
