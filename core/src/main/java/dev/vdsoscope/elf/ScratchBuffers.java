package dev.vdsoscope.elf;

import java.nio.ByteBuffer;

/**
 * The memory one thread reuses from one ELF file to the next in a batch ({@link BatchReader}): a
 * direct buffer that a small file is read into whole, and the heap arrays its symbol and version
 * tables are copied into (see {@link HeapBytes}). A file opened with these buffers, and everything
 * read from it, lasts until they are used for the next file: then the file's input and its copied
 * tables are revoked, so that reading them fails ({@link IllegalStateException}) instead of reading
 * the next file's bytes.
 *
 * <p>Why: 883 libraries through {@code symbols --style=objdump} copied 31 MB of tables, each copy new,
 * and the collector ran 16 times in a 0.2 s run, each time copying the tables then in use.
 */
final class ScratchBuffers {
    /** How many tables of one file get an array that is kept (a symbol table, its strings, versym). */
    private static final int KEPT = 4;
    /** Arrays larger than this are not kept: one huge library must not pin its tables' size for good. */
    private static final int MAX_KEPT = 16 << 20;

    private final ByteBuffer file = ByteBuffer.allocateDirect(ElfFile.SMALL_FILE);
    private final byte[][] arrays = new byte[KEPT][];
    /** How many of {@link #arrays} the current file has been given. */
    private int given;
    /** The current file's input and the tables copied into {@link #arrays}: revoked at the next file. */
    private ElfInput input;
    private final HeapBytes[] copies = new HeapBytes[KEPT];

    ByteBuffer file() {
        return file;
    }

    /**
     * A new file is opened with these buffers: what the last one was given is free again, and the
     * last file's input and tables stop answering.
     */
    void startFile() {
        if (input != null) {
            input.revoke();
            input = null;
        }
        for (int i = 0; i < given; i++) {
            if (copies[i] != null) {
                copies[i].revoke();
                copies[i] = null;
            }
        }
        given = 0;
    }

    /** The input of the file these buffers now serve. */
    void serve(ElfInput current) {
        input = current;
    }

    /** A table copy made in the array last given: revoked with the file. */
    void copied(HeapBytes copy) {
        if (given > 0 && given <= KEPT) {
            copies[given - 1] = copy;
        }
    }

    /**
     * An array of at least {@code length} bytes for a table of the current file, holding whatever the
     * last file left in it: the caller reads only the {@code length} bytes it copies in.
     */
    byte[] array(int length) {
        if (given == KEPT) {
            given++;
            return new byte[length];
        }
        if (given > KEPT) {
            return new byte[length];
        }
        byte[] array = arrays[given];
        if (array == null || array.length < length) {
            // Rounded up to a power of two, so that a slot settles after a few growths.
            int size = length <= 4096 ? 4096 : Integer.highestOneBit(length - 1) << 1;
            array = new byte[size > 0 ? size : length];
            arrays[given] = array.length <= MAX_KEPT ? array : null;
        }
        given++;
        return array;
    }
}
