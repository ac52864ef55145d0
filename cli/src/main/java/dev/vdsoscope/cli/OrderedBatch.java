package dev.vdsoscope.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A batch over files that one or two threads work on, written strictly in file order, so that what
 * it prints is exactly what one thread would print. Each thread takes the next file and works on it
 * into a {@link Block}: the bytes for standard output and the messages, in the order they are to
 * appear. Whichever thread completes the block next in file order writes it and any that were waiting
 * behind it. A thread runs at most {@link #WINDOW} files ahead of the writing, so memory stays
 * bounded; a block too large to buffer is {@linkplain Block#stream streamed} once its turn has come.
 *
 * <p>Two threads pay on two cores even though the JIT compiler takes much of the second one for the
 * first hundred milliseconds: 883 libraries through {@code symbols --style=objdump} went from 0.26 to
 * 0.23 s. (Not so for {@code ldd --style=ldd}, measured on 529 programs: with a loader per thread,
 * each parses the libraries its programs share, 0.177 s against 0.165 s on one thread; with one
 * thread-safe loader shared, 0.162 against 0.147 s, the second thread only competing with the JIT.)
 */
final class OrderedBatch {
    /** Batches shorter than this are not worth a second thread. */
    private static final int PARALLEL_FROM = 16;
    /** How many files may be worked on ahead of the one being written. */
    private static final int WINDOW = 64;

    /**
     * What one thread does with each file it takes; made once per thread, so it may keep buffers and
     * caches, and closed on that thread when no file is left.
     */
    interface Worker extends AutoCloseable {
        void work(String file, Block block) throws Exception;

        @Override
        default void close() {}
    }

    private final List<String> files;
    private final Batch batch = new Batch();
    private final Progress progress;
    private final AtomicInteger taken = new AtomicInteger();
    private final Block[] pending = new Block[WINDOW];
    /** The index of the next file to write; guarded by this. */
    private int next;
    /** What stopped a thread outside any one file's work; the other then stops too. Guarded by this. */
    private Throwable abandoned;

    private OrderedBatch(List<String> files, Progress progress) {
        this.files = files;
        this.progress = progress;
    }

    /** Two threads for a batch long enough to pay for the second on a machine with a second core. */
    static int threadsFor(List<String> files) {
        return files.size() >= PARALLEL_FROM && Runtime.getRuntime().availableProcessors() >= 2 ? 2 : 1;
    }

    /** Runs the batch on {@code threads} threads (1 or 2), each with a worker of its own; returns the exit code. */
    static int run(List<String> files, int threads, Supplier<Worker> workers) {
        try (Progress progress = Progress.start(files.size())) {
            return run(files, threads, workers, progress);
        }
    }

    /**
     * Runs work items that are parts of one subject rather than files ({@code disasm}'s blocks of one
     * image): each item is labelled {@code subject} in its messages, and no progress bar is drawn,
     * the output itself being the progress.
     */
    static int runParts(String subject, int parts, int threads, Supplier<Worker> workers) {
        try (Progress none = Progress.hidden(parts)) {
            return run(Collections.nCopies(parts, subject), threads, workers, none);
        }
    }

    private static int run(List<String> files, int threads, Supplier<Worker> workers, Progress progress) {
        OrderedBatch ordered = new OrderedBatch(files, progress);
        Thread helper = null;
        if (threads > 1) {
            // The helper writes blocks too: to this run's output.
            Output output = Output.current();
            helper = Thread.ofPlatform().name("batch-helper").daemon().start(() -> output.bind(() -> {
                ordered.work(workers);
                return null;
            }));
        }
        ordered.work(workers);
        if (helper != null) {
            joinUninterruptibly(helper);
        }
        synchronized (ordered) {
            if (ordered.abandoned != null) {
                // Said as the one-line internal error; nothing that was written is taken back.
                throw new IllegalStateException("a thread of the batch failed: " + ordered.abandoned,
                        ordered.abandoned);
            }
        }
        return ordered.batch.exitCode();
    }

    /**
     * Takes files until none is left. A file's own failure is its one-line message; anything else
     * (the message itself failing, an error while writing) stops this thread, and the other one
     * with it, rather than leave the batch waiting for a block that will never come.
     */
    private void work(Supplier<Worker> workers) {
        try (Worker worker = workers.get()) {
            for (int i = taken.getAndIncrement(); i < files.size(); i = taken.getAndIncrement()) {
                awaitWindow(i);
                Block block = new Block(i, files.get(i));
                try {
                    worker.work(block.file, block);
                } catch (Throwable t) {
                    block.fail(Failure.of(block.file, t));
                } finally {
                    complete(block);
                }
            }
        } catch (Throwable t) {
            abandon(t);
        }
    }

    private synchronized void abandon(Throwable t) {
        if (abandoned == null) {
            abandoned = t;
        }
        notifyAll();
    }

    private synchronized void awaitWindow(int file) {
        while (file - next >= WINDOW) {
            waitUninterruptibly();
        }
    }

    /** Writes the block if its turn has come, then every block waiting behind it; else parks it. */
    private synchronized void complete(Block block) {
        if (block.streaming) {
            next++;
        } else {
            pending[block.index % WINDOW] = block;
        }
        for (Block b = pending[next % WINDOW]; b != null && b.index == next; b = pending[next % WINDOW]) {
            pending[next % WINDOW] = null;
            b.writeHeld();
            next++;
        }
        notifyAll();
    }

    private synchronized boolean isNext(int file) {
        return next == file;
    }

    /** Until every file before this one is written. */
    private synchronized void awaitTurn(int file) {
        while (next != file) {
            waitUninterruptibly();
        }
    }

    /**
     * Waits for the writing to move on, unless the other thread has given up. Not interruptible:
     * nothing interrupts a batch's threads, and a thread left interrupted would fail every file
     * read after (ClosedByInterruptException).
     */
    private void waitUninterruptibly() {
        if (abandoned != null) {
            throw new IllegalStateException("the other thread of the batch failed", abandoned);
        }
        try {
            wait();
        } catch (InterruptedException e) {
            // See above: waited for again by the caller's loop.
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        while (true) {
            try {
                thread.join();
                return;
            } catch (InterruptedException e) {
                // As in waitUninterruptibly: the helper's blocks must be written before the batch ends.
            }
        }
    }

    /**
     * One file's output and messages, held until its turn. Messages keep their place relative to the
     * output: a warning added before the bytes appears before them, as if printed at once.
     */
    final class Block {
        private final int index;
        private final String file;
        /** What to write in the file's turn, in order: output bytes and messages. */
        private final List<Consumer<Batch>> held = new ArrayList<>();
        /** Once its turn has come and what it held is written, it writes through. */
        private boolean streaming;

        private Block(int index, String file) {
            this.index = index;
            this.file = file;
        }

        /** The position of its item in the batch, from 0. */
        int index() {
            return index;
        }

        /**
         * Bytes for standard output: written at once when the file's turn has come (as it always has
         * on one thread), else copied, so the caller may reuse its buffer.
         */
        void out(byte[] bytes, int offset, int length) {
            if (!streaming && length > 0 && isNext(index)) {
                writeHeld();
                streaming = true;
            }
            if (streaming) {
                Output.out().write(bytes, offset, length);
            } else if (length > 0) {
                byte[] copy = new byte[length];
                System.arraycopy(bytes, offset, copy, 0, length);
                held.add(batch -> Output.out().write(copy, 0, length));
            }
        }

        /**
         * Waits for this file's turn, writes what the block holds, and writes these bytes and everything
         * after them straight through: for a block too large to buffer.
         */
        void stream(byte[] bytes, int offset, int length) {
            if (!streaming) {
                awaitTurn(index);
                writeHeld();
                streaming = true;
            }
            out(bytes, offset, length);
        }

        /** All of the file's warnings, printed as {@link Batch#warn(String, List)} bounds them. */
        void warn(List<String> warnings) {
            if (!warnings.isEmpty()) {
                List<String> copy = List.copyOf(warnings);
                message(batch -> Batch.warn(file, copy));
            }
        }

        void fail(Failure failure) {
            message(batch -> batch.fail(failure));
        }

        private void message(Consumer<Batch> message) {
            if (streaming) {
                synchronized (OrderedBatch.this) {
                    message.accept(batch);
                }
            } else {
                held.add(message);
            }
        }

        /** Runs in the file's turn: the progress step, then the held output and messages in order. */
        private void writeHeld() {
            progress.step(file);
            for (Consumer<Batch> piece : held) {
                piece.accept(batch);
            }
            held.clear();
        }
    }
}
