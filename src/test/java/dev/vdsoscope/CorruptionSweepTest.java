package dev.vdsoscope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.vdsoscope.cli.CliRun;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.elf.ProgramHeader;
import dev.vdsoscope.elf.Section;
import dev.vdsoscope.elf.testing.ElfViews;
import dev.vdsoscope.elf.testing.Fixtures;

/**
 * Every fixture cut short at many lengths and with random bytes changed. Each damaged image must be
 * read by every library view with, at worst, an {@link ElfFormatException}; and each CLI command
 * must end with exit code 0 or 2, one {@code vdsoscope: FILE: ...} line per failed file, and no stack
 * trace or internal error.
 */
class CorruptionSweepTest {
    /** Every prefix length within this many bytes of the start, the end, and each structure's edges. */
    private static final int FINE = 4096;
    private static final int EDGE = 48;
    private static final int COARSE_STEP = 11;
    private static final int FLIPS = 3000;
    /** The CLI is slower (files, formatting), so it runs on every n-th variant; the library on all. */
    private static final int CLI_EVERY = 12;
    private static final List<List<String>> COMMANDS = List.of(List.of("headers"), List.of("headers", "--json"),
            List.of("symbols", "--all"), List.of("symbols", "--all", "--json"), List.of("symbols", "--style=objdump"));

    @TempDir
    static Path directory;

    private static long variants;
    private static long cliRuns;
    private static final long START = System.nanoTime();

    /** A damaged image and how it was damaged, for the failure message. */
    record Variant(String description, byte[] bytes) {}

    static List<Path> fixtures() {
        return Fixtures.vdsoImages();
    }

    @AfterAll
    static void report() {
        System.out.printf("corruption sweep: %d variants read through the library, %d CLI file runs, %.1f s%n",
                variants, cliRuns, (System.nanoTime() - START) / 1e9);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void truncatedAtManyLengths(Path fixture) {
        byte[] image = Fixtures.read(fixture);
        List<Variant> cases = new ArrayList<>();
        for (int length : cutLengths(image)) {
            cases.add(new Variant("first " + length + " bytes", java.util.Arrays.copyOf(image, length)));
        }
        sweep(fixture, cases);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void randomBytesChanged(Path fixture) {
        byte[] image = Fixtures.read(fixture);
        List<Long> edges = new ArrayList<>(structureEdges(image));
        Random random = new Random(fixture.getFileName().toString().hashCode());
        List<Variant> cases = new ArrayList<>();
        for (int i = 0; i < FLIPS; i++) {
            byte[] copy = image.clone();
            StringBuilder description = new StringBuilder("changed");
            int changes = 1 + random.nextInt(4);
            for (int c = 0; c < changes; c++) {
                // Half the changes land near a structure's start, where they matter most.
                int at = random.nextBoolean() ? random.nextInt(copy.length)
                        : (int) Math.min(copy.length - 1, edges.get(random.nextInt(edges.size())) + random.nextInt(16));
                int value = random.nextInt(8) == 0 ? 0xff : random.nextInt(256);
                copy[at] = (byte) value;
                description.append(String.format(" [0x%x]=0x%02x", at, value));
            }
            cases.add(new Variant(description.toString(), copy));
        }
        sweep(fixture, cases);
    }

    /** Every length near the start, the end and every structure's edges; a coarser step elsewhere. */
    private static TreeSet<Integer> cutLengths(byte[] image) {
        TreeSet<Integer> lengths = new TreeSet<>();
        for (int n = 0; n <= image.length; n++) {
            if (n < FINE || n > image.length - FINE || n % COARSE_STEP == 0) {
                lengths.add(n);
            }
        }
        for (long edge : structureEdges(image)) {
            for (long n = edge - EDGE; n <= edge + EDGE; n++) {
                if (n >= 0 && n <= image.length) {
                    lengths.add((int) n);
                }
            }
        }
        return lengths;
    }

    /** Where each header table, section and segment starts and ends, read from the intact image. */
    private static TreeSet<Long> structureEdges(byte[] image) {
        TreeSet<Long> edges = new TreeSet<>();
        ElfFile elf = ElfFile.of("intact", MemorySegment.ofArray(image));
        edges.add(elf.header().phoff());
        edges.add(elf.header().shoff());
        edges.add(elf.header().shoff() + elf.header().shnum() * elf.header().shentsize());
        for (ProgramHeader p : elf.segments()) {
            edges.add(p.offset());
            edges.add(p.offset() + p.filesz());
        }
        for (Section s : elf.sections()) {
            edges.add(s.offset());
            edges.add(s.offset() + s.size());
        }
        return edges;
    }

    private static void sweep(Path fixture, List<Variant> cases) {
        List<String> failures = new ArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (Variant v : cases) {
                readEveryView(v, failures);
            }
            List<Variant> cliCases = new ArrayList<>();
            for (int i = 0; i < cases.size(); i += CLI_EVERY) {
                cliCases.add(cases.get(i));
            }
            runCommands(fixture, cliCases, failures);
        }, () -> "hang while sweeping " + fixture);
        variants += cases.size();
        assertThat(failures.subList(0, Math.min(failures.size(), 20)))
                .as("%s: %d failures, the first ones", fixture.getFileName(), failures.size()).isEmpty();
    }

