package dev.vdsoscope.measure;

/** The ways a time call can be made from Java, from cheapest to dearest in the usual case. */
public enum CallPath {
    /** The vDSO's own function, called directly through FFM ({@link dev.vdsoscope.vdso.VdsoCalls}). */
    VDSO("vdso"),
    /** libc's wrapper (which itself goes to the vDSO where it can), through FFM. */
    LIBC("libc"),
    /** The system call forced through libc's syscall(2): the cost the vDSO exists to avoid. */
    SYSCALL("syscall"),
    /** The Java API that does the same job (System.nanoTime, Instant.now, ...). */
    JAVA("java");

    private final String key;

    CallPath(String key) {
        this.key = key;
    }

    /** The name used in JSON and on the command line. */
    public String key() {
        return key;
    }
}
