package dev.vdsoscope.elf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.vdsoscope.elf.raw.RawStruct;

/**
 * The bytes of one ELF image, wherever they live (a mapped file, a buffer read from another process,
 * or the vDSO mapped into this one), read in the image's byte order. Every read is bounds-checked and
 * a violation becomes an {@link ElfFormatException} naming the offset, so views can trust nothing.
 */
public final class ElfInput {
    /**
     * The image as a segment: given, or made from {@link #view} on first use, so that an image read
     * into a buffer does not start the JDK's FFM machinery (its first use spins classes: 3.5 ms).
     */
    private MemorySegment bytes;
    private final long size;
    private final ByteOrder order;
    /** The image as a buffer in its byte order (null when larger than 2 GiB), and in little-endian order. */
    private ByteBuffer view;
    private ByteBuffer scanView;
    /** The memory belongs to the next file of a batch now (see ScratchBuffers). */
    private boolean revoked;
    /**
     * The largest image read through a ByteBuffer view: the JDK wraps at most Integer.MAX_VALUE - 8
     * bytes (a segment just below 2 GiB could not be made a buffer).
     */
    static final long MAX_VIEW = Integer.MAX_VALUE - 8;
    /** Where table copies go (null: new arrays); see {@link HeapBytes}. */
    private final ScratchBuffers scratch;
    /** A file read on demand (null otherwise): then there is neither a view nor, until asked for, a segment. */
    private final FileChunks chunks;

    /**
     * The segment reads' layouts, for images larger than 2 GiB, which have no buffer view. Shared:
     * each layout builds its access VarHandle once, so new layouts per image would rebuild them.
     */
    private static final class Layouts {
        static final ValueLayout.OfShort U16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        static final ValueLayout.OfShort U16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
        static final ValueLayout.OfInt U32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        static final ValueLayout.OfInt U32_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
        static final ValueLayout.OfLong U64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        static final ValueLayout.OfLong U64_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
        /** For {@link #indexOfNul}: byte i of the word is bits 8i..8i+7 whatever the image's order. */
        static final ValueLayout.OfLong SCAN = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    }

    ElfInput(MemorySegment bytes, ByteOrder order) {
        this(bytes, order, null);
    }

    ElfInput(MemorySegment bytes, ByteOrder order, ScratchBuffers scratch) {
        this(bytes, bytes.byteSize() <= MAX_VIEW ? bytes.asByteBuffer() : null, bytes.byteSize(), order, scratch,
                null);
    }

    /** An image in a buffer, from its position to its limit. */
    ElfInput(ByteBuffer bytes, ByteOrder order, ScratchBuffers scratch) {
        this(null, bytes.slice(), bytes.remaining(), order, scratch, null);
    }

    /** A file read on demand. */
    ElfInput(FileChunks chunks, ByteOrder order, ScratchBuffers scratch) {
        this(null, null, chunks.size(), order, scratch, chunks);
        chunks.order(order);
    }

