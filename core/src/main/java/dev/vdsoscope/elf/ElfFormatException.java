package dev.vdsoscope.elf;

/**
 * The input is not a well-formed ELF image at a known place. Like Go's {@code debug/elf.FormatError},
 * it carries the byte offset of the offending structure so that a user can look at it with a hex
 * editor; {@code offset} is -1 when no single place is to blame.
 */
public final class ElfFormatException extends RuntimeException {
    /** What kind of problem: callers decide by this, never by the message's words. */
    public enum Kind {
        /** A directory, a FIFO, a device: nothing to read as an image. */
        NOT_A_FILE,
        /** Zero bytes. */
        EMPTY,
        /** No \177ELF magic at the start. */
        NOT_ELF,
        /** The magic, but not the 16 bytes of e_ident, or an e_ident class or byte order that does not exist. */
        BAD_IDENTIFICATION,
        /** A structure, table or string lies (partly) outside the image. */
        OUT_OF_BOUNDS,
        /** Inside the image, but inconsistent: an entry size too small, a string without its NUL, a count too large. */
        MALFORMED,
        /** The file changed or failed while it was read. */
        UNREADABLE
    }

    private final Kind kind;
    private final long offset;

    public ElfFormatException(Kind kind, String problem, long offset) {
        super(problem);
        this.kind = kind;
        this.offset = offset;
    }

    /** A {@link Kind#MALFORMED} image. */
    public ElfFormatException(String problem, long offset) {
        this(Kind.MALFORMED, problem, offset);
    }

    public Kind kind() {
        return kind;
    }

    public long offset() {
        return offset;
    }

    /** The problem without the offset, e.g. {@code "string table not terminated"}. */
    public String problem() {
        return super.getMessage();
    }

    @Override
    public String getMessage() {
        return offset < 0 ? problem() : problem() + " (at offset 0x" + Long.toHexString(offset) + ")";
    }
}
