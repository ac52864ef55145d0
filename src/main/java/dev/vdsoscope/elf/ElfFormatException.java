package dev.vdsoscope.elf;

/**
 * The input is not a well-formed ELF image at a known place. Like Go's {@code debug/elf.FormatError},
 * it carries the byte offset of the offending structure so that a user can look at it with a hex
 * editor; {@code offset} is -1 when no single place is to blame.
 */
public final class ElfFormatException extends RuntimeException {
    private final long offset;

    public ElfFormatException(String problem, long offset) {
        super(problem);
        this.offset = offset;
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
