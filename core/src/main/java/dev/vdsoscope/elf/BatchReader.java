package dev.vdsoscope.elf;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads ELF files one after another on one thread, reusing the same memory for each: a small file is
 * read whole into one direct buffer, and the symbol and version tables of every file are copied into
 * the same few heap arrays, so that a batch of a thousand files allocates little and the collector
 * seldom runs.
 *
 * <p>The price is that a file is valid until the next one: {@link #next} closes the file it handed
 * out last, and from then on every read of that file, and of the tables read from it, fails with
 * {@link IllegalStateException} instead of returning the next file's bytes. Copy out what must be
 * kept (strings, numbers) before asking for the next file. Not for use by several threads: give each
 * thread its own.
 */
public final class BatchReader implements AutoCloseable {
    private final ScratchBuffers buffers = new ScratchBuffers();
    private final boolean partly;
    private ElfFile current;

    private BatchReader(boolean partly) {
        this.partly = partly;
    }

    /**
     * For readers of every table of each file (symbols, sections): a file above 512 KB is mapped,
     * confined to this thread (cheap to close).
     */
    public static BatchReader forWholeFiles() {
        return new BatchReader(false);
    }

    /**
     * For readers of a few tables of each file (the loader: headers, the dynamic table, some
     * strings): a file above 512 KB is read on demand, 16 KB at a time, never mapped. What needs the
     * whole image as one segment reads it whole onto the heap.
     */
    public static BatchReader forParts() {
        return new BatchReader(true);
    }

    /**
     * Opens the next file, whose attributes the caller has looked up (following links). The file this
     * reader handed out before is closed first.
     */
    public ElfFile next(Path path, BasicFileAttributes attributes) throws IOException {
        close();
        current = partly ? ElfFile.openPartly(path, attributes, buffers) : ElfFile.openConfined(path, attributes, buffers);
        return current;
    }

    /** Closes the file handed out last, if any; the reader may go on with {@link #next}. */
    @Override
    public void close() {
        if (current != null) {
            ElfFile last = current;
            current = null;
            last.close();
            buffers.startFile();
        }
    }
}
