package dev.vdsoscope.proc;

/** Why a process could not be inspected; the kind decides the exit code, the message explains. */
public final class ProcessException extends Exception {
    /** Why the process could not be inspected. */
    public enum Kind {
        /** No such pid. */
        NO_SUCH_PROCESS,
        /** The process went away while it was being read. */
        EXITED,
        /** The kernel refused: ptrace access mode, Yama, hidepid. */
        PERMISSION,
        /** The process has no vDSO: a kernel thread, or a vDSO hidden or removed. */
        NO_VDSO,
        /** The memory exists but cannot be read ([vvar], an execute-only [vsyscall]). */
        UNREADABLE
    }

    private final long pid;
    private final Kind kind;

    public ProcessException(long pid, Kind kind, String message) {
        super(message);
        this.pid = pid;
        this.kind = kind;
    }

    public long pid() {
        return pid;
    }

    public Kind kind() {
        return kind;
    }
}
