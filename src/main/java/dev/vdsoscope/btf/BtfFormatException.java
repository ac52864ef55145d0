package dev.vdsoscope.btf;

/**
 * BTF that is not well formed: what is wrong, in which input, and the byte offset of the structure at
 * fault from the start of the BTF blob (its header), -1 when no single place is to blame.
 */
public final class BtfFormatException extends Exception {
    private final String source;
    private final String problem;
    private final long offset;

    public BtfFormatException(String source, String problem, long offset) {
        super(source + ": " + problem + (offset < 0 ? "" : " (at offset 0x" + Long.toHexString(offset) + ")"));
        this.source = source;
        this.problem = problem;
        this.offset = offset;
    }

    /** What the BTF was read from, e.g. {@code /sys/kernel/btf/vmlinux}. */
    public String source() {
        return source;
    }

    /** The problem without the source and offset. */
    public String problem() {
        return problem;
    }

    /** The offset from the start of the BTF blob, -1 when no single place is to blame. */
    public long offset() {
        return offset;
    }
}
