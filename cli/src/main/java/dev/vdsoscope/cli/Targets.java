package dev.vdsoscope.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import dev.vdsoscope.disasm.CapstoneUnavailableException;
import dev.vdsoscope.disasm.UnsupportedInstructionSetException;
import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.proc.ProcessException;
import dev.vdsoscope.vdso.ImageTarget;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The one way commands name an image: {@code FILE}, {@code self} or {@code pid:N} as an argument, or
 * {@code --pid N}; with neither, vdsoscope's own vDSO. The failures of opening one, as one-line messages.
 */
final class Targets {
    private Targets() {}

    static final String SYNTAX = "FILE, self (vdsoscope's own vDSO), pid:N (that process's vDSO) or compat:i386"
            + " (linux-gate.so.1, in a 32-bit process vdsoscope starts)";

    /** For --help, a line of a command's description: how to name a file that is called self or pid:N. */
    static final String SHADOWED = "A file called self or pid:N is ./self or ./pid:N (else a warning, and the vDSO).";

    /**
     * The target of an argument (or null) and --pid (or null), the two not both; an argument that
     * means a vDSO but also names a file here gets its {@linkplain #warnShadowed warning}.
     */
    static ImageTarget of(String argument, String pid) {
        if (argument != null && pid != null) {
            throw new Failure(null, "give a target or --pid, not both", ExitCode.BAD_INPUT);
        }
        if (pid != null) {
            return process(pid);
        }
        if (argument == null) {
            return new ImageTarget.Self();
        }
        ImageTarget target = parse(argument);
        warnShadowed(List.of(argument));
        return target;
    }

    /**
     * The arguments of a command that takes several targets, or the one --pid names (as the argument
     * {@code pid:N} it is the same as); one of the two, not both. The arguments get their
     * {@linkplain #warnShadowed warnings} here, before any output.
     */
    static List<String> arguments(CommandSpec spec, List<String> arguments, String pid) {
        if (pid != null) {
            if (!arguments.isEmpty()) {
                throw new Failure(null, "give targets or --pid, not both", ExitCode.BAD_INPUT);
            }
            return List.of(process(pid).label());
        }
        if (arguments.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing required parameter: 'TARGET'");
        }
        return warnShadowed(arguments);
    }

    /**
     * The target an argument names; a malformed process id is a one-line usage error about
     * {@code pid:N}, the subject every message about a process has (however the pid was given).
     */
    static ImageTarget parse(String argument) {
        return checkedPid(() -> ImageTarget.parse(argument));
    }

    /**
     * Warns of each argument that means a vDSO ({@code self}, {@code pid:N}) but also names a file
     * here: the vDSO meaning wins, as documented, and the warning says the file's name is one
     * {@code ./} away. Only arguments are checked: {@code --pid N} names no file. Returns them.
     */
    static List<String> warnShadowed(List<String> arguments) {
        for (String argument : arguments) {
            if (!argument.equals(ImageTarget.SELF) && !argument.startsWith(ImageTarget.PID_PREFIX)) {
                continue;
            }
            ImageTarget target;
            try {
                target = ImageTarget.parse(argument);
            } catch (ImageTarget.NotAProcessIdException e) {
                continue; // said when the argument is used
            }
            if (Files.exists(Path.of(argument), LinkOption.NOFOLLOW_LINKS)) {
                Batch.warn(argument, "a file here is also named " + argument + "; " + argument + " means "
                        + (target instanceof ImageTarget.Process p ? "the vDSO of process " + p.pid()
                                : "vdsoscope's own vDSO") + ": name the file ./" + argument);
            }
        }
        return arguments;
    }

    /** The process --pid names. */
    private static ImageTarget process(String pid) {
        return checkedPid(() -> new ImageTarget.Process(ImageTarget.pid(pid)));
    }

    private static ImageTarget checkedPid(Supplier<ImageTarget> parse) {
        try {
            return parse.get();
        } catch (ImageTarget.NotAProcessIdException e) {
            throw new Failure(ImageTarget.PID_PREFIX + e.written(), e.getMessage(), ExitCode.BAD_INPUT);
        }
    }

    /** The process a process-only command reads: self (the default) or pid:N, as an argument or --pid. */
    static LinuxProcess process(String argument, String pid) throws ProcessException {
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
        } catch (ImageTarget.CompatUnavailableException e) {
            throw compatUnavailable(e);
        } catch (IOException | ProcessException | RuntimeException e) {
            throw Failure.of(target.label(), e);
        }
    }

    /** The exit-4 failure where no 32-bit process can run: one line saying why. */
    static Failure compatUnavailable(ImageTarget.CompatUnavailableException e) {
        return new Failure(ImageTarget.COMPAT_I386, e.getMessage(), ExitCode.MISSING_ENVIRONMENT, e);
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
