package dev.vdsoscope.elf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A copy of one checked range of an image on the Java heap, decoded in the image's byte order. Tables that are read entry by entry, millions of times in a batch (symbols, their
 * names, version indexes), use one: a read costs an array load, where a {@link MemorySegment}
 * read goes through several layers of access checks that are slow until the JIT has compiled them,
 * and a batch tool is mostly made of such first runs. Offsets are relative to the start of the range;
 * the JVM's array bounds check keeps every read inside it.
 */
final class HeapBytes {
    /** Tables larger than this are read in place rather than copied. */
    static final long MAX_COPY = 64L << 20;

    private final byte[] bytes;
    /** The same bytes as a buffer in the image's order: its reads compile to single loads. */
    private final ByteBuffer view;

    private HeapBytes(byte[] bytes, ByteOrder order) {
        this.bytes = bytes;
        this.view = ByteBuffer.wrap(bytes).order(order);
    }

    /** Copies [offset, offset + length) of the image, or returns null when the range is too large. */
    static HeapBytes copy(ElfInput in, long offset, long length) {
        if (length > MAX_COPY) {
            return null;
        }
        in.require(offset, length, "table");
        byte[] bytes = new byte[(int) length];
        MemorySegment.copy(in.segment(), ValueLayout.JAVA_BYTE, offset, bytes, 0, bytes.length);
        return new HeapBytes(bytes, in.order());
    }

    int length() {
        return bytes.length;
    }

    int u8(int at) {
        return bytes[at] & 0xff;
    }

    int u16(int at) {
        return Short.toUnsignedInt(view.getShort(at));
    }

    long u32(int at) {
        return Integer.toUnsignedLong(view.getInt(at));
    }

    long u64(int at) {
        return view.getLong(at);
    }

    /**
     * Copies the NUL-terminated string at {@code at} into {@code dst} if it fits, as
     * {@link ElfInput#copyCString} does; returns its length, or -1 when {@code at} is outside the
     * range or no NUL follows.
     */
    int copyCString(long at, byte[] dst, int dstAt) {
        byte[] b = bytes;
        if (at < 0 || at >= b.length) {
            return -1;
        }
        int start = (int) at;
        int end = start;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        if (end == b.length) {
            return -1;
        }
        int length = end - start;
        if (length <= dst.length - dstAt) {
            System.arraycopy(b, start, dst, dstAt, length);
        }
        return length;
    }
}
