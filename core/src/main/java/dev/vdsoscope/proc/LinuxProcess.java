package dev.vdsoscope.proc;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.elf.ElfClass;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.elf.ElfHeader;
import dev.vdsoscope.elf.Machine;
import dev.vdsoscope.linux.Libc;

/**
 * A process seen through /proc: its auxiliary vector, its mappings and its memory. Every failure is
 * a {@link ProcessException} that says whether the pid is gone, went away meanwhile, or may not be
 * read (and why), because those need different answers from the user.
 */
public final class LinuxProcess {
    /**
     * The ABI of a process: word size, byte order and machine of its executable, and the Linux ABI
     * they make (empty for a machine vdsoscope has no facts for).
     */
    public record Abi(ElfClass elfClass, ByteOrder order, Machine machine, Optional<LinuxAbi> linux) {
        public int wordSize() {
            return elfClass.wordSize();
        }
    }

    /** /proc/PID/auxv is a few hundred bytes; anything larger than this is not an auxv. */
    private static final int MAX_AUXV = 64 * 1024;
    /** Bound on /proc/PID/maps; a process with a million mappings is still under this. */
    private static final int MAX_MAPS = 256 * 1024 * 1024;
    private static final long PF_KTHREAD = 0x00200000L;
    /** An ELF header is at most 64 bytes. */
    private static final int EXE_HEAD = 64;

    private final long pid;
    private final Path dir;

    private LinuxProcess(long pid) {
        this.pid = pid;
        this.dir = Path.of("/proc", Long.toString(pid));
    }

    public static LinuxProcess of(long pid) throws ProcessException {
        LinuxProcess process = new LinuxProcess(pid);
        if (pid <= 0 || !Files.isDirectory(process.dir)) {
            String hidden = procHidesOthers();
            throw new ProcessException(pid, ProcessException.Kind.NO_SUCH_PROCESS, hidden == null ? "no such process"
                    : "no such process visible: /proc is mounted with " + hidden
                            + ", which hides other users' processes");
        }
        return process;
    }

