package dev.vdsoscope.vdso;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Optional;

import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.proc.ProcessException;

/**
 * What a user names when an image is to be read, the same way for every command: an ELF file, this
 * process's own vDSO ({@code self}), or the vDSO of another process ({@code pid:N}). A file that is
 * really called "self" is named {@code ./self}.
 */
public sealed interface ImageTarget {
    /** An ELF file on disk. */
    record File(Path path) implements ImageTarget {
        @Override
        public String label() {
            return path.toString();
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
        @Override
        public String label() {
            return "pid:" + pid;
        }
    }

    /** How the user wrote it, for messages and headers. */
    String label();

    String SELF = "self";
    String PID_PREFIX = "pid:";

    /**
     * {@code self}, {@code pid:N} or a file name.
     *
     * @throws IllegalArgumentException for {@code pid:} without a positive number
     */
    static ImageTarget parse(String argument) {
        if (argument.equals(SELF)) {
            return new Self();
        }
        if (argument.startsWith(PID_PREFIX)) {
            String digits = argument.substring(PID_PREFIX.length());
            long pid;
            try {
                pid = Long.parseLong(digits);
            } catch (NumberFormatException e) {
                pid = -1;
            }
            if (pid <= 0 || !digits.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException(argument + ": pid:N needs a process id, a positive number");
            }
            return new Process(pid);
        }
        return new File(Path.of(argument));
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
     * it is mapped).
     *
     * @throws VdsoNotFoundException when this process has no vDSO
     */
    default Opened open() throws IOException, ProcessException {
        if (this instanceof File f) {
            ElfFile elf = ElfFile.open(f.path());
            return new Opened(elf, label(), false, elf::close);
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
        return new Opened(own.image(), "[vdso] of vdsoscope (pid " + LinuxProcess.self().pid() + ")", true, null);
    }

    /** This process has no vDSO: the kernel gave no AT_SYSINFO_EHDR (vdso=0, or a vDSO hidden for a test). */
    final class VdsoNotFoundException extends RuntimeException {
        public VdsoNotFoundException() {
            super("this process has no vDSO (AT_SYSINFO_EHDR is absent)");
        }
    }
}
