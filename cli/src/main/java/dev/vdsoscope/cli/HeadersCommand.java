package dev.vdsoscope.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.compat.ReadelfMachineFlags;
import dev.vdsoscope.elf.DynamicEntry;
import dev.vdsoscope.elf.DynamicTable;
import dev.vdsoscope.elf.DynamicTag;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.elf.ElfHeader;
import dev.vdsoscope.elf.Machine;
import dev.vdsoscope.elf.Note;
import dev.vdsoscope.elf.ProgramHeader;
import dev.vdsoscope.elf.Section;
import dev.vdsoscope.vdso.ImageTarget;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "headers", mixinStandardHelpOptions = true,
        description = {"Show the file header, program headers, sections, dynamic table and notes.",
                "What 'readelf -h -l -S -d -n' shows, in one layout.",
                Targets.SHADOWED})
final class HeadersCommand implements Callable<Integer> {
    enum Part { header, segments, sections, dynamic, notes }

    @Mixin
    CommonOptions common;

    @Mixin
    ProcessOptions pidOption;

    @Spec
    CommandSpec spec;

    @Option(names = "--only", split = ",", paramLabel = "PART",
            description = "Show only these parts: ${COMPLETION-CANDIDATES}.")
    Set<Part> only = EnumSet.allOf(Part.class);

    @Parameters(arity = "0..*", paramLabel = "TARGET", description = Targets.SYNTAX + ".")
    List<String> files = List.of();

    @Override
    public Integer call() {
        files = Targets.arguments(spec, files, pidOption.pid);
        List<Object> documents = new ArrayList<>();
        Batch batch = common.json ? new Batch().recordingFailuresIn(documents) : new Batch();
        batch.each(files, file -> {
            try (ImageTarget.Opened image = Targets.open(Targets.parse(file))) {
                ElfFile elf = image.elf();
                List<String> problems = new ArrayList<>();
                if (common.json) {
                    documents.add(json(file, elf, problems));
                } else {
                    text(file, elf, problems);
                }
                problems.addAll(elf.warnings());
                Batch.warn(file, problems);
            }
        });
        if (common.json) {
            Output.json(new JsonDocument("headers", 1, documents));
        }
        return batch.exitCode();
    }

    /** Runs one part; a malformed part becomes a warning and the other parts are still shown. */
    private static <T> T part(List<String> problems, String what, java.util.function.Supplier<T> reader, T fallback) {
        try {
            return reader.get();
        } catch (ElfFormatException e) {
            problems.add(what + ": " + e.getMessage());
            return fallback;
        }
    }

