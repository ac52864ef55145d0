package dev.vdsoscope.vdso;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicIntegerArray;

import dev.vdsoscope.abi.VdsoFunction;
import dev.vdsoscope.linux.Libc;
import dev.vdsoscope.linux.Syscall;

/**
 * getrandom(2) through this process's vDSO (Linux 6.11+), following the kernel's ABI
 * (lib/vdso/getrandom.c, tools/testing/selftests/vDSO/vdso_test_getrandom.c):
 * <ul>
 * <li>the vDSO is asked for {@code struct vgetrandom_opaque_params} (buffer NULL, length 0, flags 0,
 * the params as the state, length ~0): the size of one opaque state and the mmap protection and
 * flags its memory needs (MAP_DROPPABLE on x86-64);</li>
 * <li>states live in memory mapped with exactly those, packed so that none crosses a page boundary
 * (the vDSO returns -EFAULT for one that does);</li>
 * <li>a state is used by one thread at a time: a fixed pool hands them out with a compare-and-set on
 * a slot array, so a call allocates nothing, platform and virtual threads alike; a call that finds
 * every state busy uses the system call;</li>
 * <li>the vDSO makes the system call itself on a state's first use and whenever the kernel's RNG
 * generation changes; an error from it is returned as the system call would return it.</li>
 * </ul>
 * Where the vDSO has no getrandom (kernels before 6.11, other ABIs), every call is the system call.
 * The bytes always come from the kernel: nothing here expands or mixes them.
 */
public final class VdsoRandom {
    /** getrandom(2) flags. */
    public static final int GRND_NONBLOCK = 0x1, GRND_RANDOM = 0x2, GRND_INSECURE = 0x4;
    private static final int KNOWN_FLAGS = GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE;
    private static final int EINVAL = 22;
    private static final long PAGE = 4096;
    /** States in the pool: enough for every core, and more threads than cores waiting on none. */
    static final int POOL_STATES = Math.max(64, 4 * Runtime.getRuntime().availableProcessors());

    /** What the vDSO says its states need. */
    public record Params(int stateSize, int mmapProt, int mmapFlags) {}

