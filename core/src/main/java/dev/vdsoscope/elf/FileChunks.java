package dev.vdsoscope.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * A file read on demand, 16 KB at a time, for readers that need a few tables of a large file: the
 * loader reads the headers, the dynamic table and a few strings of each library. Reading those
 * chunks costs less than mapping the file (its pages faulted in, then unmapped, which flushes the
 * other CPUs' TLBs) and never starts the JDK's FFM machinery. The last 64 chunks read (1 MB) are
 * kept, each in the slot of its index modulo 64, so that a hostile file cannot pull itself whole
 * onto the heap (a string table without a NUL, scanned to the end). For one thread.
 */
final class FileChunks implements AutoCloseable {
    private static final int SHIFT = 14;
    private static final int CHUNK = 1 << SHIFT;
    private static final int SLOTS = 64;

    private final FileChannel channel;
    private final long size;
    /** The image's byte order, set once its identification is read. */
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    /** Slot i holds chunk held[i], bytes [held[i] * CHUNK, min(size, (held[i] + 1) * CHUNK)); -1: none. */
    private final ByteBuffer[] slots = new ByteBuffer[SLOTS];
    private final long[] held = new long[SLOTS];

    /** Takes over the channel: {@link #close} closes it. {@code size} is the file's, as looked up. */
    FileChunks(FileChannel channel, long size) {
        this.channel = channel;
        this.size = size;
        Arrays.fill(held, -1);
    }

    long size() {
        return size;
    }

    void order(ByteOrder imageOrder) {
        order = imageOrder;
        for (ByteBuffer slot : slots) {
            if (slot != null) {
                slot.order(imageOrder);
            }
        }
    }

    /** The chunk holding {@code index * CHUNK}, valid until the next call. */
    private ByteBuffer chunk(long index) {
        if (index < 0 || index > (size - 1) >>> SHIFT) {
            throw new IndexOutOfBoundsException("chunk " + index + " of a " + size + "-byte file");
        }
        int slot = (int) (index % SLOTS);
        ByteBuffer chunk = slots[slot];
        if (held[slot] != index) {
            if (chunk == null) {
                chunk = ByteBuffer.allocate(CHUNK);
                slots[slot] = chunk;
            }
            held[slot] = -1;
            long start = index << SHIFT;
            chunk.clear().limit((int) Math.min(CHUNK, size - start));
            try {
                while (chunk.hasRemaining()) {
                    if (channel.read(chunk, start + chunk.position()) < 0) {
                        throw new ElfFormatException(ElfFormatException.Kind.UNREADABLE, "the file shrank while it was read: it was " + size
                                + " bytes and has none at this offset", start + chunk.position());
                    }
                }
            } catch (IOException e) {
                throw new ElfFormatException(ElfFormatException.Kind.UNREADABLE, "cannot be read: "
                        + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()),
                        start + chunk.position());
            }
            chunk.flip().order(order);
            held[slot] = index;
        }
        return chunk;
    }

    /** The byte at {@code offset}, which the caller has checked lies inside the file. */
    int u8(long offset) {
        return Byte.toUnsignedInt(chunk(offset >>> SHIFT).get((int) (offset & (CHUNK - 1))));
    }

    /** The {@code width} (2, 4 or 8) bytes at {@code offset} in the file's order, checked by the caller. */
    long bits(long offset, int width) {
        int at = (int) (offset & (CHUNK - 1));
        ByteBuffer chunk = chunk(offset >>> SHIFT);
        ByteBuffer from = chunk;
        if (at + width > chunk.limit()) { // across two chunks
            byte[] bytes = new byte[width];
            copy(offset, bytes, 0, width);
            from = ByteBuffer.wrap(bytes).order(order);
            at = 0;
        }
        return switch (width) {
            case 2 -> Short.toUnsignedInt(from.getShort(at));
            case 4 -> Integer.toUnsignedLong(from.getInt(at));
            default -> from.getLong(at);
        };
    }

    /** Copies bytes the caller has checked lie inside the file. */
    void copy(long offset, byte[] dst, int at, int length) {
        if (length >= 4 * CHUNK) {
            // A whole table: read straight into the array, one system call, past the chunk cache.
            ByteBuffer into = ByteBuffer.wrap(dst, at, length);
            try {
                while (into.hasRemaining()) {
                    if (channel.read(into, offset + (into.position() - at)) < 0) {
                        throw new ElfFormatException(ElfFormatException.Kind.UNREADABLE, "the file shrank while it was"
                                + " read: it was " + size + " bytes and has none at this offset",
                                offset + (into.position() - at));
                    }
                }
            } catch (IOException e) {
                throw new ElfFormatException(ElfFormatException.Kind.UNREADABLE, "cannot be read: "
                        + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), offset);
            }
            return;
        }
        while (length > 0) {
            ByteBuffer chunk = chunk(offset >>> SHIFT);
            int in = (int) (offset & (CHUNK - 1));
            int n = Math.min(length, chunk.limit() - in);
            chunk.get(in, dst, at, n);
            offset += n;
            at += n;
            length -= n;
        }
    }

    /** The offset of the first NUL in [from, to), or -1; the range checked by the caller. */
    long indexOfNul(long from, long to) {
        for (long i = from; i < to; ) {
            ByteBuffer chunk = chunk(i >>> SHIFT);
            int in = (int) (i & (CHUNK - 1));
            int end = (int) Math.min(chunk.limit(), in + (to - i));
            for (int k = in; k < end; k++) {
                if (chunk.get(k) == 0) {
                    return i + (k - in);
                }
            }
            i += end - in;
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