    private void text(String file, ElfFile elf, List<String> problems) {
        PrintStream out = Output.out();
        ElfHeader h = elf.header();
        int w = h.is64() ? 16 : 8;
        out.println(file + ":");
        if (only.contains(Part.header)) {
            out.println("ELF header");
            row(out, "Class", h.elfClass().bits() + "-bit (" + h.elfClass() + ")");
            row(out, "Data", (h.data().littleEndian() ? "little-endian" : "big-endian") + " (" + h.data() + ")");
            row(out, "Version", h.identVersion() + (h.identVersion() == 1 ? " (EV_CURRENT)" : ""));
            row(out, "OS/ABI", h.osAbi().cName() + " (" + h.osAbi().value() + "), ABI version " + h.abiVersion());
            row(out, "Type", h.type().cName());
            row(out, "Machine", h.machine().description() + " (" + h.machine().cName() + ")"
                    + (LinuxAbi.isX32(h) ? ", x32 ABI" : ""));
            row(out, "Entry point", "0x" + Long.toHexString(h.entry()));
            row(out, "Program headers", h.phnum() + " x " + h.phentsize() + " bytes at offset 0x"
                    + Long.toHexString(h.phoff()) + (h.ePhnum() != h.phnum() ? " (PN_XNUM: count in section 0)" : ""));
            row(out, "Section headers", h.shnum() + " x " + h.shentsize() + " bytes at offset 0x"
                    + Long.toHexString(h.shoff()) + (h.eShnum() != h.shnum() ? " (e_shnum 0: count in section 0)" : ""));
            row(out, "Section names", "section " + h.shstrndx()
                    + (h.eShstrndx() != h.shstrndx() ? " (SHN_XINDEX: index in section 0)" : ""));
            row(out, "Flags", "0x" + Long.toHexString(h.flags()) + ReadelfMachineFlags.words(h.machine(), h.flags()).orElse(""));
            row(out, "Header size", h.ehsize() + " bytes");
            out.println();
        }
        if (only.contains(Part.segments)) {
            List<ProgramHeader> segments = part(problems, "program headers", elf::segments, List.of());
            out.println("Program headers (" + segments.size() + ")");
            if (!segments.isEmpty()) {
                out.printf("  %-3s %-16s %-10s %-" + (w + 2) + "s %-" + (w + 2) + "s %-10s %-10s %-3s %s%n",
                        "Nr", "Type", "Offset", "VirtAddr", "PhysAddr", "FileSiz", "MemSiz", "Flg", "Align");
                for (ProgramHeader p : segments) {
                    out.printf("  %-3d %-16s 0x%08x 0x%s 0x%s 0x%08x 0x%08x %s 0x%x%n", p.index(),
                            p.type().cName(h.machine()).replaceFirst("^PT_", ""), p.offset(), Hex.padded(p.vaddr(), w),
                            Hex.padded(p.paddr(), w), p.filesz(), p.memsz(), p.flagString(), p.align());
                }
                Optional<String> interp = part(problems, "PT_INTERP", elf::interpreter, Optional.empty());
                interp.ifPresent(i -> out.println("  Interpreter: " + i));
            }
            out.println();
        }
        if (only.contains(Part.sections)) {
            List<Section> sections = part(problems, "section headers", elf::sections, List.of());
            out.println("Sections (" + sections.size() + ")");
            if (!sections.isEmpty()) {
                out.printf("  %-4s %-20s %-18s %-" + w + "s %-8s %-8s %-4s %-5s %-4s %-4s %s%n", "[Nr]", "Name", "Type",
                        "Address", "Offset", "Size", "ES", "Flg", "Lk", "Inf", "Al");
                for (Section s : sections) {
                    out.printf("  [%2d] %-20s %-18s %s %08x %08x %-4x %-5s %-4d %-4d %d%n", s.index(), s.name(),
                            s.type().cName(h.machine()).replaceFirst("^SHT_", ""), Hex.padded(s.addr(), w),
                            s.offset(), s.size(), s.entsize(), s.flagString(), s.link(), s.info(), s.addralign());
                }
                out.println("  Flags: W write, A alloc, X execute, M merge, S strings, I info, L link order,");
                out.println("         O extra OS processing, G group, T TLS, C compressed, E exclude");
            }
            out.println();
        }
        if (only.contains(Part.dynamic)) {
            Optional<DynamicTable> dynamic = part(problems, "dynamic table", elf::dynamic, Optional.empty());
            if (dynamic.isEmpty()) {
                out.println("Dynamic table: none (statically linked or relocatable)");
            } else if (noFileBytes(elf)) {
                // A separate-debuginfo file keeps PT_DYNAMIC and a NOBITS .dynamic: as readelf says, no table.
                out.println("Dynamic table: none in this file (its .dynamic has no file bytes: a separate debuginfo"
                        + " file)");
            } else {
                DynamicTable d = dynamic.get();
                out.println("Dynamic table at offset 0x" + Long.toHexString(d.offset()) + " (" + d.entries().size()
                        + " entries)");
                for (DynamicEntry e : d.entries()) {
                    out.printf("  %-24s %s%n", e.tag().cName(h.machine()), dynamicValue(d, e, problems));
                }
            }
            out.println();
        }
        if (only.contains(Part.notes)) {
            List<Note> notes = notes(elf, problems);
            out.println("Notes (" + notes.size() + ")");
            for (Note n : notes) {
                String type = n.typeName() != null ? n.typeName() : "type 0x" + Long.toHexString(n.type());
                out.printf("  %-8s %-24s %4d bytes  %s%n", n.owner(), type, n.descSize(), n.describe(h));
            }
            out.println();
        }
    }

    private static void row(PrintStream out, String label, String value) {
        out.printf("  %-18s %s%n", label + ":", value);
    }

    /**
     * The notes, from the note sections, or, where the section table cannot be read, from the PT_NOTE
     * segments, as readelf -n falls back to them.
     */
    private static List<Note> notes(ElfFile elf, List<String> problems) {
        try {
            return elf.notes();
        } catch (ElfFormatException e) {
            problems.add("notes are read from the PT_NOTE segments: " + e.getMessage());
            return part(problems, "notes", elf::segmentNotes, List.of());
        }
    }

    /**
     * Whether the dynamic table has no bytes in the file (SHT_NOBITS .dynamic among the sections that
     * could be read, or a PT_DYNAMIC of p_filesz 0).
     */
    private static boolean noFileBytes(ElfFile elf) {
        List<Section> sections;
        try {
            sections = elf.sections();
        } catch (ElfFormatException e) {
            sections = List.of(); // the section part reports it
        }
        boolean nobitsSection = sections.stream().anyMatch(sec -> sec.name().equals(".dynamic")
                && !sec.hasFileBytes());
        boolean emptySegment = elf.segment(dev.vdsoscope.elf.SegmentType.PT_DYNAMIC).map(p -> p.filesz() == 0)
                .orElse(false);
        return nobitsSection || emptySegment;
    }