    private ElfInput(MemorySegment bytes, ByteBuffer buffer, long size, ByteOrder order, ScratchBuffers scratch,
            FileChunks chunks) {
        this.bytes = bytes;
        this.scratch = scratch;
        this.chunks = chunks;
        this.size = size;
        this.order = order;
        // A ByteBuffer view reads with a few plain method calls where a segment read goes through a
        // VarHandle's method-handle chain: the difference is large until the JIT has compiled both,
        // and a batch over many files reads every header and section table in that state.
        this.view = buffer != null ? buffer.order(order) : null;
        this.scanView = buffer != null ? buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN) : null;
    }

    ScratchBuffers scratch() {
        return scratch;
    }

    /**
     * The image's memory is about to hold the next file of a batch: from now on every read fails
     * with {@link IllegalStateException} rather than read that file's bytes.
     */
    void revoke() {
        revoked = true;
        view = null;
        scanView = null;
        bytes = null;
    }

    private void checkNotRevoked() {
        if (revoked) {
            throw new IllegalStateException("the image is gone: its batch reader has moved on to the next file");
        }
    }

    public long size() {
        return size;
    }

    public ByteOrder order() {
        return order;
    }

    /** The whole image, for callers that hand a range to another reader (a disassembler, a hash). */
    public MemorySegment segment() {
        checkNotRevoked();
        MemorySegment segment = bytes;
        if (segment == null) {
            // Racy but benign for a buffer: every thread makes the same read-only view of it. A file
            // read on demand (one thread's: ElfFile.openPartly) is read whole for it.
            if (view != null) {
                segment = MemorySegment.ofBuffer(view).asReadOnly();
            } else {
                byte[] whole = new byte[(int) size];
                chunks.copy(0, whole, 0, whole.length);
                segment = MemorySegment.ofArray(whole).asReadOnly();
            }
            bytes = segment;
        }
        return segment;
    }

    /** True when {@code length} bytes starting at {@code offset} lie inside the image. */
    public boolean contains(long offset, long length) {
        return offset >= 0 && length >= 0 && offset <= size && length <= size - offset;
    }

    /** Throws unless the range lies inside the image; {@code what} names the structure for the user. */
    public void require(long offset, long length, String what) {
        checkNotRevoked();
        if (!contains(offset, length)) {
            throw new ElfFormatException(ElfFormatException.Kind.OUT_OF_BOUNDS, what + " extends past the end of the "
                    + size() + "-byte image", offset);
        }
    }

    /** Throws unless a table of {@code count} entries of {@code stride} bytes lies inside the image. */
    public void requireTable(long offset, long count, long stride, String what) {
        if (count < 0 || stride < 0 || (stride > 0 && count > size() / stride)) {
            throw new ElfFormatException(ElfFormatException.Kind.OUT_OF_BOUNDS, what + " of " + Long.toUnsignedString(count) + " entries of " + stride
                    + " bytes cannot fit in the " + size() + "-byte image", offset);
        }
        require(offset, count * stride, what);
    }

    // Each read is one flat test and one buffer read when the field is inside an image of up to 2 GiB
    // (see unsigned); else the checked way, which says what is wrong.

    public int u8(long offset) {
        if (view != null && offset >= 0 && offset < size) {
            return Byte.toUnsignedInt(view.get((int) offset));
        }
        require(offset, 1, "byte");
        if (chunks != null) {
            return chunks.u8(offset);
        }
        return Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, offset));
    }

    public int u16(long offset) {
        if (view != null && offset >= 0 && offset <= size - 2) {
            return Short.toUnsignedInt(view.getShort((int) offset));
        }
        require(offset, 2, "16-bit field");
        if (chunks != null) {
            return (int) chunks.bits(offset, 2);
        }
        ValueLayout.OfShort layout = order == ByteOrder.LITTLE_ENDIAN ? Layouts.U16_LE : Layouts.U16_BE;
        return Short.toUnsignedInt(bytes.get(layout, offset));
    }

    public long u32(long offset) {
        if (view != null && offset >= 0 && offset <= size - 4) {
            return Integer.toUnsignedLong(view.getInt((int) offset));
        }
        require(offset, 4, "32-bit field");
        if (chunks != null) {
            return chunks.bits(offset, 4);
        }
        ValueLayout.OfInt layout = order == ByteOrder.LITTLE_ENDIAN ? Layouts.U32_LE : Layouts.U32_BE;
        return Integer.toUnsignedLong(bytes.get(layout, offset));
    }

    public long u64(long offset) {
        if (view != null && offset >= 0 && offset <= size - 8) {
            return view.getLong((int) offset);
        }
        require(offset, 8, "64-bit field");
        if (chunks != null) {
            return chunks.bits(offset, 8);
        }
        return bytes.get(order == ByteOrder.LITTLE_ENDIAN ? Layouts.U64_LE : Layouts.U64_BE, offset);
    }

    /**
     * Reads an unsigned field of 1, 2, 4 or 8 bytes. In one flat method when the field is inside the
     * image (else through the reader of its width, which says why not): a batch reads millions of
     * fields, many before the JIT has compiled anything, and the interpreter pays for every call.
     */
    public long unsigned(long offset, int width) {
        if (view != null && offset >= 0 && offset <= size - width) {
            int i = (int) offset;
            switch (width) {
                case 1 -> { return Byte.toUnsignedInt(view.get(i)); }
                case 2 -> { return Short.toUnsignedInt(view.getShort(i)); }
                case 4 -> { return Integer.toUnsignedLong(view.getInt(i)); }
                case 8 -> { return view.getLong(i); }
                default -> { }
            }
        }
        return switch (width) {
            case 1 -> u8(offset);
            case 2 -> u16(offset);
            case 4 -> u32(offset);
            case 8 -> u64(offset);
            default -> throw new IllegalArgumentException("width " + width);
        };
    }

    /**
     * Reads a named field of a raw structure that starts at {@code base}. For the library's own readers,
     * as {@link ElfFile#struct}: elf.raw is not exported.
     */
    @SuppressWarnings("exports")
    public long field(long base, RawStruct.Field field) {
        return unsigned(base + field.offset(), field.width());
    }

    /**
     * Reads the NUL-terminated string at {@code offset}, which must end before {@code limit}.
     * Decoded as UTF-8 with replacement, as symbol names are bytes, not text.
     */
    public String cString(long offset, long limit, String what) {
        long end = Math.min(limit, size());
        if (offset < 0 || offset >= end) {
            throw new ElfFormatException(ElfFormatException.Kind.OUT_OF_BOUNDS, what + " starts outside its table", offset);
        }
        long nul = indexOfNul(offset, end);
        if (nul < 0) {
            throw new ElfFormatException(what + " is not NUL-terminated", offset);
        }
        return string(offset, (int) (nul - offset));
    }

    /** The bytes at [offset, offset + length), already checked to lie inside the image, decoded as UTF-8. */
    String string(long offset, int length) {
        byte[] chars = new byte[length];
        copy(offset, chars, 0, length);
        return new String(chars, StandardCharsets.UTF_8);
    }

    /**
     * For each scan end seen, the lowest start from which no NUL was found before it. Without this, a
     * hostile string table with no NUL and a million symbols pointing into it costs a scan to its end
     * per symbol: quadratic time for an answer that is an error every time.
     */
    private final Map<Long, Long> unterminatedFrom = new ConcurrentHashMap<>();

    /** Offset of the first NUL in [from, to), or -1; reads eight bytes at a time. */
    public long indexOfNul(long from, long to) {
        if (!unterminatedFrom.isEmpty()) {
            // Only hostile or damaged files get here; well-formed ones never box a key.
            Long knownUnterminated = unterminatedFrom.get(to);
            if (knownUnterminated != null && from >= knownUnterminated) {
                return -1;
            }
        }
        long nul = scanForNul(from, to);
        if (nul < 0) {
            unterminatedFrom.merge(to, from, Math::min);
        }
        return nul;
    }

    private long scanForNul(long from, long to) {
        checkNotRevoked();
        if (chunks != null) {
            return chunks.indexOfNul(from, to);
        }
        long i = from;
        for (; i + 8 <= to; i += 8) {
            long word = scanView != null ? scanView.getLong((int) i) : bytes.get(Layouts.SCAN, i);
            // The lowest set bit marks the first zero byte (higher bits may be false positives).
            long zeros = (word - 0x0101010101010101L) & ~word & 0x8080808080808080L;
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < to; i++) {
            if ((view != null ? view.get((int) i) : bytes.get(ValueLayout.JAVA_BYTE, i)) == 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Copies the bytes of the NUL-terminated string at {@code offset} (which must end before
     * {@code limit}) into {@code dst} at {@code at}, without the NUL, if they fit. Returns the string's
     * length whether or not it was copied (the caller grows its buffer and asks again), or -1 when the
     * string starts outside [0, limit) or has no NUL before it. Allocates nothing, for output paths
     * that print millions of names as the raw bytes the file holds.
     */
    public int copyCString(long offset, long limit, byte[] dst, int at) {
        long end = Math.min(limit, size());
        if (offset < 0 || offset >= end) {
            return -1;
        }
        long nul = indexOfNul(offset, end);
        if (nul < 0 || nul - offset > Integer.MAX_VALUE - 16) {
            return -1;
        }
        int length = (int) (nul - offset);
        if (length <= dst.length - at) {
            copy(offset, dst, at, length);
        }
        return length;
    }

    /**
     * Copies bytes already checked to lie inside the image. Through the buffer view when there is one:
     * the first MemorySegment.copy into an array spins a type-switch class, milliseconds of start-up.
     */
    void copy(long offset, byte[] dst, int at, int length) {
        checkNotRevoked();
        if (view != null) {
            view.get((int) offset, dst, at, length);
        } else if (chunks != null) {
            chunks.copy(offset, dst, at, length);
        } else {
            MemorySegment.copy(bytes, ValueLayout.JAVA_BYTE, offset, dst, at, length);
        }
    }

    /** Copies {@code length} bytes from {@code offset} into {@code dst} at {@code at}, checked first. */
    public void copyTo(long offset, byte[] dst, int at, int length, String what) {
        require(offset, length, what);
        copy(offset, dst, at, length);
    }

    /** A read-only view of a range, checked first. */
    public MemorySegment slice(long offset, long length, String what) {
        require(offset, length, what);
        return segment().asSlice(offset, length).asReadOnly();
    }
}
