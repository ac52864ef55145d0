package dev.vdsoscope.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.vdsoscope.elf.ElfFile;

/**
 * {@code symbols --style=objdump FILE...}: every file's block as {@code objdump -T} prints it, in order,
 * on standard output; a file that cannot be printed gets the usual {@code vdsoscope: FILE: ...} line on
 * standard error and the batch goes on. Kept apart from {@link SymbolsCommand} so that {@link Main} can
 * run it without building the picocli model, which costs more than printing a small file.
 *
 * <p>Long batches can be read and formatted by two threads. Each takes the next file and formats it into
 * its own buffer, then hands the block over; blocks and their messages are written strictly in file
 * order by whichever thread completes the next one, so the output is exactly that of one thread. A
 * thread may run at most {@link #WINDOW} files ahead of the writing, and a block larger than
 * {@link #BUFFER_LIMIT} is streamed once its turn has come, so memory stays bounded. Two threads
 * pay on two cores even though the JIT compiler takes much of the second core for the first hundred
 * milliseconds: formatting 883 libraries went from 0.26 to 0.23 s (README, Benchmarks).
 */
final class ObjdumpBatch {
    /** Batches shorter than this are not worth a second thread. */
    private static final int PARALLEL_FROM = 16;
    /** How many files may be formatted ahead of the one being written. */
    private static final int WINDOW = 64;
    /** A file's block is buffered whole up to this size; beyond, it is written as its turn allows. */
    private static final int BUFFER_LIMIT = 4 << 20;

    private ObjdumpBatch() {}

    static int run(List<String> files, boolean withStatic) {
        int workers = files.size() >= PARALLEL_FROM && Runtime.getRuntime().availableProcessors() >= 2 ? 2 : 1;
        return run(files, withStatic, workers);
    }

    /** With a chosen number of workers (1 or 2): for tests, which must cover both on any machine. */
    static int run(List<String> files, boolean withStatic, int workers) {
        Batch batch = new Batch();
        AtomicInteger next = new AtomicInteger();
        try (Progress progress = Progress.start(files.size())) {
            Ordered ordered = new Ordered(batch, progress);
            Runnable worker = () -> work(files, withStatic, ordered, next);
            Thread helper = null;
            if (workers > 1) {
                helper = Thread.ofPlatform().name("objdump-helper").daemon().start(worker);
            }
            worker.run();
            if (helper != null) {
                try {
                    helper.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return batch.exitCode();
    }

    private static void work(List<String> files, boolean withStatic, Ordered ordered, AtomicInteger next) {
        TurnSink sink = new TurnSink(ordered);
        ObjdumpSymbols printer = new ObjdumpSymbols(sink, BUFFER_LIMIT);
        ByteBuffer scratch = ByteBuffer.allocateDirect(ElfFile.SMALL_FILE);
        for (int i = next.getAndIncrement(); i < files.size(); i = next.getAndIncrement()) {
            String file = files.get(i);
            ordered.awaitWindow(i);
            sink.file = i;
            Block block = new Block(i, file);
            try (ElfFile elf = open(Path.of(file), scratch)) {
                block.outcome = printer.print(file, elf, withStatic);
                block.warnings.addAll(printer.warnings());
                block.warnings.addAll(elf.warnings());
            } catch (Throwable t) {
                block.failure = t;
                printer.reset();
            }
            block.bytes = printer.buffer();
            block.length = printer.length();
            ordered.complete(block);
            printer.reset();
        }
    }

    private static ElfFile open(Path file, ByteBuffer scratch) throws IOException {
        return ElfFile.openConfined(file, Files.readAttributes(file, BasicFileAttributes.class), scratch);
    }

    /** One file's output and messages, waiting for its turn. */
    private static final class Block {
        final int index;
        final String file;
        /** The printer's own buffer while the block is written at once, else a copy made to wait. */
        byte[] bytes;
        int length;
        ObjdumpSymbols.Outcome outcome;
        final List<String> warnings = new ArrayList<>();
        Throwable failure;

        Block(int index, String file) {
            this.index = index;
            this.file = file;
        }

        /** The block's bytes, then its messages and exit code; runs in the file's turn. */
        void write(Batch batch, Progress progress) {
            progress.step(file);
            Output.out().write(bytes, 0, length);
            if (failure != null) {
                batch.fail(Failure.of(file, failure));
                return;
            }
            switch (outcome) {
                case NOT_DYNAMIC -> batch.fail(new Failure(file, "not a dynamic object", ExitCode.FINDINGS));
                case NO_DYNAMIC_SYMBOLS -> batch.fail(new Failure(file,
                        "no dynamic symbol table (objdump -T stops with \"invalid operation\")", ExitCode.FINDINGS));
                case FROM_DYNAMIC_TABLE -> Batch.warn(file, "no section headers: dynamic symbols found"
                        + " through the dynamic table (objdump 2.40 prints none)");
                case PRINTED -> { }
            }
            for (String warning : warnings) {
                Batch.warn(file, warning);
            }
        }
    }

    /** Completed blocks, written in file order by whichever thread completes the next one. */
    private static final class Ordered {
        private final Batch batch;
        private final Progress progress;
        private final Block[] pending = new Block[WINDOW];
        private int next;

        Ordered(Batch batch, Progress progress) {
            this.batch = batch;
            this.progress = progress;
        }

        synchronized void awaitWindow(int file) {
            while (file - next >= WINDOW) {
                waitUninterruptibly();
            }
        }

        /** Until every file before this one is written (a block too large to buffer streams then). */
        synchronized void awaitTurn(int file) {
            while (next != file) {
                waitUninterruptibly();
            }
        }

        /** Writes the block now if its turn has come (then its printer's buffer is used as is), else keeps a copy. */
        synchronized void complete(Block block) {
            if (block.index != next) {
                block.bytes = Arrays.copyOf(block.bytes, block.length);
            }
            pending[block.index % WINDOW] = block;
            boolean wrote = false;
            for (Block b = pending[next % WINDOW]; b != null && b.index == next; b = pending[next % WINDOW]) {
                pending[next % WINDOW] = null;
                b.write(batch, progress);
                next++;
                wrote = true;
            }
            if (wrote) {
                notifyAll();
            }
        }

        private void waitUninterruptibly() {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Where a worker's printer spills a block too large to buffer: written once the file's turn has come. */
    private static final class TurnSink extends OutputStream {
        private final Ordered ordered;
        int file;

        TurnSink(Ordered ordered) {
            this.ordered = ordered;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            ordered.awaitTurn(file);
            Output.out().write(bytes, offset, length);
        }
    }
}
