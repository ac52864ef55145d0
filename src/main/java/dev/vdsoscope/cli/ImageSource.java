package dev.vdsoscope.cli;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;

import dev.vdsoscope.disasm.CapstoneUnavailableException;
import dev.vdsoscope.abi.InstructionSet;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.proc.ProcessException;
import dev.vdsoscope.vdso.Vdso;
import dev.vdsoscope.vdso.VdsoInspection;
import dev.vdsoscope.disasm.UnsupportedInstructionSetException;

/**
 * The image a command reads: a file, the vDSO of another process (copied out of /proc/PID/mem), or,
 * with neither, vdsoscope's own vDSO in place.
 */
final class ImageSource implements AutoCloseable {
    private final ElfFile elf;
    private final String label;
    private final boolean live;
    private final Arena arena;

    private ImageSource(ElfFile elf, String label, boolean live, Arena arena) {
        this.elf = elf;
        this.label = label;
        this.live = live;
        this.arena = arena;
    }

    static ImageSource open(String file, Long pid) throws IOException, ProcessException {
        if (file != null && pid != null) {
            throw new Failure(null, "give a FILE or --pid, not both", ExitCode.BAD_INPUT);
        }
        if (file != null) {
            try {
                return new ImageSource(ElfFile.open(Path.of(file)), file, false, null);
            } catch (IOException | RuntimeException e) {
                throw Failure.of(file, e);
            }
        }
        if (pid != null) {
            Arena arena = Arena.ofConfined();
            try {
                VdsoInspection inspection = VdsoInspection.of(LinuxProcess.of(pid), arena);
                return new ImageSource(inspection.vdso().image(), "pid " + pid + " [vdso]", true, arena);
            } catch (ProcessException | RuntimeException e) {
                arena.close();
                throw e;
            }
        }
        Vdso own = Vdso.find().orElseThrow(() -> new Failure(null, "this process has no vDSO (AT_SYSINFO_EHDR is"
                + " absent); give a FILE or --pid", ExitCode.MISSING_ENVIRONMENT));
        return new ImageSource(own.image(), "[vdso] of vdsoscope (pid " + LinuxProcess.self().pid() + ")", true, null);
    }

    ElfFile elf() {
        return elf;
    }

    /** The name shown to the user. */
    String label() {
        return label;
    }

    /** Whether this is an image as mapped in a running process (alternatives already applied). */
    boolean live() {
        return live;
    }

    /** The exit-2 failure for an image of a machine nothing here decodes. */
    /** The subject of error lines about the image a FILE or --pid names (the tool's own vDSO without either). */
    static String subject(String file, Long pid) {
        return file != null ? file : pid != null ? "pid " + pid : "[vdso] of vdsoscope";
    }

    static Failure unsupported(String subject, UnsupportedInstructionSetException e) {
        return new Failure(subject, e.getMessage(), ExitCode.BAD_INPUT, e);
    }

    /** The exit-4 failure for a missing Capstone: one line saying how to install it. */
    static Failure missing(CapstoneUnavailableException e) {
        return new Failure(null, e.getMessage(), ExitCode.MISSING_ENVIRONMENT, e);
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        } else if (!live) {
            elf.close();
        }
    }
}
