package dev.vdsoscope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.vdsoscope.cli.Cli;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.elf.ProgramHeader;
import dev.vdsoscope.elf.Section;
import dev.vdsoscope.elf.testing.ElfImageBuilder;
import dev.vdsoscope.elf.testing.ElfViews;
import dev.vdsoscope.elf.testing.Fixtures;

/**
 * Every fixture, and a few built images with the structures the fixtures lack, cut short at many
 * lengths and with random bytes and fields changed. Each damaged image must be read by every library
 * view with, at worst, an {@link ElfFormatException}; and each CLI command must end with exit code 0
 * or 2, one {@code vdsoscope: FILE: ...} line per failed file, and no stack trace or internal error.
 * Seeded, so a failure names a variant that can be made again.
 */
class CorruptionSweepTest {
    /** Every prefix length within this many bytes of the start, the end, and each structure's edges. */
    private static final int FINE = 4096;
    private static final int EDGE = 48;
    private static final int COARSE_STEP = 11;
    private static final int FLIPS = 2500;
    /** The CLI is slower (files, formatting), so it runs on every n-th variant; the library on all. */
    private static final int CLI_EVERY = 20;
    private static final List<List<String>> COMMANDS = List.of(List.of("headers"), List.of("headers", "--json"),
            List.of("symbols", "--all"), List.of("symbols", "--all", "--json"), List.of("symbols", "--style=objdump"));

    @TempDir
    static Path directory;

    private static long variants;
    private static long cliRuns;
    private static long libraryNanos;
    private static long cliNanos;
    private static final long START = System.nanoTime();

    /** A damaged image and how it was damaged, for the failure message. */
    record Variant(String description, byte[] bytes) {}