    private static void readEveryView(Variant v, List<String> failures) {
        try {
            ElfFile elf;
            try {
                elf = ElfFile.of("sweep", MemorySegment.ofArray(v.bytes()));
            } catch (ElfFormatException e) {
                return;
            }
            ElfViews.snapshot(elf);
        } catch (Throwable t) {
            failures.add(v.description() + ": library threw " + stackTrace(t));
        }
    }

    /** Writes the variants to files and runs each command once over all of them. */
    private static void runCommands(Path fixture, List<Variant> cases, List<String> failures) throws IOException {
        Path batch = Files.createTempDirectory(directory, "batch");
        Map<String, Variant> files = new LinkedHashMap<>();
        for (int i = 0; i < cases.size(); i++) {
            Path file = batch.resolve(fixture.getFileName() + "." + i);
            Files.write(file, cases.get(i).bytes());
            files.put(file.toString(), cases.get(i));
        }
        for (List<String> command : COMMANDS) {
            List<String> args = new ArrayList<>(command);
            args.addAll(files.keySet());
            CliRun run = CliRun.of(args.toArray(String[]::new));
            cliRuns += files.size();
            checkCommand(String.join(" ", command), run.code(), run.out(), run.err(), files, failures);
        }
        for (String file : files.keySet()) {
            Files.delete(Path.of(file));
        }
        Files.delete(batch);
    }

    private static void checkCommand(String command, int code, String out, String err, Map<String, Variant> files,
            List<String> failures) {
        Map<String, Integer> errorsPerFile = new LinkedHashMap<>();
        for (String line : err.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            String file = files.keySet().stream().filter(f -> line.startsWith("vdsoscope: " + f + ": ")).findFirst()
                    .orElse(null);
            if (file == null) {
                failures.add(command + ": stray line on stderr: " + line);
                continue;
            }
            String message = line.substring(("vdsoscope: " + file + ": ").length());
            if (message.contains("internal error")) {
                failures.add(command + " on " + files.get(file).description() + ": " + message);
            }
            if (!message.startsWith("warning: ")) {
                errorsPerFile.merge(file, 1, Integer::sum);
            }
        }
        errorsPerFile.forEach((file, count) -> {
            if (count != 1) {
                failures.add(command + " on " + files.get(file).description() + ": " + count + " error lines");
            }
        });
        int expected = errorsPerFile.isEmpty() ? 0 : 2;
        if (code != expected) {
            failures.add(command + ": exit code " + code + ", expected " + expected);
        }
        for (String text : List.of(out, err)) {
            if (text.contains("\tat ") || text.contains("Exception")) {
                failures.add(command + ": stack trace or exception name in the output");
            }
        }
        if (command.contains("--json")) {
            try {
                JsonNode document = new ObjectMapper().readTree(out);
                int documented = document.get("files").size();
                if (documented != files.size() - errorsPerFile.size()) {
                    failures.add(command + ": " + documented + " files in the JSON, expected "
                            + (files.size() - errorsPerFile.size()));
                }
            } catch (IOException e) {
                failures.add(command + ": output is not JSON: " + e.getMessage());
            }
        }
    }

    private static String stackTrace(Throwable t) {
        StringWriter text = new StringWriter();
        t.printStackTrace(new PrintWriter(text));
        String[] lines = text.toString().split("\n");
        return String.join("\n", java.util.Arrays.copyOf(lines, Math.min(lines.length, 8)));
    }
}