    private static String dynamicValue(DynamicTable d, DynamicEntry e, List<String> problems) {
        if (e.tag().isStringOffset()) {
            try {
                return "[" + d.string(e.value()) + "]";
            } catch (ElfFormatException x) {
                problems.add(e.tag().cName() + ": " + x.getMessage());
                return "<corrupt string offset 0x" + Long.toHexString(e.value()) + ">";
            }
        }
        if (e.tag().isAddress()) {
            return "0x" + Long.toHexString(e.value());
        }
        if (e.tag().is(DynamicTag.DT_FLAGS_1) || e.tag().is(DynamicTag.DT_FLAGS)) {
            List<String> set = e.tag().is(DynamicTag.DT_FLAGS) ? DynamicTable.flagsNames(e.value())
                    : DynamicTable.flags1Names(e.value());
            return "0x" + Long.toHexString(e.value()) + (set.isEmpty() ? "" : " (" + String.join(" ", set) + ")");
        }
        if (e.tag().is(DynamicTag.DT_PLTREL)) {
            // The type of the PLT's relocations, named by its tag as readelf -d names it: REL or RELA.
            String tag = new DynamicTag(e.value()).cName();
            return "0x" + Long.toHexString(e.value()) + " (" + (tag.startsWith("DT_") ? tag.substring(3) : tag) + ")";
        }
        return "0x" + Long.toHexString(e.value()) + " (" + Long.toUnsignedString(e.value()) + ")";
    }

    /** Each entry is a {@link JsonHeaders}, or a {@link JsonFailedInput} for an input that could not be read. */
    record JsonDocument(String command, int schemaVersion, List<Object> files) {}

    record JsonHeaders(String file, JsonHeader header, List<JsonSegment> segments, List<JsonSection> sections,
            List<JsonDynamic> dynamic, List<JsonNote> notes, List<String> warnings) {}

    /** The file header with C names for constants and hex strings for addresses (docs/JSON.md). */
    record JsonHeader(String elfClass, String data, int identVersion, String osAbi, int abiVersion, String type,
            String machine, String machineDescription, boolean x32, long version, String entry, @JsonSerialize(using = Unsigned64.class) long phoff, @JsonSerialize(using = Unsigned64.class) long shoff,
            String flags, int ehsize, int phentsize, long phnum, int shentsize, long shnum, long shstrndx, int ePhnum,
            int eShnum, int eShstrndx, String flagWords) {}

    record JsonSegment(int index, String type, String flags, @JsonSerialize(using = Unsigned64.class) long offset,
            String vaddr, String paddr, @JsonSerialize(using = Unsigned64.class) long filesz,
            @JsonSerialize(using = Unsigned64.class) long memsz, @JsonSerialize(using = Unsigned64.class) long align) {}

    record JsonSection(int index, String name, String type, String flags, String addr,
            @JsonSerialize(using = Unsigned64.class) long offset, @JsonSerialize(using = Unsigned64.class) long size,
            long link, long info, @JsonSerialize(using = Unsigned64.class) long addralign,
            @JsonSerialize(using = Unsigned64.class) long entsize) {}

    record JsonDynamic(String tag, @JsonSerialize(using = Unsigned64.class) long value, String hex, String string) {}

    record JsonNote(String owner, long type, String typeName, @JsonSerialize(using = Unsigned64.class) long size,
            String description) {}

    private static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }

    private JsonHeaders json(String file, ElfFile elf, List<String> problems) {
        ElfHeader h = elf.header();
        Machine machine = h.machine();
        JsonHeader header = new JsonHeader(h.elfClass().name(), h.data().name(), h.identVersion(), h.osAbi().cName(),
                h.abiVersion(), h.type().cName(), machine.cName(), machine.description(), LinuxAbi.isX32(h), h.version(),
                hex(h.entry()), h.phoff(), h.shoff(), hex(h.flags()), h.ehsize(), h.phentsize(), h.phnum(),
                h.shentsize(), h.shnum(), h.shstrndx(), h.ePhnum(), h.eShnum(), h.eShstrndx(),
                ReadelfMachineFlags.words(machine, h.flags()).map(w -> w.replaceFirst("^, ", "")).orElse(null));
        List<ProgramHeader> segments = part(problems, "program headers", elf::segments, null);
        List<Section> sections = part(problems, "section headers", elf::sections, null);
        List<JsonDynamic> dynamic = new ArrayList<>();
        Optional<DynamicTable> table = part(problems, "dynamic table", elf::dynamic, Optional.<DynamicTable>empty())
                .filter(d -> !noFileBytes(elf));
        table.ifPresent(d -> {
            for (DynamicEntry e : d.entries()) {
                String string = e.tag().isStringOffset() ? part(problems, e.tag().cName(), () -> d.string(e.value()), null)
                        : null;
                dynamic.add(new JsonDynamic(e.tag().cName(machine), e.value(), hex(e.value()), string));
            }
        });
        List<JsonNote> notes = new ArrayList<>();
        for (Note n : notes(elf, problems)) {
            notes.add(new JsonNote(n.owner(), n.type(), n.typeName(), n.descSize(), n.describe(h)));
        }
        return new JsonHeaders(file, header, segments == null ? null : segments.stream().map(p -> new JsonSegment(
                        p.index(), p.type().cName(machine), p.flagString(), p.offset(), hex(p.vaddr()), hex(p.paddr()),
                        p.filesz(), p.memsz(), p.align())).toList(),
                sections == null ? null : sections.stream().map(x -> new JsonSection(x.index(), x.name(),
                        x.type().cName(machine), x.flagString(), hex(x.addr()), x.offset(), x.size(), x.link(), x.info(),
                        x.addralign(), x.entsize())).toList(),
                dynamic, notes, java.util.stream.Stream.concat(problems.stream(), elf.warnings().stream()).toList());
    }
}