    /** The hidepid option of the /proc this process sees ("hidepid=invisible"), or null when it shows all. */
    private static String procHidesOthers() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] fields = line.split(" ");
                if (fields.length > 4 && fields[4].equals("/proc")) {
                    for (String option : line.substring(line.indexOf(" - ") + 3).split("[ ,]")) {
                        if (option.startsWith("hidepid=") && !option.equals("hidepid=0") && !option.equals("hidepid=off")) {
                            return option;
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // No mountinfo: nothing to explain.
        }
        return null;
    }

    public static LinuxProcess self() {
        return new LinuxProcess(SelfPid.PID);
    }

    /**
     * This process's pid as /proc numbers it, read from the /proc/self link: one system call, where
     * ProcessHandle.current() first sets up the JDK's process machinery (0.7 ms of ldd's start-up).
     */
    private static final class SelfPid {
        static final long PID = read();

        private static long read() {
            try {
                return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
            } catch (IOException | RuntimeException e) {
                return ProcessHandle.current().pid();
            }
        }
    }

    public long pid() {
        return pid;
    }

    public boolean isSelf() {
        return pid == SelfPid.PID;
    }

    /** Whether it is a kernel thread (PF_KTHREAD in /proc/PID/stat): those have no user memory. */
    public boolean isKernelThread() throws ProcessException {
        String stat = new String(read("stat", 4096), StandardCharsets.US_ASCII);
        int close = stat.lastIndexOf(')');
        String[] fields = stat.substring(close + 2).split(" ");
        // fields[0] is field 3 (state); flags are field 9.
        return fields.length > 6 && (Long.parseUnsignedLong(fields[6]) & PF_KTHREAD) != 0;
    }

    /** The ABI, from the ELF header of /proc/PID/exe; else guessed from the auxv itself. */
    public Abi abi() throws ProcessException {
        try (InputStream in = Files.newInputStream(dir.resolve("exe"))) {
            ElfHeader header = ElfFile.of("/proc/" + pid + "/exe", ByteBuffer.wrap(in.readNBytes(EXE_HEAD))).header();
            return new Abi(header.elfClass(), header.data().order(), header.machine(), LinuxAbi.of(header));
        } catch (IOException | ElfFormatException e) {
            // Unreadable executable (permission, deleted file, kernel thread) or a header that does
            // not read: fall back to the guess.
        }
        MemorySegment raw = MemorySegment.ofArray(read("auxv", MAX_AUXV));
        int wordSize = Auxv.guessWordSize(raw, ByteOrder.nativeOrder());
        Optional<LinuxAbi> linux = LinuxAbi.hostProcess(wordSize);
        return new Abi(wordSize == 8 ? ElfClass.ELFCLASS64 : ElfClass.ELFCLASS32, ByteOrder.nativeOrder(),
                linux.map(LinuxAbi::machine).orElse(Machine.EM_NONE), linux);
    }

    /** The auxiliary vector, with the strings it points at read from the process's memory. */
    public Auxv auxv() throws ProcessException {
        Abi abi = abi();
        byte[] raw = read("auxv", MAX_AUXV);
        if (raw.length == 0) {
            if (isKernelThread()) {
                throw new ProcessException(pid, ProcessException.Kind.NO_VDSO,
                        "is a kernel thread: it has no auxiliary vector and no vDSO");
            }
            requireAlive();
            throw new ProcessException(pid, ProcessException.Kind.NO_VDSO, "has an empty auxiliary vector");
        }
        Auxv auxv = Auxv.parse(MemorySegment.ofArray(raw), abi.wordSize(), abi.order());
        return auxv.withStrings(address -> {
            try {
                return readCString(address, 4096);
            } catch (ProcessException e) {
                return null;
            }
        });
    }

    public Maps maps() throws ProcessException {
        String text = mapsText();
        try {
            return Maps.parse(text);
        } catch (IllegalArgumentException e) {
            throw badMaps(e);
        }
    }

    /** One of the kernel's own mappings (the [vdso], say), reading its line of the maps alone. */
    public Optional<Mapping> mapping(PseudoMapping pseudo) throws ProcessException {
        String text = mapsText();
        try {
            return Maps.findIn(text, pseudo);
        } catch (IllegalArgumentException e) {
            throw badMaps(e);
        }
    }

    private String mapsText() throws ProcessException {
        String text = new String(read("maps", MAX_MAPS), StandardCharsets.UTF_8);
        if (text.isEmpty()) {
            // Only kernel threads and zombies have no mappings at all.
            throw gone();
        }
        return text;
    }

    private ProcessException badMaps(IllegalArgumentException e) {
        return new ProcessException(pid, ProcessException.Kind.EXITED, "/proc/" + pid + "/maps: " + e.getMessage());
    }

    /**
     * Reads {@code length} bytes at {@code address} through /proc/PID/mem into {@code arena}. Memory
     * the kernel will not copy ([vvar], an execute-only [vsyscall]) gives EIO: that is UNREADABLE.
     */
    public MemorySegment read(long address, long length, Arena arena) throws ProcessException {
        MemorySegment buffer = arena.allocate(length);
        String path = dir.resolve("mem").toString();
        int fd;
        try {
            fd = Libc.openReadOnly(path);
        } catch (Libc.ErrnoException e) {
            throw fromErrno(e, "/proc/" + pid + "/mem");
        }
        try {
            long done = 0;
            while (done < length) {
                long n = Libc.pread(fd, buffer.asSlice(done), address + done);
                if (n == 0) {
                    requireAlive();
                    throw new ProcessException(pid, ProcessException.Kind.UNREADABLE,
                            "memory at 0x" + Long.toHexString(address + done) + " ended early");
                }
                done += n;
            }
            return buffer;
        } catch (Libc.ErrnoException e) {
            throw fromErrno(e, "memory at 0x" + Long.toHexString(address));
        } finally {
            Libc.close(fd);
        }
    }

    /** Reads a NUL-terminated string of at most {@code max} bytes. */
    public String readCString(long address, int max) throws ProcessException {
        try (Arena arena = Arena.ofConfined()) {
            java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
            // Read up to each 64-byte boundary so that a string near the end of a mapping is not lost to EIO.
            for (long at = address; at - address < max; ) {
                long piece = 64 - (at & 63);
                MemorySegment bytes = read(at, piece, arena);
                for (long i = 0; i < piece; i++) {
                    byte b = bytes.get(ValueLayout.JAVA_BYTE, i);
                    if (b == 0) {
                        return text.toString(StandardCharsets.UTF_8);
                    }
                    text.write(b);
                }
                at += piece;
            }
            return text.toString(StandardCharsets.UTF_8);
        }
    }

    private byte[] read(String file, int limit) throws ProcessException {
        Path path = dir.resolve(file);
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes(limit);
            if (in.read() >= 0) {
                throw new ProcessException(pid, ProcessException.Kind.UNREADABLE, path + " is larger than " + limit + " bytes");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw gone();
        } catch (AccessDeniedException e) {
            throw permission(path.toString());
        } catch (IOException e) {
            // The JDK's exception carries strerror's words, not errno: read again through libc, whose
            // errno says what happened (ESRCH: the process went away; EACCES, EPERM: not allowed).
            return readWithErrno(path, limit);
        }
    }

    /** The file read through open(2) and pread(2), failing with the kind its errno names. */
    private byte[] readWithErrno(Path path, int limit) throws ProcessException {
        int fd;
        try {
            fd = Libc.openReadOnly(path.toString());
        } catch (Libc.ErrnoException e) {
            throw fromErrno(e, path.toString());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(limit + 1L);
            long done = 0;
            while (done <= limit) {
                long n = Libc.pread(fd, buffer.asSlice(done), done);
                if (n == 0) {
                    break;
                }
                done += n;
            }
            if (done > limit) {
                throw new ProcessException(pid, ProcessException.Kind.UNREADABLE, path + " is larger than " + limit + " bytes");
            }
            return buffer.asSlice(0, done).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        } catch (Libc.ErrnoException e) {
            throw fromErrno(e, path.toString());
        } finally {
            Libc.close(fd);
        }
    }

    private ProcessException fromErrno(Libc.ErrnoException e, String what) {
        return switch (e.errno()) {
            case Libc.EACCES, Libc.EPERM -> permission(what);
            case Libc.ENOENT, Libc.ESRCH -> gone();
            case Libc.EIO -> Files.isDirectory(dir)
                    ? new ProcessException(pid, ProcessException.Kind.UNREADABLE, what + ": the kernel refuses to copy it (EIO)")
                    : gone();
            default -> new ProcessException(pid, ProcessException.Kind.UNREADABLE, what + ": " + e.getMessage());
        };
    }

    /**
     * A read found no process behind the pid. Kernel threads answer that way too (they have no user
     * address space), as do zombies; only if /proc/PID is gone did the process really exit.
     */
    private ProcessException gone() {
        if (Files.isDirectory(dir)) {
            try {
                if (isKernelThread()) {
                    return new ProcessException(pid, ProcessException.Kind.NO_VDSO,
                            "is a kernel thread: it has no user address space, auxiliary vector or vDSO");
                }
            } catch (ProcessException e) {
                return e;
            }
            return new ProcessException(pid, ProcessException.Kind.EXITED,
                    "process is exiting (a zombie): its memory is already gone");
        }
        return new ProcessException(pid, ProcessException.Kind.EXITED, "process exited while it was being read");
    }

    private void requireAlive() throws ProcessException {
        if (!Files.isDirectory(dir)) {
            throw gone();
        }
    }

    private ProcessException permission(String what) {
        StringBuilder why = new StringBuilder("permission denied reading " + what
                + ": reading another process's auxv, memory or executable needs ptrace read access"
                + " (same user and a dumpable process, or CAP_SYS_PTRACE)");
        Path yama = Path.of("/proc/sys/kernel/yama/ptrace_scope");
        try {
            String scope = Files.readString(yama).trim();
            why.append(switch (scope) {
                case "1" -> "; Yama ptrace_scope=1 also limits it to the process's ancestors";
                case "2" -> "; Yama ptrace_scope=2 limits it to CAP_SYS_PTRACE";
                case "3" -> "; Yama ptrace_scope=3 forbids it entirely";
                default -> "; Yama ptrace_scope=" + scope;
            });
        } catch (IOException e) {
            // No Yama on this kernel: nothing to add.
        }
        return new ProcessException(pid, ProcessException.Kind.PERMISSION, why.toString());
    }
}
