package dev.vdsoscope.vdso;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;

import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.abi.VdsoFunction;
import dev.vdsoscope.abi.VdsoNames;
import dev.vdsoscope.linux.Libc;
import dev.vdsoscope.linux.Syscall;

/**
 * Calls into this process's vDSO. Each function is bound once, to the vDSO's own code when the
 * running kernel exports it (and it follows the C convention), else to the real system call; the
 * handles are static finals so the JIT can inline the call. The hot path allocates nothing: results
 * land in a per-thread scratch segment. vDSO functions never block, so the calls are marked
 * {@link Linker.Option#critical critical} and skip the JVM's thread-state transition.
 *
 * <p>Two costs measured with bench/ (JMH) were removed from the hot path, which came within a few
 * per cent of the same call from C once they were gone: {@link ThreadLocal#get} (about 9 ns a call on
 * a 2-core KVM guest), now skipped while one thread keeps calling, see {@link #scratch()}; and the
 * liveness check FFM makes on an {@code ADDRESS} argument from an automatic arena (about 3 ns), so the
 * result pointer is passed as a plain address ({@code JAVA_LONG}) instead.
 */
public final class VdsoCalls {
    private VdsoCalls() {}

    /** A thread's scratch memory: timespec/timeval (two longs on 64-bit Linux) then getcpu's two unsigned ints. */
    private record Scratch(Thread owner, MemorySegment memory) {}

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(
            () -> new Scratch(Thread.currentThread(), Arena.ofAuto().allocate(32, 8)));

    /**
     * The scratch last handed out. Each Scratch is only ever used by its owner, and a record's fields
     * are final, so reading this plain field from any thread is safe; a thread that finds another's
     * there takes the ThreadLocal path and puts its own.
     */
    private static Scratch lastScratch = SCRATCH.get();

