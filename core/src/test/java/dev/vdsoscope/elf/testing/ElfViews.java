package dev.vdsoscope.elf.testing;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.vdsoscope.elf.DynamicTable;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.elf.HashTable;
import dev.vdsoscope.elf.Note;
import dev.vdsoscope.elf.Section;
import dev.vdsoscope.elf.SymbolTable;
import dev.vdsoscope.elf.SymbolVersions;

/**
 * Reads every view of an image and writes down what it saw, one view at a time: a view that fails
 * with {@link ElfFormatException} is recorded as such and the others are still read. Any other
 * exception escapes, which is what the hostile-input tests look for. Two snapshots of the same bytes
 * must be equal whatever memory they were read from.
 */
public final class ElfViews {
    private final ElfFile elf;
    private final StringBuilder out = new StringBuilder();

    private ElfViews(ElfFile elf) {
        this.elf = elf;
    }

    public static String snapshot(ElfFile elf) {
        ElfViews views = new ElfViews(elf);
        views.readAll();
        return views.out.toString();
    }

    private void readAll() {
        view("header", () -> elf.header().toString());
        view("segments", () -> elf.segments().toString());
        view("interpreter", () -> elf.interpreter().toString());
        view("sections", () -> elf.sections().toString());
        view("section contents", this::contents);
        view("dynamic", () -> elf.dynamic().map(this::dynamic).orElse("none"));
        view("dynamic symbols", () -> elf.dynamicSymbols().map(ElfViews::symbols).orElse("none"));
        view("static symbols", () -> elf.staticSymbols().map(ElfViews::symbols).orElse("none"));
        view("versions", this::versions);
        view("hash", this::hash);
        view("notes", this::notes);
        out.append("warnings: ").append(elf.warnings()).append('\n');
    }

    private void view(String name, Supplier<String> reader) {
        String text;
        try {
            text = reader.get();
        } catch (ElfFormatException e) {
            text = "! " + e.getMessage();
        }
        out.append(name).append(": ").append(text).append('\n');
    }

    /** The size of each section's bytes as sliced out of the image. */
    private String contents() {
        StringBuilder s = new StringBuilder();
        for (Section section : elf.sections()) {
            s.append(' ').append(attempt(() -> Long.toString(elf.contents(section).byteSize())));
        }
        return s.toString();
    }

    private String dynamic(DynamicTable d) {
        StringBuilder s = new StringBuilder(d.entries().toString());
        s.append(" needed=").append(attempt(() -> d.needed().toString()));
        s.append(" soname=").append(attempt(() -> d.soname().toString()));
        s.append(" runpath=").append(attempt(() -> d.runpath().toString()));
        return s.toString();
    }

    private static String symbols(SymbolTable table) {
        StringBuilder s = new StringBuilder(table.origin() + " " + table.size() + ":");
        for (int i = 0; i < table.size(); i++) {
            int index = i;
            s.append("\n  ").append(attempt(() -> table.get(index).toString()));
        }
        return s.toString();
    }

    private String versions() {
        SymbolVersions v = elf.versions();
        StringBuilder s = new StringBuilder();
        s.append(v.definitions()).append(' ').append(v.requirements());
        int count = elf.dynamicSymbols().map(SymbolTable::size).orElse(0);
        for (int i = 0; i < count; i++) {
            int index = i;
            s.append("\n  ").append(i).append(' ').append(attempt(() -> v.of(index).toString()));
        }
        return s.toString();
    }

    private String hash() {
        Optional<HashTable> table = elf.hashTable();
        Optional<SymbolTable> symbols = elf.dynamicSymbols();
        if (table.isEmpty() || symbols.isEmpty()) {
            return "none";
        }
        StringBuilder s = new StringBuilder(table.get().getClass().getSimpleName());
        s.append(" count=").append(attempt(() -> Long.toString(table.get().symbolCount())));
        for (int i = 0; i < symbols.get().size(); i++) {
            int index = i;
            String name = attempt(() -> symbols.get().get(index).name());
            s.append("\n  ").append(name).append(" -> ")
                    .append(attempt(() -> table.get().lookup(name, symbols.get()).toString()));
        }
        s.append("\n  (missing) -> ").append(attempt(() -> table.get().lookup("no such symbol", symbols.get())
                .toString()));
        return s.toString();
    }

    private String notes() {
        List<Note> notes = elf.notes();
        StringBuilder s = new StringBuilder();
        for (Note n : notes) {
            s.append("\n  ").append(n.owner()).append(' ').append(n.type()).append(' ').append(n.typeName())
                    .append(' ').append(n.descSize()).append(' ').append(n.describe(elf.header())).append(' ')
                    .append(attempt(() -> dev.vdsoscope.elf.BuildId.of(n).map(dev.vdsoscope.elf.BuildId::hex).toString()));
        }
        return s.toString();
    }

    /** A part of a view that may fail on its own (one symbol, one string). */
    private static String attempt(Supplier<String> part) {
        try {
            return part.get();
        } catch (ElfFormatException e) {
            return "! " + e.getMessage();
        }
    }
}
