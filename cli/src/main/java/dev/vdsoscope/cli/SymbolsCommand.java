package dev.vdsoscope.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.Section;
import dev.vdsoscope.elf.SectionIndex;
import dev.vdsoscope.elf.Symbol;
import dev.vdsoscope.elf.SymbolTable;
import dev.vdsoscope.elf.SymbolVersions;
import dev.vdsoscope.vdso.ImageTarget;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "symbols", mixinStandardHelpOptions = true,
        description = {"List the dynamic symbols of ELF files, with their versions.",
                "--style=objdump prints exactly what 'objdump -T FILE' prints.",
                Targets.SHADOWED})
final class SymbolsCommand implements Callable<Integer> {
    enum Style { table, objdump }

    @Mixin
    CommonOptions common;

    @Mixin
    ProcessOptions pidOption;

    @Spec
    CommandSpec spec;

    @Option(names = "--style", defaultValue = "table", description = "table (default) or objdump.")
    Style style;

    @Option(names = {"-a", "--all"}, description = "Also list the static symbol table (.symtab).")
    boolean all;

    @Parameters(arity = "0..*", paramLabel = "TARGET", description = Targets.SYNTAX + ".")
    List<String> files = List.of();

    @Override
    public Integer call() {
        files = Targets.arguments(spec, files, pidOption.pid);
        if (style == Style.objdump && !common.json) {
            return ObjdumpBatch.run(files, all);
        }
        List<Object> documents = new ArrayList<>();
        Batch batch = common.json ? new Batch().recordingFailuresIn(documents) : new Batch();
        batch.each(files, file -> {
            try (ImageTarget.Opened image = Targets.open(Targets.parse(file))) {
                ElfFile elf = image.elf();
                if (common.json) {
                    documents.add(json(file, elf));
                } else {
                    table(file, elf);
                }
                Batch.warn(file, elf.warnings());
            }
        });
        if (common.json) {
            Output.json(new JsonDocument("symbols", 1, documents));
        }
        return batch.exitCode();
    }

    /** One row of the table: every column already rendered. */
    private record Row(String index, String address, String size, String type, String bind, String vis,
            String section, String version, String marker, String name) {}

    private void table(String file, ElfFile elf) {
        var out = Output.out();
        Optional<SymbolTable> dynamic = elf.dynamicSymbols();
        out.println(file + ":");
        if (dynamic.isEmpty()) {
            out.println("  no dynamic symbols");
        } else {
            printTable(elf, dynamic.get(), "dynamic symbols", true);
        }
        if (all) {
            Optional<SymbolTable> statics = elf.staticSymbols();
            if (statics.isEmpty()) {
                out.println("  no static symbols (.symtab): stripped");
            } else {
                printTable(elf, statics.get(), "static symbols (.symtab)", false);
            }
        }
        out.println();
    }

