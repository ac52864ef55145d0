package dev.vdsoscope.cli;

/** The documented exit codes, shared by every command (docs/ERRORS.md). */
public final class ExitCode {
    private ExitCode() {}

    /** Everything asked for was done. */
    public static final int OK = 0;
    /** Done, and the answer is a finding the user should act on (a time call falls back, a library is missing). */
    public static final int FINDINGS = 1;
    /** Bad input or usage: a missing, truncated, non-ELF or hostile file, a pid that does not exist. */
    public static final int BAD_INPUT = 2;
    /** The operating system refused: file permissions, ptrace access mode, Yama. */
    public static final int PERMISSION = 3;
    /** Something the environment lacks: a native library (Capstone), a kernel feature, a JDK. */
    public static final int MISSING_ENVIRONMENT = 4;
    /**
     * Standard output's reader went away (a broken pipe, as under {@code | head}): the tool stops at
     * once with the status a shell reports for a program killed by SIGPIPE (128 + 13), as binutils does.
     */
    public static final int BROKEN_PIPE = 141;
}
