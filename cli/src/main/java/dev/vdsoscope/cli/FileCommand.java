package dev.vdsoscope.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.vdsoscope.compat.FileDescription;
import dev.vdsoscope.compat.FileMagic;
import dev.vdsoscope.compat.FileNotes;
import dev.vdsoscope.elf.AbiTag;
import dev.vdsoscope.elf.BuildId;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.elf.ElfHeader;
import dev.vdsoscope.elf.ElfType;
import dev.vdsoscope.elf.Linkage;
import dev.vdsoscope.elf.Stripping;
import dev.vdsoscope.vdso.ImageTarget;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "file", mixinStandardHelpOptions = true,
        description = {"Describe ELF files in one line each, as file(1) 5.44 does.",
                "Class, byte order, type, machine, OS/ABI, linking, interpreter, build-id,",
                "debug_info, stripped.",
                Targets.SHADOWED})
final class FileCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ProcessOptions pidOption;

    @Spec
    CommandSpec spec;

    @Option(names = {"-b", "--brief"}, description = "Do not prepend the file name to the line.")
    boolean brief;

    @Option(names = {"-N", "--no-pad"}, description = "Do not pad the file names to align the descriptions.")
    boolean noPad;

    @Parameters(arity = "0..*", paramLabel = "TARGET",
            description = "ELF files (symbolic links are followed), self or pid:N (a process's vDSO).")
    List<String> files = List.of();

    @Override
    public Integer call() {
        files = Targets.arguments(spec, files, pidOption.pid);
        List<Object> documents = new ArrayList<>();
        Batch batch = common.json ? new Batch().recordingFailuresIn(documents) : new Batch();
        // Like file(1), pad "NAME:" so that the descriptions line up under the longest name given.
        int width = files.stream().mapToInt(FileCommand::width).max().orElse(0);
        batch.each(files, file -> {
            describe(file, width, documents);
        });
        if (common.json) {
            Output.json(new JsonDocument("file", 2, documents));
        }
        return batch.exitCode();
    }

    private void describe(String file, int width, List<Object> documents) throws IOException {
        ImageTarget target = Targets.parse(file);
        ImageTarget.Opened opened;
        try {
            opened = Targets.open(target);
        } catch (Failure failure) {
            // No reader goes past an ELF header of unknown class or byte order, or one cut short;
            // file(1) still describes the fields it finds (FileDescription.ofUnreadableHeader).
            boolean unreadableHeader = failure.getCause() instanceof ElfFormatException e
                    && (e.kind() == ElfFormatException.Kind.BAD_IDENTIFICATION
                            || e.kind() == ElfFormatException.Kind.OUT_OF_BOUNDS);
            Optional<String> headerOnly = unreadableHeader && target instanceof ImageTarget.File f
                    && Files.isRegularFile(f.path())
                    ? FileDescription.ofUnreadableHeader(f.path(), mode(f.path())) : Optional.empty();
            if (headerOnly.isEmpty()) {
                throw failure;
            }
            if (common.json) {
                documents.add(new JsonIdentOnly(file, headerOnly.get(), List.of(failure.getMessage()
                        + ": only the identification bytes and the header fields in the file were read")));
            } else {
                String pad = noPad ? "" : " ".repeat(width - width(file));
                Output.out().println(brief ? headerOnly.get() : FileDescription.printableName(file) + ":" + pad + " "
                        + headerOnly.get());
            }
            return;
        }
        try (ImageTarget.Opened image = opened) {
            ElfFile elf = image.elf();
            // A mapped image has no permission bits: file(1) would see those of a dump made 0644.
            FileDescription d = FileDescription.of(elf, target instanceof ImageTarget.File f ? mode(f.path()) : 0);
            if (common.json) {
                documents.add(json(file, elf, d));
            } else {
                String pad = noPad ? "" : " ".repeat(width - width(file));
                Output.out().println(brief ? d.text() : FileDescription.printableName(file) + ":" + pad + " " + d.text());
            }
        }
    }

    /** The columns a name takes on a terminal (file uses its multibyte width). */
    private static int width(String name) {
        return name.codePointCount(0, name.length());
    }

    /** The permission bits of {@code st_mode} (setuid, setgid, sticky, rwx), or 0 when unknown. */
    private static int mode(Path path) {
        try {
            return (Integer) Files.getAttribute(path, "unix:mode") & 07777;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 0;
        }
    }

    /** Each entry is a {@link JsonFile}, or a {@link JsonFailedInput} for a file that could not be described. */
    record JsonDocument(String command, int schemaVersion, List<Object> files) {}

    /** An ELF file whose header cannot be read: file(1)'s line from its first bytes, and why no more. */
    record JsonIdentOnly(String file, String description, List<String> warnings) {}

    record JsonFile(String file, String description, @JsonProperty("class") int elfClass, String endianness,
            JsonMachine machine, long version, JsonName osabi, JsonType type, String linkage, String interpreter,
            JsonBuildId buildId, JsonAbiTag abiTag, Boolean debugInfo, Boolean stripped, List<String> warnings) {}

    record JsonMachine(long value, String name, String description, String flags, List<String> flagWords) {}

    record JsonName(long value, String name, String description) {}

    record JsonType(long value, String name, String description, Boolean pie) {}

    record JsonBuildId(String kind, String hex) {}

    record JsonAbiTag(String os, String version) {}

    /**
     * The description is file's line; the other fields are what the ELF states, read by the elf
     * views, so they do not share file's quirks (docs/JSON.md). A part that cannot be read is null
     * and its problem is listed in "warnings".
     */
    private static JsonFile json(String file, ElfFile elf, FileDescription d) {
        ElfHeader h = elf.header();
        List<String> problems = new ArrayList<>();
        List<String> words = FileMagic.machineWords(h, elf.input());
        List<String> flagWords = words.subList(1, words.size()).stream().map(FileCommand::withoutComma).toList();
        JsonMachine machine = new JsonMachine(h.machine().value(), h.machine().cName(),
                FileMagic.machineName(h.machine().value()), "0x" + Long.toHexString(h.flags()), flagWords);
        boolean linked = h.type().equals(ElfType.ET_EXEC) || h.type().equals(ElfType.ET_DYN);
        Linkage linkage = linked ? fact(problems, "program headers", () -> Linkage.of(elf)) : null;
        Stripping stripping = fact(problems, "section headers", () -> Stripping.of(elf));
        BuildId buildId = fact(problems, "notes", () -> BuildId.of(elf).orElse(null));
        AbiTag abiTag = fact(problems, "notes", () -> AbiTag.of(elf).orElse(null));
        String interpreter = linked ? fact(problems, "PT_INTERP", () -> elf.interpreter().orElse(null)) : null;
        problems.addAll(elf.warnings());
        return new JsonFile(file, d.text(), h.elfClass().bits(), h.data().littleEndian() ? "little" : "big", machine,
                h.version(), new JsonName(h.osAbi().value(), h.osAbi().cName(),
                        FileMagic.osAbiName(h.osAbi())),
                new JsonType(h.type().value(), h.type().cName(), d.typeDescription(),
                        linkage == null ? null : linkage.isPie()),
                linkage == null ? null : linkage.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                interpreter,
                buildId == null ? null : new JsonBuildId(FileNotes.buildIdLabel(buildId.kind()), buildId.hex()),
                abiTag == null ? null : new JsonAbiTag(FileNotes.gnuOs(abiTag.os()), abiTag.version()),
                stripping == null ? null : stripping.hasDebugInfo(), stripping == null ? null : stripping.isStripped(),
                List.copyOf(new LinkedHashSet<>(problems)));
    }

    /** Reads one fact; a malformed part of the file becomes a warning and a null field. */
    private static <T> T fact(List<String> problems, String what, Supplier<T> reader) {
        try {
            return reader.get();
        } catch (ElfFormatException e) {
            problems.add(what + ": " + e.getMessage());
            return null;
        }
    }

    private static String withoutComma(String word) {
        return word.endsWith(",") ? word.substring(0, word.length() - 1) : word;
    }
}
