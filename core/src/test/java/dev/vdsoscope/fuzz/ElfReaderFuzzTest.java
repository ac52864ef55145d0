package dev.vdsoscope.fuzz;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.vdsoscope.elf.DynamicTable;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.elf.HashTable;
import dev.vdsoscope.elf.Note;
import dev.vdsoscope.elf.Symbol;
import dev.vdsoscope.elf.SymbolTable;
import dev.vdsoscope.elf.SymbolVersions;

/**
 * Coverage-guided fuzzing of the ELF reader through every view. In the normal test run this replays
 * the corpus in ElfReaderFuzzTestInputs (the real vDSO fixtures and every finding); scripts/fuzz runs
 * it for real. The only exception a view may throw is ElfFormatException.
 */
class ElfReaderFuzzTest {
    @FuzzTest
    void everyView(byte[] data) {
        ElfFile elf;
        try {
            elf = ElfFile.of("fuzz", MemorySegment.ofArray(data));
        } catch (ElfFormatException e) {
            return;
        }
        guarded(() -> elf.segments());
        guarded(() -> elf.sections());
        guarded(() -> elf.interpreter());
        guarded(() -> elf.dynamic().map(DynamicTable::needed));
        guarded(() -> elf.dynamic().flatMap(DynamicTable::soname));
        guarded(() -> walk(elf, elf.dynamicSymbols(), elf.versions()));
        guarded(() -> walk(elf, elf.staticSymbols(), null));
        guarded(() -> walk(elf, elf.loaderSymbols(), elf.loaderVersions()));
        guarded(() -> {
            for (Note note : elf.notes()) {
                note.describe(elf.header());
                dev.vdsoscope.elf.BuildId.of(note);
            }
            return null;
        });
        elf.warnings();
    }

    private static Object walk(ElfFile elf, Optional<SymbolTable> table, SymbolVersions versions) {
        if (table.isEmpty()) {
            return null;
        }
        Optional<HashTable> hash = elf.hashTable();
        for (Symbol s : table.get()) {
            s.type();
            s.binding();
            if (versions != null) {
                versions.of(s.index());
            }
            if (hash.isPresent() && !s.name().isEmpty()) {
                hash.get().lookup(s.name(), table.get());
            }
        }
        return null;
    }

    private static void guarded(java.util.function.Supplier<?> view) {
        try {
            view.get();
        } catch (ElfFormatException expected) {
            // The documented answer to a malformed image.
        }
    }
}
