package dev.vdsoscope.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfHeader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "file", mixinStandardHelpOptions = true,
        description = {"Describe ELF files in one line each, as 'file FILE' (file 5.44) does:",
                "class, byte order, type, machine, OS/ABI, linking, interpreter, build-id,",
                "debug_info, stripped. See docs/FILE-COMPAT.md for the few differences."})
final class FileCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = {"-b", "--brief"}, description = "Do not prepend the file name to the line.")
    boolean brief;

    @Parameters(arity = "1..*", paramLabel = "FILE")
    List<String> files;

    @Override
    public Integer call() {
        Batch batch = new Batch();
        List<JsonFile> documents = new ArrayList<>();
        batch.each(files, file -> {
            Path path = Path.of(file);
            try (ElfFile elf = ElfFile.open(path)) {
                FileDescription d = FileDescription.of(elf, mode(path));
                if (common.json) {
                    documents.add(json(file, elf, d));
                } else {
                    Output.out().println(brief ? d.text() : file + ": " + d.text());
                }
            }
        });
        if (common.json) {
            Output.json(new JsonDocument("file", 1, documents));
        }
        return batch.exitCode();
    }

    /** The permission bits of {@code st_mode} (setuid, setgid, sticky, rwx), or 0 when unknown. */
    private static int mode(Path path) {
        try {
            return (Integer) Files.getAttribute(path, "unix:mode") & 07777;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 0;
        }
    }

    record JsonDocument(String command, int schemaVersion, List<JsonFile> files) {}

    record JsonFile(String file, String description, @JsonProperty("class") int elfClass, String endianness,
            JsonMachine machine, long version, JsonName osabi, JsonName type, String linkage, String interpreter,
            JsonBuildId buildId, JsonAbiTag abiTag, boolean debugInfo, Boolean stripped) {}

    record JsonMachine(long value, String name, String description, String flags, List<String> flagWords) {}

    record JsonName(long value, String name, String description) {}

    record JsonBuildId(String kind, String hex) {}

    record JsonAbiTag(String os, String version) {}

    private static JsonFile json(String file, ElfFile elf, FileDescription d) {
        ElfHeader h = elf.header();
        List<String> words = FileMagic.machineWords(h, elf.input());
        List<String> flagWords = words.subList(1, words.size()).stream().map(FileCommand::withoutComma).toList();
        JsonMachine machine = new JsonMachine(h.machine().value(), h.machine().cName(),
                FileMagic.machineName(h.machine().value()), "0x" + Long.toHexString(h.flags()), flagWords);
        String osAbi = FileMagic.osAbiName((int) h.osAbi().value());
        return new JsonFile(file, d.text(), h.elfClass().bits(), h.data().littleEndian() ? "little" : "big", machine,
                h.version(), new JsonName(h.osAbi().value(), h.osAbi().cName(), osAbi),
                new JsonName(h.type().value(), h.type().cName(), d.typeDescription()), d.linkage(),
                d.interpreter() == null ? null : FileDescription.printable(d.interpreter()),
                d.buildId().map(b -> new JsonBuildId(FileNotes.buildIdLabel(b.kind()), b.hex())).orElse(null),
                d.abiTag().map(t -> new JsonAbiTag(FileNotes.gnuOs(t.os()), t.version())).orElse(null),
                d.debugInfo(), d.stripped());
    }

    private static String withoutComma(String word) {
        return word.endsWith(",") ? word.substring(0, word.length() - 1) : word;
    }
}
