package dev.vdsoscope.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc functions vdsoscope needs, bound through FFM (no JNI). Calls that can fail capture
 * {@code errno} atomically with the call, as FFM's captureCallState guarantees.
 */
public final class Libc {
    private Libc() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    /** memfd_create(2) flags: close-on-exec, and executable (Linux 6.3+, where vm.memfd_noexec may ask for it). */
    public static final int MFD_CLOEXEC = 0x1, MFD_EXEC = 0x10;
    /** pipe2(2) flag: reads and writes that would block fail with EAGAIN instead. */
    public static final int O_NONBLOCK = 0x800;
    /** Bad address: what a system call answers when user memory it was given cannot be accessed. */
    public static final int EFAULT = 14;
    public static final int EIO = 5, EACCES = 13, EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EPIPE = 32;

    static MethodHandle bind(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(
                () -> new UnsatisfiedLinkError("libc has no " + name)), descriptor, options);
    }

    private static final MethodHandle GETAUXVAL = bind("getauxval", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
    private static final MethodHandle OPEN = bind("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
            CAPTURE_ERRNO);
    private static final MethodHandle PREAD = bind("pread64",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MEMFD_CREATE = bind("memfd_create",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle MMAP = bind("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle SCHED_SETAFFINITY = bind("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle SCHED_GETAFFINITY = bind("sched_getaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle WRITE = bind("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle READ = bind("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle PIPE2 = bind("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
            CAPTURE_ERRNO);
    private static final MethodHandle STRERROR = bind("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle SCHED_GETCPU = bind("sched_getcpu", FunctionDescriptor.of(JAVA_INT));

    /** An errno-carrying failure of a libc call. */
    public static final class ErrnoException extends Exception {
        private final int errno;

        public ErrnoException(String call, int errno) {
            super(call + ": " + strerror(errno));
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }

    /** getauxval(3): a value of this process's auxiliary vector, 0 when absent. */
    public static long getauxval(long type) {
        try {
            return (long) GETAUXVAL.invokeExact(type);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static String strerror(int errno) {
        try {
            MemorySegment message = (MemorySegment) STRERROR.invokeExact(errno);
            return message.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    public static int schedGetcpu() {
        try {
            return (int) SCHED_GETCPU.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** open(2) read-only, close-on-exec. */
    public static int openReadOnly(String path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                throw new ErrnoException("open " + path, (int) ERRNO.get(state, 0L));
            }
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * pread(2) into {@code buffer}; returns the byte count (0 at end). The offset is passed as the
     * unsigned 64-bit value the kernel sees, which is how addresses above 2^63 (the x86-64
     * [vsyscall] page) are read from /proc/PID/mem, where Java's FileChannel refuses them.
     */
    public static long pread(int fd, MemorySegment buffer, long offset) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            while (true) {
                long n = (long) PREAD.invokeExact(state, fd, buffer, buffer.byteSize(), offset);
                if (n >= 0) {
                    return n;
                }
                int errno = (int) ERRNO.get(state, 0L);
                if (errno != EINTR) {
                    throw new ErrnoException("pread at 0x" + Long.toHexString(offset), errno);
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** pipe2(2): a pipe's read end and write end, in that order. */
    public static int[] pipe2(int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if ((int) PIPE2.invokeExact(state, fds, flags) != 0) {
                throw new ErrnoException("pipe2", (int) ERRNO.get(state, 0L));
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * One write(2) of {@code length} bytes at {@code address}, an address of this process given to
     * the kernel as it is (the JVM never reads it): the byte count written, or the errno as a negative
     * number (-EFAULT where the kernel could not read the memory). Not retried.
     */
    public static long writeFrom(int fd, long address, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long n = (long) WRITE.invokeExact(state, fd, MemorySegment.ofAddress(address), length);
            return n >= 0 ? n : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** One read(2) into {@code buffer}: the byte count, or the errno as a negative number. Not retried. */
    public static long read(int fd, MemorySegment buffer) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long n = (long) READ.invokeExact(state, fd, buffer, buffer.byteSize());
            return n >= 0 ? n : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** memfd_create(2): an anonymous file, named for /proc/PID/fd listings only. */
    public static int memfdCreate(String name, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) MEMFD_CREATE.invokeExact(state, arena.allocateFrom(name), flags);
            if (fd < 0) {
                throw new ErrnoException("memfd_create", (int) ERRNO.get(state, 0L));
            }
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** write(2) of all of {@code bytes}, retried after short writes and EINTR. */
    public static void writeAll(int fd, byte[] bytes) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buffer = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, buffer, JAVA_BYTE, 0, bytes.length);
            long done = 0;
            while (done < bytes.length) {
                long n = (long) WRITE.invokeExact(state, fd, buffer.asSlice(done), bytes.length - done);
                if (n < 0) {
                    int errno = (int) ERRNO.get(state, 0L);
                    if (errno != EINTR) {
                        throw new ErrnoException("write", errno);
                    }
                } else {
                    done += n;
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * An anonymous mapping of {@code length} bytes with these protections and flags (the caller's
     * flags, MAP_ANONYMOUS among them; no file); its address, or -1 (MAP_FAILED).
     */
    public static long mmap(long length, int prot, int flags) {
        try {
            return (long) MMAP.invokeExact(0L, length, prot, flags, -1, 0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The largest CPU mask asked for: 65,536 CPUs (the kernel's NR_CPUS limit is 8,192). */
    private static final int MAX_MASK_BYTES = 8192;

    /**
     * The CPUs the calling thread may run on (sched_getaffinity(2)): the mask is doubled until the
     * kernel takes it (it refuses one smaller than its nr_cpu_ids with EINVAL).
     */
    public static java.util.BitSet allowedCpus() {
        for (int bytes = 128; bytes <= MAX_MASK_BYTES; bytes *= 2) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment mask = arena.allocate(bytes);
                if ((int) SCHED_GETAFFINITY.invokeExact(0, (long) bytes, mask) >= 0) {
                    return java.util.BitSet.valueOf(mask.toArray(JAVA_BYTE));
                }
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        }
        return new java.util.BitSet();
    }

    /** Pins the calling thread to one CPU (sched_setaffinity(2)); false when the kernel refuses. */
    public static boolean pinTo(int cpu) {
        if (cpu < 0 || cpu >= MAX_MASK_BYTES * 8) {
            return false;
        }
        int bytes = Math.max(128, Integer.highestOneBit(cpu / 8) * 2);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(bytes);
            mask.set(JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            return (int) SCHED_SETAFFINITY.invokeExact(0, (long) bytes, mask) == 0;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
