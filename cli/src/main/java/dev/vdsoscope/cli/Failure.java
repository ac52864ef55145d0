package dev.vdsoscope.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;

import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.proc.ProcessException;
import dev.vdsoscope.vdso.ImageTarget;

/**
 * A failure about one subject (a file, as the user named it, or a process, always as {@code pid:N}),
 * shown as the one-line message {@code vdsoscope: <subject>: <what> (at offset 0x...)} with its exit code.
 */
public final class Failure extends RuntimeException {
    private final String subject;
    private final int exitCode;

    public Failure(String subject, String problem, int exitCode, Throwable cause) {
        super(problem, cause);
        this.subject = subject;
        this.exitCode = exitCode;
    }

    public Failure(String subject, String problem, int exitCode) {
        this(subject, problem, exitCode, null);
    }

    public String subject() {
        return subject;
    }

    public int exitCode() {
        return exitCode;
    }

    /** The line printed to standard error. */
    public String line() {
        return oneLine(subject == null ? "vdsoscope: " + getMessage() : "vdsoscope: " + subject + ": " + getMessage());
    }

    /**
     * Shows control characters as {@code \xNN}: names in messages come from the file, and a newline or
     * an escape sequence in a section name must not split the line or drive the terminal.
     */
    static String oneLine(String text) {
        StringBuilder s = new StringBuilder(text.length());
        text.chars().forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                s.append(String.format("\\x%02x", c));
            } else {
                s.append((char) c);
            }
        });
        return s.toString();
    }

    /**
     * The JVM decodes command-line arguments as UTF-8 and has no way back to bytes that were not: such a
     * byte arrives as U+FFFD, and the name no longer matches the file.
     */
    private static final String NOT_UTF8_HINT =
            " (the name has bytes that are not UTF-8, which the JVM turns into U+FFFD; rename the file or use a link)";

    /** Turns whatever went wrong while handling {@code subject} into the documented failure. */
    public static Failure of(String subject, Throwable t) {
        return switch (t) {
            case Failure f -> f;
            case ElfFormatException e -> new Failure(subject, e.getMessage(), ExitCode.BAD_INPUT, e);
            case ProcessException e -> new Failure(ImageTarget.PID_PREFIX + e.pid(), e.getMessage(),
                    e.kind() == ProcessException.Kind.PERMISSION ? ExitCode.PERMISSION : ExitCode.BAD_INPUT, e);
            case NoSuchFileException e -> new Failure(subject, "no such file or directory"
                    + (subject != null && subject.indexOf('\ufffd') >= 0 ? NOT_UTF8_HINT : ""), ExitCode.BAD_INPUT, e);
            case InvalidPathException e -> new Failure(subject, "cannot be a file name in this locale's encoding ("
                    + System.getProperty("sun.jnu.encoding") + "); run under a UTF-8 locale", ExitCode.BAD_INPUT, e);
            case FileAlreadyExistsException e -> new Failure(subject, "exists (use --force to replace it)", ExitCode.BAD_INPUT, e);
            case AccessDeniedException e -> new Failure(subject, "permission denied", ExitCode.PERMISSION, e);
            case FileSystemLoopException e -> new Failure(subject, "too many levels of symbolic links", ExitCode.BAD_INPUT, e);
            case IOException e -> new Failure(subject, describe(e), ExitCode.BAD_INPUT, e);
            case OutOfMemoryError e -> new Failure(subject, "out of memory", ExitCode.BAD_INPUT, e);
            default -> new Failure(subject, "internal error: " + t, ExitCode.BAD_INPUT, t);
        };
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
            // The JDK passes strerror's text ("Too many levels of symbolic links"); our lines are lower case.
            String reason = fs.getReason();
            return reason.substring(0, 1).toLowerCase(java.util.Locale.ROOT) + reason.substring(1);
        }
        String message = e.getMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        // Many NIO messages repeat the path first; the subject already names it.
        int colon = message.lastIndexOf(": ");
        return colon >= 0 && message.startsWith("/") ? message.substring(colon + 2) : message;
    }
}
