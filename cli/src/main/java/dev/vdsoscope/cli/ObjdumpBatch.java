package dev.vdsoscope.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

import dev.vdsoscope.compat.ObjdumpSymbols;
import dev.vdsoscope.elf.BatchReader;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.vdso.ImageTarget;

/**
 * {@code symbols --style=objdump FILE...}: every file's block as {@code objdump -T} prints it, in order,
 * on standard output; a file that cannot be printed gets the usual {@code vdsoscope: FILE: ...} line on
 * standard error and the batch goes on. Kept apart from {@link SymbolsCommand} so that {@link Main} can
 * run it without building the picocli model, which costs more than printing a small file. Long batches
 * are formatted by two threads ({@link OrderedBatch}).
 */
final class ObjdumpBatch {
    /** A file's block is buffered whole up to this size; beyond, it is written as its turn allows. */
    private static final int BUFFER_LIMIT = 4 << 20;

    private ObjdumpBatch() {}

    static int run(List<String> files, boolean withStatic) {
        return run(files, withStatic, OrderedBatch.threadsFor(files));
    }

    /** With a chosen number of threads (1 or 2): for tests, which must cover both on any machine. */
    static int run(List<String> files, boolean withStatic, int threads) {
        return OrderedBatch.run(files, threads, () -> new Worker(withStatic));
    }

    /** One thread's printer and read buffer. */
    private static final class Worker implements OrderedBatch.Worker {
        private final boolean withStatic;
        private final BatchReader reader = BatchReader.forWholeFiles();
        private final ObjdumpSymbols printer = new ObjdumpSymbols(new Spill(), BUFFER_LIMIT);
        private OrderedBatch.Block block;

        Worker(boolean withStatic) {
            this.withStatic = withStatic;
        }

        @Override
        public void work(String file, OrderedBatch.Block block) throws IOException {
            this.block = block;
            printer.reset();
            ObjdumpSymbols.Outcome outcome;
            List<String> warnings = new ArrayList<>();
            ImageTarget target = Targets.parse(file);
            try (ImageTarget.Opened image = target instanceof ImageTarget.File ? null : Targets.open(target);
                    ElfFile elf = image != null ? image.elf() : next(((ImageTarget.File) target).path())) {
                outcome = printer.print(file, elf, withStatic);
                warnings.addAll(printer.warnings());
                warnings.addAll(elf.warnings());
            } catch (IOException | RuntimeException e) {
                printer.reset(); // a file that fails prints nothing of its own
                throw e;
            }
            block.out(printer.buffer(), 0, printer.length());
            printer.reset();
            switch (outcome) {
                case NOT_DYNAMIC -> block.fail(new Failure(file, "not a dynamic object", ExitCode.FINDINGS));
                case NO_DYNAMIC_SYMBOLS -> block.fail(new Failure(file,
                        "no dynamic symbol table (objdump -T stops with \"invalid operation\")", ExitCode.FINDINGS));
                case STOPPED -> block.fail(new Failure(file, printer.stoppedBecause()
                        + " (objdump -T prints the header and stops)", ExitCode.BAD_INPUT));
                case PRINTED -> { }
            }
            block.warn(warnings);
        }

        private ElfFile next(Path path) throws IOException {
            return reader.next(path, Files.readAttributes(path, BasicFileAttributes.class));
        }

        /** Where the printer spills a block too large to buffer: written once the file's turn has come. */
        private final class Spill extends OutputStream {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                block.stream(bytes, offset, length);
            }
        }
    }
}
