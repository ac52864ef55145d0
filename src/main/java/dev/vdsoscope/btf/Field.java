package dev.vdsoscope.btf;

/**
 * A member found by {@link Btf#field}: where it lies from the start of the outermost struct or union
 * (anonymous members and nested paths added up), its width when it is a bitfield, and its type.
 *
 * @param path      the path asked for, {@code "a.b.c"}
 * @param bitOffset bits from the start of the outermost struct or union
 * @param bitSize   the bitfield's width in bits, 0 when the member is not a bitfield
 * @param typeId    the member's type, as declared (not resolved)
 */
public record Field(String path, long bitOffset, int bitSize, int typeId) {
    /** The byte holding the member's first bit. */
    public long byteOffset() {
        return bitOffset / Byte.SIZE;
    }

    /** Whether the member is a bitfield: it need not start or end on a byte. */
    public boolean isBitfield() {
        return bitSize != 0;
    }
}
