package dev.vdsoscope.elf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A copy of one checked range of an image on the Java heap, decoded in the image's byte order with
 * plain array reads. Tables that are read entry by entry, millions of times in a batch (symbols, their
 * names, version indexes), use one: a read costs a few array loads, where a {@link MemorySegment}
 * read goes through several layers of access checks that are slow until the JIT has compiled them,
 * and a batch tool is mostly made of such first runs. Offsets are relative to the start of the range;
 * the JVM's array bounds check keeps every read inside it.
 */
final class HeapBytes {
    /** Tables larger than this are read in place rather than copied. */
    static final long MAX_COPY = 64L << 20;

    private final byte[] bytes;
    private final boolean little;

    private HeapBytes(byte[] bytes, boolean little) {
        this.bytes = bytes;
        this.little = little;
    }

    /** Copies [offset, offset + length) of the image, or returns null when the range is too large. */
    static HeapBytes copy(ElfInput in, long offset, long length) {
        if (length > MAX_COPY) {
            return null;
        }
        in.require(offset, length, "table");
        byte[] bytes = new byte[(int) length];
        MemorySegment.copy(in.segment(), ValueLayout.JAVA_BYTE, offset, bytes, 0, bytes.length);
        return new HeapBytes(bytes, in.order() == ByteOrder.LITTLE_ENDIAN);
    }

    int length() {
        return bytes.length;
    }

    int u8(int at) {
        return bytes[at] & 0xff;
    }

    int u16(int at) {
        byte[] b = bytes;
        return little ? (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 : (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    long u32(int at) {
        byte[] b = bytes;
        int v = little
                ? (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24
                : (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
        return Integer.toUnsignedLong(v);
    }

    long u64(int at) {
        long lo = u32(little ? at : at + 4);
        long hi = u32(little ? at + 4 : at);
        return hi << 32 | lo;
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