    /** An image to damage: a fixture, or a built one with the structures the fixtures lack. */
    record Subject(String name, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Subject> subjects() {
        List<Subject> subjects = new ArrayList<>();
        for (Path fixture : Fixtures.vdsoImages()) {
            subjects.add(new Subject(fixture.getFileName().toString(), Fixtures.read(fixture)));
        }
        // Version requirements, SHT_SYMTAB_SHNDX, the escapes, 64-bit hash words, no section headers.
        subjects.add(new Subject("built-x86_64-escaped", ElfImageBuilder.typical(true, ByteOrder.LITTLE_ENDIAN,
                ElfImageBuilder.EM_X86_64).escapeSectionCount().escapeNameIndex().escapeSegmentCount()
                .escapeSymbolSections().build().bytes()));
        subjects.add(new Subject("built-s390x-sysv", ElfImageBuilder.typical(true, ByteOrder.BIG_ENDIAN,
                ElfImageBuilder.EM_S390).hashStyle(ElfImageBuilder.HashStyle.SYSV).build().bytes()));
        subjects.add(new Subject("built-ppc-no-sections", ElfImageBuilder.typical(false, ByteOrder.BIG_ENDIAN,
                ElfImageBuilder.EM_PPC).withoutSectionHeaders().build().bytes()));
        subjects.add(new Subject("built-i386-gnu-hash", ElfImageBuilder.typical(false, ByteOrder.LITTLE_ENDIAN,
                ElfImageBuilder.EM_386).hashStyle(ElfImageBuilder.HashStyle.GNU).escapeSymbolSections().build()
                .bytes()));
        return subjects;
    }

    @AfterAll
    static void report() {
        System.out.printf("corruption sweep: %d variants read through the library (%.1f s), %d CLI file runs"
                + " (%.1f s), %.1f s in all%n", variants, libraryNanos / 1e9, cliRuns, cliNanos / 1e9,
                (System.nanoTime() - START) / 1e9);
    }

    @ParameterizedTest
    @MethodSource("subjects")
    void truncatedAtManyLengths(Subject subject) {
        byte[] image = subject.bytes();
        List<Variant> cases = new ArrayList<>();
        for (int length : cutLengths(image)) {
            cases.add(new Variant("first " + length + " bytes", Arrays.copyOf(image, length)));
        }
        sweep(subject, cases);
    }

    /** Values that sit on the edges of checks: zero, one, sign bits, all ones, around the file size. */
    private static long[] edgeValues(int length) {
        return new long[] {0, 1, 2, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffffL, 0x80000000L, 0xffffffffL, Long.MAX_VALUE,
                Long.MIN_VALUE, -1, length - 1, length, length + 1, length / 2, 1L << 61};
    }

    @ParameterizedTest
    @MethodSource("subjects")
    void randomBytesChanged(Subject subject) {
        byte[] image = subject.bytes();
        List<Long> edges = new ArrayList<>(structureEdges(image));
        ByteOrder order = image[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        long[] values = edgeValues(image.length);
        Random random = new Random(subject.name().hashCode());
        List<Variant> cases = new ArrayList<>();
        for (int i = 0; i < FLIPS; i++) {
            byte[] copy = image.clone();
            ByteBuffer buffer = ByteBuffer.wrap(copy).order(order);
            StringBuilder description = new StringBuilder("changed");
            int changes = 1 + random.nextInt(3);
            for (int c = 0; c < changes; c++) {
                if (random.nextBoolean()) {
                    // Half the byte changes land near a structure's start, where they matter most.
                    int at = random.nextBoolean() ? random.nextInt(copy.length) : (int) Math.min(copy.length - 1,
                            edges.get(random.nextInt(edges.size())) + random.nextInt(16));
                    int value = random.nextInt(256);
                    copy[at] = (byte) value;
                    description.append(String.format(" [0x%x]=0x%02x", at, value));
                } else {
                    // A whole field, aligned, inside the first 64 bytes of a structure, set to an edge value.
                    int width = 2 << random.nextInt(3);
                    long at = edges.get(random.nextInt(edges.size())) + (long) width * random.nextInt(64 / width);
                    long value = values[random.nextInt(values.length)];
                    if (at + width > copy.length) {
                        continue;
                    }
                    switch (width) {
                        case 2 -> buffer.putShort((int) at, (short) value);
                        case 4 -> buffer.putInt((int) at, (int) value);
                        default -> buffer.putLong((int) at, value);
                    }
                    description.append(String.format(" [0x%x]:%d=0x%x", at, width, value));
                }
            }
            cases.add(new Variant(description.toString(), copy));
        }
        sweep(subject, cases);
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
        for (long i = 0; i < elf.header().phnum(); i++) {
            edges.add(elf.header().phoff() + i * elf.header().phentsize());
        }
        for (long i = 0; i < elf.header().shnum(); i++) {
            edges.add(elf.header().shoff() + i * elf.header().shentsize());
        }
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

    private static void sweep(Subject subject, List<Variant> cases) {
        List<String> failures = new ArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            long start = System.nanoTime();
            for (Variant v : cases) {
                readEveryView(v, failures);
            }
            libraryNanos += System.nanoTime() - start;
            start = System.nanoTime();
            List<Variant> cliCases = new ArrayList<>();
            for (int i = 0; i < cases.size(); i += CLI_EVERY) {
                cliCases.add(cases.get(i));
            }
            runCommands(subject, cliCases, failures);
            cliNanos += System.nanoTime() - start;
        }, () -> "hang while sweeping " + subject);
        variants += cases.size();
        assertThat(failures.subList(0, Math.min(failures.size(), 20)))
                .as("%s: %d failures, the first ones", subject, failures.size()).isEmpty();
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
    private static void runCommands(Subject subject, List<Variant> cases, List<String> failures) throws IOException {
        Path batch = Files.createTempDirectory(directory, "batch");
        Map<String, Variant> files = new LinkedHashMap<>();
        for (int i = 0; i < cases.size(); i++) {
            Path file = batch.resolve(subject.name() + "." + i);
            Files.write(file, cases.get(i).bytes());
            files.put(file.toString(), cases.get(i));
        }
        for (List<String> command : COMMANDS) {
            List<String> args = new ArrayList<>(command);
            args.addAll(files.keySet());
            Cli.Result run = Cli.run(args.toArray(String[]::new));
            cliRuns += files.size();
            checkCommand(String.join(" ", command), run.exitCode(), run.out(), run.stderr(), files, failures);
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
                // One entry per input; those with an error line have an error object, and only they.
                JsonNode document = new ObjectMapper().readTree(out);
                int documented = document.get("files").size();
                int failed = 0;
                for (JsonNode entry : document.get("files")) {
                    failed += entry.has("error") ? 1 : 0;
                }
                if (documented != files.size() || failed != errorsPerFile.size()) {
                    failures.add(command + ": " + documented + " files in the JSON, " + failed + " of them failed;"
                            + " expected " + files.size() + " and " + errorsPerFile.size());
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
        return String.join("\n", Arrays.copyOf(lines, Math.min(lines.length, 8)));
    }
}