    private void printTable(ElfFile elf, SymbolTable table, String title, boolean versioned) {
        var out = Output.out();
        int width = elf.header().is64() ? 16 : 8;
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("Num", "Address", "Size", "Type", "Bind", "Vis", "Section", "Version", "", "Name"));
        for (int i = 1; i < table.size(); i++) {
            Symbol s = table.get(i);
            String version = "";
            String marker = "";
            if (versioned) {
                Optional<SymbolVersions.Version> v = elf.versions().of(i);
                if (v.isPresent() && !v.get().name().isEmpty() && v.get().kind() != SymbolVersions.Kind.GLOBAL) {
                    version = v.get().name();
                    marker = v.get().hidden() || v.get().kind() == SymbolVersions.Kind.NEEDED ? "@" : "@@";
                }
            }
            rows.add(new Row(Integer.toString(i), Hex.padded(s.value(), width), Long.toString(s.size()),
                    s.type().shortName(), s.binding().shortName(), s.visibility().shortName(),
                    sectionName(elf, s.shndx()), version, marker, s.name()));
        }
        out.println("  " + (rows.size() - 1) + " " + title + (table.origin() == SymbolTable.Origin.DYNAMIC_TABLE
                ? ", found from the dynamic table (no section headers)" : ""));
        int[] w = new int[9];
        for (Row r : rows) {
            String[] c = {r.index(), r.address(), r.size(), r.type(), r.bind(), r.vis(), r.section(), r.marker() + r.version()};
            for (int k = 0; k < c.length; k++) {
                w[k] = Math.max(w[k], c[k].length());
            }
        }
        StringBuilder line = new StringBuilder(160);
        for (Row r : rows) {
            line.setLength(0);
            line.append("  ");
            pad(line, r.index(), w[0], true).append("  ");
            pad(line, r.address(), w[1], false).append("  ");
            pad(line, r.size(), w[2], true).append("  ");
            pad(line, r.type(), w[3], false).append("  ");
            pad(line, r.bind(), w[4], false).append("  ");
            pad(line, r.vis(), w[5], false).append("  ");
            pad(line, r.section(), w[6], false).append("  ");
            pad(line, r.marker() + r.version(), w[7], false).append("  ");
            line.append(r.name());
            out.println(line.toString().stripTrailing());
        }
    }

    private static StringBuilder pad(StringBuilder line, String text, int width, boolean right) {
        if (right) {
            line.append(" ".repeat(width - text.length())).append(text);
        } else {
            line.append(text).append(" ".repeat(width - text.length()));
        }
        return line;
    }

    /** The section a symbol belongs to, by name, or the reserved index name (UND, ABS, COM). */
    static String sectionName(ElfFile elf, int shndx) {
        return switch (shndx) {
            case SectionIndex.SHN_UNDEF -> "UND";
            case SectionIndex.SHN_ABS -> "ABS";
            case SectionIndex.SHN_COMMON -> "COM";
            default -> {
                List<Section> sections = elf.sections();
                if (shndx < sections.size()) {
                    yield sections.get(shndx).name();
                }
                String reserved = SectionIndex.reservedName(shndx);
                yield reserved != null ? reserved : "#" + shndx;
            }
        };
    }

    /** Each entry is a {@link JsonFile}, or a {@link JsonFailedInput} for an input that could not be read. */
    record JsonDocument(String command, int schemaVersion, List<Object> files) {}

    record JsonFile(String file, List<JsonSymbol> dynamicSymbols, List<JsonSymbol> staticSymbols,
            List<String> warnings) {}

    record JsonSymbol(int index, String name, String address, long size, String type, String binding,
            String visibility, String section, JsonVersion version) {}

    record JsonVersion(String name, String kind, boolean hidden, boolean isDefault, String file) {}

    private JsonFile json(String file, ElfFile elf) {
        List<JsonSymbol> dynamic = elf.dynamicSymbols().map(t -> jsonSymbols(elf, t, true)).orElse(List.of());
        List<JsonSymbol> statics = all ? elf.staticSymbols().map(t -> jsonSymbols(elf, t, false)).orElse(List.of())
                : null;
        return new JsonFile(file, dynamic, statics, elf.warnings());
    }

    private static List<JsonSymbol> jsonSymbols(ElfFile elf, SymbolTable table, boolean versioned) {
        List<JsonSymbol> list = new ArrayList<>(table.size());
        for (int i = 1; i < table.size(); i++) {
            Symbol s = table.get(i);
            JsonVersion version = null;
            if (versioned) {
                Optional<SymbolVersions.Version> v = elf.versions().of(i);
                if (v.isPresent()) {
                    SymbolVersions.Version x = v.get();
                    boolean isDefault = !x.hidden() && x.kind() == SymbolVersions.Kind.DEFINED;
                    version = new JsonVersion(x.name(), x.kind().name().toLowerCase(), x.hidden(), isDefault, x.file());
                }
            }
            list.add(new JsonSymbol(i, s.name(), "0x" + Long.toHexString(s.value()), s.size(), s.type().cName(),
                    s.binding().cName(), s.visibility().name(), sectionName(elf, s.shndx()), version));
        }
        return list;
    }
}
