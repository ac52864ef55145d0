package dev.vdsoscope.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import dev.vdsoscope.elf.ElfFile;

/**
 * {@code symbols --style=objdump FILE...}: every file's block as {@code objdump -T} prints it, in order,
 * on standard output; a file that cannot be printed gets the usual {@code vdsoscope: FILE: ...} line on
 * standard error and the batch goes on. Kept apart from {@link SymbolsCommand} so that {@link Main} can
 * run it without building the picocli model, which costs more than printing a small file.
 */
final class ObjdumpBatch {
    private ObjdumpBatch() {}

    static int run(List<String> files, boolean withStatic) {
        Batch batch = new Batch();
        ObjdumpSymbols printer = new ObjdumpSymbols(Output.out());
        batch.each(files, file -> {
            try (ElfFile elf = ElfFile.openConfined(Path.of(file))) {
                ObjdumpSymbols.Outcome outcome = printer.print(file, elf, withStatic);
                switch (outcome) {
                    case NOT_DYNAMIC -> fail(batch, printer, file, "not a dynamic object");
                    case NO_DYNAMIC_SYMBOLS -> fail(batch, printer, file,
                            "no dynamic symbol table (objdump -T stops with \"invalid operation\")");
                    case FROM_DYNAMIC_TABLE -> warn(printer, file, "no section headers: dynamic symbols found"
                            + " through the dynamic table (objdump 2.40 prints none)");
                    case PRINTED -> { }
                }
                for (String warning : printer.warnings()) {
                    warn(printer, file, warning);
                }
                for (String warning : elf.warnings()) {
                    warn(printer, file, warning);
                }
            } catch (Exception e) {
                flush(printer);
                throw e;
            }
        });
        flush(printer);
        return batch.exitCode();
    }

    private static void fail(Batch batch, ObjdumpSymbols printer, String file, String problem) {
        flush(printer);
        batch.fail(new Failure(file, problem, ExitCode.FINDINGS));
    }

    private static void warn(ObjdumpSymbols printer, String file, String warning) {
        flush(printer);
        Batch.warn(file, warning);
    }

    /** Standard output first, so that a message follows the block it is about. */
    private static void flush(ObjdumpSymbols printer) {
        try {
            printer.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
