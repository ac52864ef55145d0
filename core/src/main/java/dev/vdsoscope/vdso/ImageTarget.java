package dev.vdsoscope.vdso;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Optional;

import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.linux.CompatProbe;
import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.proc.ProcessException;

/**
 * What a user names when an image is to be read, the same way for every command: an ELF file, this
 * process's own vDSO ({@code self}), the vDSO of another process ({@code pid:N}), or linux-gate.so.1
 * in a 32-bit process started for it ({@code compat:i386}). A file that is really called "self" is
 * named {@code ./self}.
 */
public sealed interface ImageTarget {
    /**
     * An ELF file on disk, named as the user wrote it: {@code /bin//true} stays that in messages and
     * headings, as objdump keeps it.
     */
    record File(String name) implements ImageTarget {
        /**
         * The file's path.
         *
         * @throws java.nio.file.InvalidPathException when the name cannot be a path in the locale's
         *                                             encoding (a non-ASCII name under LC_ALL=C)
         */
        public Path path() {
            return Path.of(name);
        }

        @Override
        public String label() {
            return name;
        }
    }

    /** vdsoscope's own vDSO, read in place. */
    record Self() implements ImageTarget {
        @Override
        public String label() {
            return "self";
        }
    }

    /** The vDSO of another process, copied out of /proc/PID/mem. */
    record Process(long pid) implements ImageTarget {
        /** @throws NotAProcessIdException for a pid below 1 */
        public Process {
            if (pid <= 0) {
                throw new NotAProcessIdException(Long.toString(pid));
            }
        }

        @Override
        public String label() {
            return "pid:" + pid;
        }
    }

    /**
     * linux-gate.so.1, live: the vDSO of a 32-bit (i386) process that vdsoscope starts for the
     * purpose ({@link CompatProbe}) and ends when done, on an x86-64 kernel with IA32 emulation.
     */
    record CompatI386() implements ImageTarget {
        @Override
        public String label() {
            return COMPAT_I386;
        }
    }

    /** How the user wrote it, for messages and headers. */
    String label();

    String SELF = "self";
    String PID_PREFIX = "pid:";
    String COMPAT_I386 = "compat:i386";

    /**
     * {@code self}, {@code pid:N} or a file name. Nothing is looked up: a file name is not checked,
     * nor made a {@link Path}, until the target is opened.
     *
     * @throws NotAProcessIdException for {@code pid:} without a process id
     */
    static ImageTarget parse(String argument) {
        if (argument.equals(SELF)) {
            return new Self();
        }
        if (argument.startsWith(PID_PREFIX)) {
            return new Process(pid(argument.substring(PID_PREFIX.length())));
        }
        if (argument.equals(COMPAT_I386)) {
            return new CompatI386();
        }
        return new File(argument);
    }

    /**
     * A process id as written after {@code pid:} or {@code --pid}: ASCII decimal digits only (Java's
     * own parsers would take other scripts' digits too, which no kernel interface shows), a positive
     * number.
     *
     * @throws NotAProcessIdException for anything else
     */
    static long pid(String written) {
        if (written.isEmpty() || !written.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new NotAProcessIdException(written);
        }
        try {
            long pid = Long.parseLong(written);
            if (pid > 0) {
                return pid;
            }
        } catch (NumberFormatException e) {
            // More digits than a long holds: no process has that id either.
        }
        throw new NotAProcessIdException(written);
    }

    /** What was written for a process id is not one: not ASCII decimal digits, or not positive. */
    final class NotAProcessIdException extends IllegalArgumentException {
        private final String written;

        public NotAProcessIdException(String written) {
            super("not a process id: pid:N and --pid N take a positive decimal number");
            this.written = written;
        }

        /** The text given as the process id. */
        public String written() {
            return written;
        }
    }

    /** Whether the target is a mapped vDSO (a process's), as opposed to a file. */
    default boolean isProcess() {
        return !(this instanceof File);
    }

    /** The process a target names, if it names one. */
    default Optional<LinuxProcess> process() throws ProcessException {
        if (this instanceof Self) {
            return Optional.of(LinuxProcess.self());
        }
        if (this instanceof Process p) {
            return Optional.of(LinuxProcess.of(p.pid()));
        }
        return Optional.empty();
    }

    /**
     * An opened image and what keeps it alive; closing it unmaps the file or frees the copy.
     *
     * @param description what the image is, for headings: the file name, "pid N [vdso]" or
     *                    "[vdso] of vdsoscope (pid N)"
     * @param live        whether the image is as mapped in a running process (the kernel's alternatives
     *                    applied)
     */
    record Opened(ElfFile elf, String description, boolean live, Runnable release) implements AutoCloseable {
        @Override
        public void close() {
            if (release != null) {
                release.run();
            }
        }
    }

    /**
     * Reads the image. A process's vDSO is copied out of its memory (this process's own is read where
     * it is mapped). Each call gives a new {@link ElfFile}, for one thread.
     *
     * @throws VdsoNotFoundException when this process has no vDSO
     */
    default Opened open() throws IOException, ProcessException {
        if (this instanceof File f) {
            ElfFile elf = ElfFile.open(f.path());
            return new Opened(elf, label(), false, elf::close);
        }
        if (this instanceof CompatI386) {
            CompatProbe probe = startProbe();
            Arena arena = Arena.ofConfined();
            try {
                VdsoInspection inspection = VdsoInspection.of(LinuxProcess.of(probe.pid()), arena);
                return new Opened(inspection.vdso().image(), "pid " + probe.pid() + " [vdso] (a 32-bit process"
                        + " vdsoscope started)", true, () -> {
                            arena.close();
                            probe.close();
                        });
            } catch (ProcessException | RuntimeException e) {
                arena.close();
                probe.close();
                throw e;
            }
        }
        if (this instanceof Process p) {
            Arena arena = Arena.ofConfined();
            try {
                VdsoInspection inspection = VdsoInspection.of(LinuxProcess.of(p.pid()), arena);
                return new Opened(inspection.vdso().image(), "pid " + p.pid() + " [vdso]", true, arena::close);
            } catch (ProcessException | RuntimeException e) {
                arena.close();
                throw e;
            }
        }
        Vdso own = Vdso.find().orElseThrow(VdsoNotFoundException::new);
        // Each open gets an ElfFile of its own over the same mapped bytes, which nothing writes: an
        // ElfFile parses lazily into plain fields and is for one thread at a time, while the process's
        // Vdso is shared, and a batch may open self on two threads (symbols --style=objdump self self).
        ElfFile elf = ElfFile.of(own.image().name(), own.image().input().segment());
        return new Opened(elf, "[vdso] of vdsoscope (pid " + LinuxProcess.self().pid() + ")", true, null);
    }

    /**
     * Starts the 32-bit process that {@code compat:i386} names.
     *
     * @throws CompatUnavailableException where none can run here, saying why in one line
     */
    static CompatProbe startProbe() {
        try {
            return CompatProbe.start();
        } catch (CompatProbe.UnavailableException e) {
            throw new CompatUnavailableException(e.getMessage());
        }
    }

    /** No 32-bit process can be started here: no IA32 emulation, or a policy against it. */
    final class CompatUnavailableException extends RuntimeException {
        public CompatUnavailableException(String message) {
            super(message);
        }
    }

    /** This process has no vDSO: the kernel gave no AT_SYSINFO_EHDR (vdso=0, or a vDSO hidden for a test). */
    final class VdsoNotFoundException extends RuntimeException {
        public VdsoNotFoundException() {
            super("this process has no vDSO (AT_SYSINFO_EHDR is absent)");
        }
    }
}
