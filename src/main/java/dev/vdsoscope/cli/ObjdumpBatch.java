package dev.vdsoscope.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.vdsoscope.elf.ElfFile;

/**
 * {@code symbols --style=objdump FILE...}: every file's block as {@code objdump -T} prints it, in order,
 * on standard output; a file that cannot be printed gets the usual {@code vdsoscope: FILE: ...} line on
 * standard error and the batch goes on. Kept apart from {@link SymbolsCommand} so that {@link Main} can
 * run it without building the picocli model, which costs more than printing a small file.
 *
 * <p>Long batches are read and formatted by two threads. Each takes the next file, formats it into its
 * own buffer, and writes it (with its messages) only when every earlier file has been written, so the
 * output is exactly that of one thread. A thread's buffer goes out as it fills, once the file's turn has
 * come, so memory stays bounded whatever the files hold.
 */
final class ObjdumpBatch {
    /** Batches shorter than this are not worth a second thread. */
    private static final int PARALLEL_FROM = 16;

    private ObjdumpBatch() {}

    static int run(List<String> files, boolean withStatic) {
        Batch batch = new Batch();
        Turns turns = new Turns();
        AtomicInteger next = new AtomicInteger();
        try (Progress progress = Progress.start(files.size())) {
            Runnable worker = () -> work(files, withStatic, batch, turns, next, progress);
            Thread helper = null;
            if (files.size() >= PARALLEL_FROM && Runtime.getRuntime().availableProcessors() > 1) {
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

    private static void work(List<String> files, boolean withStatic, Batch batch, Turns turns, AtomicInteger next,
            Progress progress) {
        TurnSink sink = new TurnSink(turns);
        ObjdumpSymbols printer = new ObjdumpSymbols(sink);
        for (int i = next.getAndIncrement(); i < files.size(); i = next.getAndIncrement()) {
            String file = files.get(i);
            sink.file = i;
            try {
                ObjdumpSymbols.Outcome outcome = null;
                List<String> warnings = List.of();
                Throwable failure = null;
                try (ElfFile elf = ElfFile.openConfined(Path.of(file))) {
                    outcome = printer.print(file, elf, withStatic);
                    warnings = List.copyOf(printer.warnings());
                    if (!elf.warnings().isEmpty()) {
                        warnings = new java.util.ArrayList<>(warnings);
                        warnings.addAll(elf.warnings());
                    }
                } catch (Throwable t) {
                    failure = t;
                    printer.reset();
                }
                turns.await(i);
                progress.step(file);
                printer.flush();
                report(batch, file, outcome, warnings, failure);
            } catch (IOException e) {
                batch.fail(Failure.of(file, e));
            } finally {
                printer.reset();
                turns.await(i);
                turns.advance();
            }

        }
    }

    /** The messages and exit code of one file; runs in the file's turn, so in file order. */
    private static void report(Batch batch, String file, ObjdumpSymbols.Outcome outcome, List<String> warnings,
            Throwable failure) {
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

    /** Whose turn it is to write: files are written strictly in command-line order. */
    private static final class Turns {
        private int current;

        synchronized void await(int file) {
            boolean interrupted = false;
            while (current != file) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        synchronized void advance() {
            current++;
            notifyAll();
        }
    }

    /** Standard output for one worker: a write waits for the turn of the file being formatted. */
    private static final class TurnSink extends OutputStream {
        private final Turns turns;
        int file;

        TurnSink(Turns turns) {
            this.turns = turns;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            turns.await(file);
            Output.out().write(bytes, offset, length);
        }
    }
}
