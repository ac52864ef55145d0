package dev.vdsoscope.elf;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A copy of one checked range of an image on the Java heap, decoded in the image's byte order.
 * Tables that are read entry by entry, millions of times in a batch (symbols, their names, version
 * indexes), use one: a read costs an array load, where a {@link MemorySegment} read goes through
 * several layers of access checks that are slow until the JIT has compiled them, and a batch tool
 * is mostly made of such first runs. Offsets are relative to the start of the range, and every read
 * is checked against its length (the array may be longer: see {@link ScratchBuffers}).
 */
final class HeapBytes {
    private static final VarHandle LITTLE_ENDIAN_LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Tables larger than this are read in place rather than copied. */
    static final long MAX_COPY = 64L << 20;

    /**
     * The copy is bytes [0, length) of this array, which may be longer (reused; see ScratchBuffers).
     * Not final: a copy in reused memory is emptied when its batch moves on to the next file.
     */
    private byte[] bytes;
    private int length;
    /** The same bytes as a buffer in the image's order: its reads compile to single loads. */
    private ByteBuffer view;

    private HeapBytes(byte[] bytes, int length, ByteOrder order) {
        this.bytes = bytes;
        this.length = length;
        this.view = ByteBuffer.wrap(bytes, 0, length).order(order);
    }

    /**
     * Copies [offset, offset + length) of the image, into an array of the image's scratch buffers when
     * it has them; or returns null when the range is too large.
     */
    static HeapBytes copy(ElfInput in, long offset, long length) {
        if (length > MAX_COPY) {
            return null;
        }
        in.require(offset, length, "table");
        int n = (int) length;
        byte[] bytes = in.scratch() != null ? in.scratch().array(n) : new byte[n];
        in.copy(offset, bytes, 0, n);
        HeapBytes copy = new HeapBytes(bytes, n, in.order());
        if (in.scratch() != null) {
            in.scratch().copied(copy);
        }
        return copy;
    }

    /** The memory is the next file's now: every read of this copy fails from here on. */
    void revoke() {
        bytes = new byte[0];
        length = 0;
        view = ByteBuffer.wrap(bytes);
    }

    int length() {
        return length;
    }

    int u8(int at) {
        if (at >= length) {
            throw new IndexOutOfBoundsException(at);
        }
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
        if (at < 0 || at >= length) {
            return -1;
        }
        int start = (int) at;
        int end = indexOfNul(b, start, length);
        if (end < 0) {
            return -1;
        }
        int length = end - start;
        if (length <= dst.length - dstAt) {
            System.arraycopy(b, start, dst, dstAt, length);
        }
        return length;
    }

    /**
     * The index of the first NUL at or after {@code from}, or -1. Names are scanned eight bytes at a
     * time: the scan is the largest single cost of printing a symbol table, and the JIT's first
     * compiler does not vectorize a byte loop. In a word read little-endian, the lowest byte that
     * {@code (w - 0x01..01) & ~w & 0x80..80} marks is the first NUL (a borrow can only mark bytes
     * above a real NUL).
     */
    private static int indexOfNul(byte[] b, int from, int to) {
        int i = from;
        for (; i <= to - Long.BYTES; i += Long.BYTES) {
            long word = (long) LITTLE_ENDIAN_LONGS.get(b, i);
            long nuls = (word - 0x0101010101010101L) & ~word & 0x8080808080808080L;
            if (nuls != 0) {
                return i + (Long.numberOfTrailingZeros(nuls) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
