package dev.vdsoscope.proc;

/** The mappings the kernel names in brackets in /proc/PID/maps, each with why it is there. */
public enum PseudoMapping {
    VDSO("[vdso]", "the vDSO: a shared object the kernel maps into every process, so time calls run without a system call"),
    VVAR("[vvar]", "kernel data the vDSO reads (time, clock parameters); user space cannot read it through /proc/PID/mem"),
    VVAR_VCLOCK("[vvar_vclock]", "the clock pages (pvclock, Hyper-V TSC page) the vDSO reads on virtual machines"),
    VSYSCALL("[vsyscall]", "the legacy fixed-address system-call page of x86-64, kept for old binaries (emulated, execute-only)"),
    STACK("[stack]", "the main thread's stack"),
    HEAP("[heap]", "the program's brk heap"),
    UPROBES("[uprobes]", "the page of out-of-line instructions for user-space probes"),
    SIGPAGE("[sigpage]", "the 32-bit ARM signal-return trampoline page"),
    VECTORS("[vectors]", "the 32-bit ARM kuser helpers page (fixed address 0xffff0000)"),
    ANONYMOUS_NAMED("[anon:", "anonymous memory named by its owner with prctl(PR_SET_VMA_ANON_NAME)");

    private final String name;
    private final String explanation;

    PseudoMapping(String name, String explanation) {
        this.name = name;
        this.explanation = explanation;
    }

    /** The name as the kernel writes it, e.g. {@code [vdso]} ({@code [anon:} for named anonymous memory). */
    public String bracketedName() {
        return name;
    }

    public String explanation() {
        return explanation;
    }

    /** Whether the kernel itself provides this mapping (as opposed to naming ordinary memory). */
    public boolean kernelProvided() {
        return this == VDSO || this == VVAR || this == VVAR_VCLOCK || this == VSYSCALL || this == UPROBES
                || this == SIGPAGE || this == VECTORS;
    }

    public static PseudoMapping of(String path) {
        if (path.startsWith("[anon:")) {
            return ANONYMOUS_NAMED;
        }
        if (path.startsWith("[stack")) {
            return STACK;
        }
        for (PseudoMapping p : values()) {
            if (p.name.equals(path)) {
                return p;
            }
        }
        return null;
    }
}
