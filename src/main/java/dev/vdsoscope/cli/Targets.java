package dev.vdsoscope.cli;

import java.io.IOException;

import dev.vdsoscope.disasm.CapstoneUnavailableException;
import dev.vdsoscope.disasm.UnsupportedInstructionSetException;
import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.proc.ProcessException;
import dev.vdsoscope.vdso.ImageTarget;

/**
 * The one way commands name an image: {@code FILE}, {@code self} or {@code pid:N} as an argument, or
 * {@code --pid N}; with neither, vdsoscope's own vDSO. The failures of opening one, as one-line messages.
 */
final class Targets {
    private Targets() {}

    static final String SYNTAX = "FILE, self (vdsoscope's own vDSO) or pid:N (that process's vDSO)";

    /** The target of an argument (or null) and --pid (or null). */
    static ImageTarget of(String argument, Long pid) {
        if (argument != null && pid != null) {
            throw new Failure(null, "give a target or --pid, not both", ExitCode.BAD_INPUT);
        }
        if (pid != null) {
            return new ImageTarget.Process(pid);
        }
        return argument == null ? new ImageTarget.Self() : parse(argument);
    }

    /** The target an argument names; a malformed {@code pid:} is a one-line usage error. */
    static ImageTarget parse(String argument) {
        try {
            return ImageTarget.parse(argument);
        } catch (IllegalArgumentException e) {
            throw new Failure(null, e.getMessage(), ExitCode.BAD_INPUT);
        }
    }

    /** The process a process-only command reads: self (the default) or pid:N, as an argument or --pid. */
    static LinuxProcess process(String argument, Long pid) throws ProcessException {
        ImageTarget target = of(argument, pid);
        return target.process().orElseThrow(() -> new Failure(target.label(),
                "not a process: name one as self or pid:N", ExitCode.BAD_INPUT));
    }

    /** Opens it, every failure a one-line message naming the target. */
    static ImageTarget.Opened open(ImageTarget target) {
        try {
            return target.open();
        } catch (ImageTarget.VdsoNotFoundException e) {
            throw new Failure(target.label(), e.getMessage() + "; name a FILE or pid:N", ExitCode.MISSING_ENVIRONMENT);
        } catch (IOException | ProcessException | RuntimeException e) {
            throw Failure.of(target.label(), e);
        }
    }

    /** The exit-2 failure for an image of a machine nothing here decodes. */
    static Failure unsupported(ImageTarget target, UnsupportedInstructionSetException e) {
        return new Failure(target.label(), e.getMessage(), ExitCode.BAD_INPUT, e);
    }

    /** The exit-4 failure for a missing Capstone: one line saying how to install it. */
    static Failure missing(CapstoneUnavailableException e) {
        return new Failure(null, e.getMessage(), ExitCode.MISSING_ENVIRONMENT, e);
    }
}