    /* Pointers are passed as plain addresses (JAVA_LONG, the same register on every 64-bit ABI): the
       scratch segment stays reachable across the call because the caller reads it afterwards. */
    private static final FunctionDescriptor CLOCK = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG);
    private static final FunctionDescriptor TWO_POINTERS = FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor THREE_POINTERS = FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG,
            JAVA_LONG);
    private static final FunctionDescriptor TIME = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG);

    private static final Map<VdsoFunction, Boolean> SERVED = new EnumMap<>(VdsoFunction.class);

    private static final MethodHandle CLOCK_GETTIME = bind(VdsoFunction.CLOCK_GETTIME, CLOCK, "clockBySyscall",
            "clock_gettime");
    private static final MethodHandle CLOCK_GETRES = bind(VdsoFunction.CLOCK_GETRES, CLOCK, "clockBySyscall",
            "clock_getres");
    private static final MethodHandle GETTIMEOFDAY = bind(VdsoFunction.GETTIMEOFDAY, TWO_POINTERS,
            "gettimeofdayBySyscall", null);
    private static final MethodHandle TIME_HANDLE = bind(VdsoFunction.TIME, TIME, "timeBySyscall", null);
    private static final MethodHandle GETCPU = bind(VdsoFunction.GETCPU, THREE_POINTERS, "getcpuBySyscall", null);

    /** A time as seconds and nanoseconds (or microseconds, for gettimeofday). */
    public record Timespec(long seconds, long nanos) {
        public long toNanos() {
            return seconds * 1_000_000_000L + nanos;
        }
    }

    /** getcpu's answer: the CPU the thread ran on and its NUMA node. */
    public record Cpu(int cpu, int node) {}

    private static MethodHandle bind(VdsoFunction function, FunctionDescriptor descriptor, String fallback,
            String syscallName) {
        OptionalLong address = Vdso.find()
                .filter(v -> v.names().map(VdsoNames::callableFromC).orElse(false))
                .map(v -> v.lookup(function))
                .orElse(OptionalLong.empty());
        SERVED.put(function, address.isPresent());
        if (address.isPresent()) {
            return Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(address.getAsLong()), descriptor,
                    Linker.Option.critical(false));
        }
        try {
            MethodType type = descriptor.toMethodType();
            MethodHandle handle = MethodHandles.lookup().findStatic(VdsoCalls.class, fallback,
                    syscallName == null ? type : type.insertParameterTypes(0, String.class));
            return syscallName == null ? handle : MethodHandles.insertArguments(handle, 0, syscallName);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Whether calls to {@code function} run in the vDSO (true) or fall back to a system call. */
    public static boolean servedByVdso(VdsoFunction function) {
        return SERVED.getOrDefault(function, false);
    }

    /** This thread's scratch memory; one field read and compare while the same thread keeps calling. */
    private static MemorySegment scratch() {
        Scratch last = lastScratch;
        if (last.owner() == Thread.currentThread()) {
            return last.memory();
        }
        Scratch mine = SCRATCH.get();
        lastScratch = mine;
        return mine.memory();
    }

    /** clock_gettime(clock) in nanoseconds, allocation-free. */
    public static long clockGettimeNanos(int clock) {
        MemorySegment ts = scratch();
        int result;
        try {
            result = (int) CLOCK_GETTIME.invokeExact(clock, ts.address());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        check(result, "clock_gettime", clock);
        return ts.get(JAVA_LONG, 0) * 1_000_000_000L + ts.get(JAVA_LONG, 8);
    }

    /**
     * clock_gettime(clock) as the vDSO (or, where it has none, the system call) returns it: 0, or
     * minus errno; for proofs that look at the raw answer.
     */
    public static int clockGettimeRaw(int clock) {
        try {
            return (int) CLOCK_GETTIME.invokeExact(clock, scratch().address());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * clock_gettime(clock) raw, with the answer: returns 0 or minus errno; on 0, {@code out} holds
     * seconds and nanoseconds. For checks that compare every answer, errors included.
     */
    public static int clockGettimeInto(int clock, long[] out) {
        int result = clockGettimeRaw(clock);
        MemorySegment ts = scratch();
        out[0] = ts.get(JAVA_LONG, 0);
        out[1] = ts.get(JAVA_LONG, 8);
        return result;
    }

    /** clock_getres(clock) raw, with the answer, as {@link #clockGettimeInto}. */
    public static int clockGetresInto(int clock, long[] out) {
        int result = clockGetresRaw(clock);
        MemorySegment ts = scratch();
        out[0] = ts.get(JAVA_LONG, 0);
        out[1] = ts.get(JAVA_LONG, 8);
        return result;
    }

    /**
     * clock_gettime(clock, address) with the result pointer as given, unchecked: for the fault check
     * of {@code verify}, which calls it with a bad pointer in a child process that is expected to die
     * of it. Never call it in a process that must live.
     */
    public static int clockGettimeUnchecked(int clock, long address) {
        try {
            return (int) CLOCK_GETTIME.invokeExact(clock, address);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** clock_getres(clock, address), unchecked, as {@link #clockGettimeUnchecked}. */
    public static int clockGetresUnchecked(int clock, long address) {
        try {
            return (int) CLOCK_GETRES.invokeExact(clock, address);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** gettimeofday(address, NULL), unchecked, as {@link #clockGettimeUnchecked}. */
    public static int gettimeofdayUnchecked(long address) {
        try {
            return (int) GETTIMEOFDAY.invokeExact(address, 0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** clock_getres(clock) raw: 0, or minus errno. */
    public static int clockGetresRaw(int clock) {
        try {
            return (int) CLOCK_GETRES.invokeExact(clock, scratch().address());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static Timespec clockGettime(int clock) {
        long nanos = clockGettimeNanos(clock);
        return new Timespec(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    public static Timespec clockGetres(int clock) {
        MemorySegment ts = scratch();
        int result;
        try {
            result = (int) CLOCK_GETRES.invokeExact(clock, ts.address());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        check(result, "clock_getres", clock);
        return new Timespec(ts.get(JAVA_LONG, 0), ts.get(JAVA_LONG, 8));
    }

    /** gettimeofday() as seconds and microseconds. */
    public static Timespec gettimeofday() {
        MemorySegment tv = scratch();
        int result;
        try {
            result = (int) GETTIMEOFDAY.invokeExact(tv.address(), 0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        check(result, "gettimeofday", 0);
        return new Timespec(tv.get(JAVA_LONG, 0), tv.get(JAVA_LONG, 8));
    }

    /** time(NULL): seconds since the epoch. */
    public static long time() {
        long result;
        try {
            result = (long) TIME_HANDLE.invokeExact(0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (result < 0) {
            throw new IllegalStateException("time: " + Libc.strerror((int) -result));
        }
        return result;
    }

    public static Cpu getcpu() {
        MemorySegment scratch = scratch();
        int result;
        try {
            result = (int) GETCPU.invokeExact(scratch.address() + 16, scratch.address() + 20, 0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        check(result, "getcpu", 0);
        return new Cpu(scratch.get(JAVA_INT, 16), scratch.get(JAVA_INT, 20));
    }

    /** vDSO functions return minus errno on failure, like the system call they stand for. */
    private static void check(int result, String call, int clock) {
        if (result != 0) {
            String what = call.startsWith("clock") ? call + "(" + clock + ")" : call;
            throw new IllegalArgumentException(what + ": " + Libc.strerror(-result));
        }
    }

    private static int clockBySyscall(String name, int clock, long ts) {
        return (int) Syscall.invoke(requiredNumber(name), clock, ts, 0);
    }

    private static int gettimeofdayBySyscall(long tv, long tz) {
        OptionalLong nr = Syscall.number("gettimeofday");
        if (nr.isPresent()) {
            return (int) Syscall.invoke(nr.getAsLong(), tv, tz, 0);
        }
        // Architectures without gettimeofday (loongarch) read CLOCK_REALTIME and round to microseconds.
        int result = clockBySyscall("clock_gettime", 0, tv);
        MemorySegment timeval = MemorySegment.ofAddress(tv).reinterpret(16);
        timeval.set(JAVA_LONG, 8, timeval.get(JAVA_LONG, 8) / 1000);
        return result;
    }

    private static long timeBySyscall(long ignored) {
        OptionalLong nr = Syscall.number("time");
        if (nr.isPresent()) {
            return Syscall.invoke(nr.getAsLong(), 0, 0, 0);
        }
        MemorySegment ts = Arena.ofAuto().allocate(16, 8);
        int result = clockBySyscall("clock_gettime", 0, ts.address());
        return result < 0 ? result : ts.get(JAVA_LONG, 0);
    }

    private static int getcpuBySyscall(long cpu, long node, long cache) {
        return (int) Syscall.invoke(requiredNumber("getcpu"), cpu, node, cache);
    }

    private static long requiredNumber(String name) {
        return Syscall.number(name).orElseThrow(() -> new UnsupportedOperationException(
                name + " has no system call number known for "
                        + LinuxAbi.host().map(LinuxAbi::displayName).orElse("this machine")));
    }
}