    /* The buffer is an ADDRESS, so that FFM refuses a heap segment and checks the segment is alive. */
    private static final FunctionDescriptor GETRANDOM = FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG,
            JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor HEAP = FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT,
            JAVA_LONG, JAVA_LONG);

    private static final class Holder {
        static final MethodHandle CALL;
        /** The same function, given a Java array directly (a critical call may take heap memory). */
        static final MethodHandle CALL_HEAP;
        static final Params PARAMS;
        static final MemorySegment STATES;
        static final AtomicIntegerArray BUSY = new AtomicIntegerArray(POOL_STATES);
        static final long SYSCALL = Syscall.number("getrandom").orElse(-1);

        static {
            MethodHandle call = null;
            Params params = null;
            MemorySegment states = null;
            OptionalLong address = Vdso.find().filter(v -> !Boolean.getBoolean(HIDE_PROPERTY))
                    .map(v -> v.lookup(VdsoFunction.GETRANDOM)).orElse(OptionalLong.empty());
            if (address.isPresent()) {
                call = Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(address.getAsLong()), GETRANDOM);
                params = query(call);
                states = params == null ? null : allocate(params);
            }
            CALL = states == null ? null : call;
            CALL_HEAP = states == null ? null : Linker.nativeLinker().downcallHandle(
                    MemorySegment.ofAddress(address.getAsLong()), HEAP, Linker.Option.critical(true));
            PARAMS = states == null ? null : params;
            STATES = states;
        }
    }

    /** Test hook: with this property true, the vDSO's getrandom is treated as absent (as on Linux 6.1). */
    public static final String HIDE_PROPERTY = "vdsoscope.hideVdsoGetrandom";

    private VdsoRandom() {}

    /** The vDSO's state parameters, or empty where the vDSO has no usable getrandom. */
    public static Optional<Params> params() {
        return Optional.ofNullable(Holder.PARAMS);
    }

    /** Whether calls go through the vDSO (else each is the system call). */
    public static boolean servedByVdso() {
        return Holder.CALL != null;
    }

    /**
     * Fills {@code buffer} (native memory, alive: FFM checks both) with up to its size in random bytes,
     * as getrandom(2) with these flags; returns the count (which may be short, as the system call's
     * may), or minus errno.
     *
     * @throws IllegalArgumentException for a heap segment
     */
    public static long getrandom(MemorySegment buffer, int flags) {
        if (!buffer.isNative()) {
            throw new IllegalArgumentException("getrandom needs native memory (a heap segment has no address)");
        }
        long length = buffer.byteSize();
        if (!validFlags(flags)) {
            return -EINVAL;
        }
        if (Holder.CALL == null) {
            return syscall(buffer, length, flags);
        }
        int slot = acquire();
        if (slot < 0) {
            return syscall(buffer, length, flags);
        }
        try {
            return (long) Holder.CALL.invokeExact(buffer, length, flags, stateAddress(slot),
                    (long) Holder.PARAMS.stateSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        } finally {
            Holder.BUSY.set(slot, 0);
        }
    }

    /**
     * Fills {@code bytes[offset, offset + length)} completely with random bytes from the kernel,
     * looping over short counts; returns 0, or minus errno (EAGAIN under GRND_NONBLOCK before the
     * kernel's RNG is ready, EINVAL for unknown flags). Allocates nothing once the kernel's RNG is
     * known to be ready: the vDSO then writes into the array in critical calls of at most
     * {@link #CRITICAL_CHUNK} bytes each (a critical call holds off the JVM's safepoints, so it must be
     * short, and must not block). Until the RNG is known ready, and for GRND_RANDOM, each call goes
     * through native memory in an ordinary call, which may block.
     */
    public static int fill(byte[] bytes, int offset, int length, int flags) {
        java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
        if (!validFlags(flags)) {
            return -EINVAL;
        }
        int done = 0;
        while (done < length) {
            long n = fillOnce(bytes, offset + done, length - done, flags);
            if (n < 0) {
                return (int) n;
            }
            done += (int) n;
        }
        return 0;
    }

    /** The largest piece one critical call fills: a few microseconds of ChaCha20. */
    static final int CRITICAL_CHUNK = 16 * 1024;
    /** Set once a non-blocking getrandom has succeeded: the kernel's RNG, once ready, stays ready. */
    private static volatile boolean rngReady;

    private static boolean rngReady() {
        if (!rngReady) {
            try (Arena arena = Arena.ofConfined()) {
                rngReady = syscall(arena.allocate(1), 1, GRND_NONBLOCK) == 1;
            }
        }
        return rngReady;
    }

    private static long fillOnce(byte[] bytes, int offset, int length, int flags) {
        boolean critical = Holder.CALL_HEAP != null && (flags & GRND_RANDOM) == 0
                && ((flags & (GRND_NONBLOCK | GRND_INSECURE)) != 0 || rngReady());
        int slot = critical ? acquire() : -1;
        if (slot < 0) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buffer = arena.allocate(length);
                long n = Holder.CALL != null && (flags & GRND_RANDOM) == 0 ? getrandom(buffer, flags)
                        : syscall(buffer, length, flags);
                if (n > 0) {
                    MemorySegment.copy(buffer, JAVA_BYTE, 0, bytes, offset, (int) n);
                }
                return n;
            }
        }
        int piece = Math.min(length, CRITICAL_CHUNK);
        try {
            return (long) Holder.CALL_HEAP.invokeExact(MemorySegment.ofArray(bytes).asSlice(offset, piece), (long) piece,
                    flags, stateAddress(slot), (long) Holder.PARAMS.stateSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        } finally {
            Holder.BUSY.set(slot, 0);
        }
    }

    /**
     * Gives every state of the pool its first use, in which the vDSO makes the getrandom system call
     * to key it; after this, calls make no system call until the kernel's RNG generation changes.
     * For proofs and benchmarks that must see the fast path only.
     */
    public static void warm() {
        if (Holder.CALL == null) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(32);
            for (int slot = 0; slot < POOL_STATES; slot++) {
                if (Holder.BUSY.compareAndSet(slot, 0, 1)) {
                    try {
                        long ignored = (long) Holder.CALL.invokeExact(buffer, 32L, 0, stateAddress(slot),
                                (long) Holder.PARAMS.stateSize());
                    } catch (Throwable t) {
                        throw new AssertionError(t);
                    } finally {
                        Holder.BUSY.set(slot, 0);
                    }
                }
            }
        }
    }

    /** The getrandom system call itself, for comparison and fallback. */
    public static long syscall(MemorySegment buffer, long length, int flags) {
        if (!buffer.isNative() || length > buffer.byteSize()) {
            throw new IllegalArgumentException("getrandom needs native memory of at least " + length + " bytes");
        }
        if (Holder.SYSCALL < 0) {
            return -38; // ENOSYS: no getrandom number known for this machine
        }
        return Syscall.invoke(Holder.SYSCALL, buffer.address(), length, flags);
    }

    /**
     * The flags the system call takes: the known three, and not GRND_INSECURE with GRND_RANDOM (the
     * system call refuses that pair with EINVAL; the vDSO of 6.11 to 6.18 would answer it, so it is
     * refused here first, for the same answer on every path).
     */
    private static boolean validFlags(int flags) {
        return (flags & ~KNOWN_FLAGS) == 0 && (flags & (GRND_INSECURE | GRND_RANDOM)) != (GRND_INSECURE | GRND_RANDOM);
    }

    /** How many states are handed out at this moment (0 when no call is in progress). */
    public static int statesInUse() {
        int busy = 0;
        for (int i = 0; i < POOL_STATES; i++) {
            busy += Holder.BUSY.get(i);
        }
        return busy;
    }

    /** A free state, marked busy; -1 when every one is in use. Starts where the thread's id points. */
    private static int acquire() {
        int start = (int) (Thread.currentThread().threadId() % POOL_STATES);
        for (int i = 0; i < POOL_STATES; i++) {
            int slot = (start + i) % POOL_STATES;
            if (Holder.BUSY.get(slot) == 0 && Holder.BUSY.compareAndSet(slot, 0, 1)) {
                return slot;
            }
        }
        return -1;
    }

    /** States are packed page by page: {@code perPage} to a page, none across a boundary. */
    private static long stateAddress(int slot) {
        int perPage = (int) (PAGE / Holder.PARAMS.stateSize());
        return Holder.STATES.address() + (slot / perPage) * PAGE + (long) (slot % perPage) * Holder.PARAMS.stateSize();
    }

    /** vgetrandom_opaque_params: size_of_opaque_state, mmap_prot, mmap_flags, then 13 reserved words. */
    private static Params query(MethodHandle call) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(16 * 4, 8);
            long result = (long) call.invokeExact(MemorySegment.NULL, 0L, 0, params.address(), -1L);
            int size = params.get(JAVA_INT, 0);
            if (result != 0 || size <= 0 || size > PAGE) {
                return null;
            }
            return new Params(size, params.get(JAVA_INT, 4), params.get(JAVA_INT, 8));
        } catch (Throwable t) {
            return null;
        }
    }

    /** The pool's memory, mapped as the vDSO asked; never unmapped (the pool lives as long as the process). */
    private static MemorySegment allocate(Params params) {
        int perPage = (int) (PAGE / params.stateSize());
        long pages = (POOL_STATES + perPage - 1) / perPage;
        long address = Libc.mmap(pages * PAGE, params.mmapProt(), params.mmapFlags());
        return address == -1 ? null : MemorySegment.ofAddress(address).reinterpret(pages * PAGE);
    }
}
