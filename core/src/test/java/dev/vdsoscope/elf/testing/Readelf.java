package dev.vdsoscope.elf.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GNU readelf (binutils-multiarch, every architecture) as the oracle: runs it and parses the parts
 * of its {@code -W} output that the tests compare. Only fields are parsed, never whole lines, so a
 * change of spacing in another binutils version does not break the tests.
 */
public final class Readelf {
    private static final Path READELF = Path.of("/usr/bin/readelf");

    /** sh_type values by the name readelf prints for them. */
    public static final Map<String, Long> SECTION_TYPES = Map.ofEntries(Map.entry("NULL", 0L),
            Map.entry("PROGBITS", 1L), Map.entry("SYMTAB", 2L), Map.entry("STRTAB", 3L), Map.entry("RELA", 4L),
            Map.entry("HASH", 5L), Map.entry("DYNAMIC", 6L), Map.entry("NOTE", 7L), Map.entry("NOBITS", 8L),
            Map.entry("REL", 9L), Map.entry("DYNSYM", 11L), Map.entry("SYMTAB SECTION INDICES", 18L),
            Map.entry("GNU_HASH", 0x6ffffff6L), Map.entry("VERDEF", 0x6ffffffdL), Map.entry("VERNEED", 0x6ffffffeL),
            Map.entry("VERSYM", 0x6fffffffL), Map.entry("ARM_EXIDX", 0x70000001L),
            Map.entry("ARM_ATTRIBUTES", 0x70000003L));

    /** p_type values by the name readelf prints for them. */
    public static final Map<String, Long> SEGMENT_TYPES = Map.of("NULL", 0L, "LOAD", 1L, "DYNAMIC", 2L,
            "INTERP", 3L, "NOTE", 4L, "PHDR", 6L, "GNU_EH_FRAME", 0x6474e550L, "GNU_STACK", 0x6474e551L,
            "GNU_RELRO", 0x6474e552L, "GNU_PROPERTY", 0x6474e553L);

    private Readelf() {}

    public static boolean available() {
        return Files.isExecutable(READELF);
    }

    public static String run(Path file, String... options) {
        List<String> command = new ArrayList<>();
        command.add(READELF.toString());
        command.addAll(List.of(options));
        command.add(file.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("LC_ALL", "C");
        try {
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("readelf timed out on " + file);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code readelf -hW}: "Number of section headers: 0 (19)" gives 19, the resolved value. */
    public static Map<String, String> header(Path file) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : run(file, "-hW").split("\n")) {
            int colon = line.indexOf(':');
            if (line.startsWith("  ") && colon > 0) {
                fields.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }
        return fields;
    }

    /** The number readelf shows for a header field, the resolved one when it prints "raw (real)". */
    public static long headerNumber(Map<String, String> header, String field) {
        String value = header.get(field);
        Matcher escaped = Pattern.compile("\\d+ \\((\\d+)\\)").matcher(value);
        if (escaped.matches()) {
            return Long.parseLong(escaped.group(1));
        }
        Matcher number = Pattern.compile("(0x[0-9a-f]+|\\d+).*").matcher(value);
        if (!number.matches()) {
            throw new IllegalArgumentException(field + ": " + value);
        }
        String n = number.group(1);
        return n.startsWith("0x") ? Long.parseUnsignedLong(n.substring(2), 16) : Long.parseLong(n);
    }

    public record SectionRow(int index, String name, String type, long address, long offset, long size,
            long entsize, String flags, long link, long info, long align) {}

    private static final Pattern SECTION = Pattern.compile(
            "\\s*\\[\\s*(\\d+)] (.*?) ([0-9a-f]{8}|[0-9a-f]{16}) ([0-9a-f]{6,}) ([0-9a-f]{6,}) ([0-9a-f]{2,}) "
                    + "([A-Za-z ]{3}) *(\\d+) +(\\d+) +(\\d+)");

    /** {@code readelf -SW}. Names and types are split at the first space: neither has one in our files. */
    public static List<SectionRow> sections(Path file) {
        List<SectionRow> rows = new ArrayList<>();
        for (String line : run(file, "-SW").split("\n")) {
            Matcher m = SECTION.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String nameAndType = m.group(2);
            String name = nameAndType.startsWith(" ") ? "" : nameAndType.substring(0, nameAndType.indexOf(' '));
            String type = nameAndType.substring(name.length()).strip();
            rows.add(new SectionRow(Integer.parseInt(m.group(1)), name, type, hex(m.group(3)), hex(m.group(4)),
                    hex(m.group(5)), hex(m.group(6)), m.group(7).strip(), Long.parseLong(m.group(8)),
                    Long.parseLong(m.group(9)), Long.parseLong(m.group(10))));
        }
        return rows;
    }

    public record SegmentRow(String type, long offset, long vaddr, long paddr, long filesz, long memsz, String flags,
            long align) {}

    private static final Pattern SEGMENT = Pattern.compile(
            "\\s+(\\S+)\\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) (.{3}) (?:0x)?([0-9a-f]+)");

    /** {@code readelf -lW}. */
    public static List<SegmentRow> segments(Path file) {
        List<SegmentRow> rows = new ArrayList<>();
        for (String line : run(file, "-lW").split("\n")) {
            Matcher m = SEGMENT.matcher(line);
            if (m.matches()) {
                rows.add(new SegmentRow(m.group(1), hex(m.group(2)), hex(m.group(3)), hex(m.group(4)),
                        hex(m.group(5)), hex(m.group(6)), m.group(7), hex(m.group(8))));
            }
        }
        return rows;
    }

    /** One dynamic entry; {@code string} is the bracketed name readelf shows for NEEDED and SONAME. */
    public record DynamicRow(long tag, String value, String string) {}

    private static final Pattern DYNAMIC = Pattern.compile("\\s*0x([0-9a-f]+) \\((\\S+)\\)\\s+(.*)");

    /** {@code readelf -dW}, DT_NULL included as readelf shows it. */
    public static List<DynamicRow> dynamic(Path file) {
        List<DynamicRow> rows = new ArrayList<>();
        for (String line : run(file, "-dW").split("\n")) {
            Matcher m = DYNAMIC.matcher(line);
            if (m.matches()) {
                String value = m.group(3).strip();
                Matcher bracket = Pattern.compile(".*: \\[(.*)]").matcher(value);
                rows.add(new DynamicRow(hex(m.group(1)), value, bracket.matches() ? bracket.group(1) : null));
            }
        }
        return rows;
    }

    /** The numeric value readelf printed for an entry ("0x1c8", "141 (bytes)", "3"), or null for text. */
    public static Long number(DynamicRow row) {
        Matcher m = Pattern.compile("(0x[0-9a-f]+|\\d+)( \\(bytes\\))?").matcher(row.value());
        if (!m.matches()) {
            return null;
        }
        String n = m.group(1);
        return n.startsWith("0x") ? Long.parseUnsignedLong(n.substring(2), 16) : Long.parseLong(n);
    }

    /** A symbol row; {@code name} without the version readelf appends after '@'. */
    public record SymbolRow(int index, long value, long size, String type, String bind, String visibility,
            String ndx, String name) {}

    private static final Pattern SYMBOL = Pattern.compile(
            "\\s*(\\d+): ([0-9a-f]+)\\s+(\\d+|0x[0-9a-f]+) (\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+) ?(.*)");

    /**
     * The symbols of the tables whose heading contains {@code table} ("'.dynsym'", "'.symtab'", or
     * "for image" with {@code -D}), from {@code readelf OPTIONS}.
     */
    public static List<SymbolRow> symbols(Path file, String table, String... options) {
        List<SymbolRow> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : run(file, options).split("\n")) {
            if (line.startsWith("Symbol table")) {
                inTable = line.contains(table);
                continue;
            }
            Matcher m = SYMBOL.matcher(line);
            if (inTable && m.matches()) {
                String name = m.group(8);
                int at = name.indexOf('@');
                String size = m.group(3);
                rows.add(new SymbolRow(Integer.parseInt(m.group(1)), hex(m.group(2)),
                        size.startsWith("0x") ? hex(size.substring(2)) : Long.parseLong(size), m.group(4),
                        m.group(5), m.group(6), m.group(7), at < 0 ? name : name.substring(0, at)));
            }
        }
        return rows;
    }

    /** One .gnu.version entry: the index (hidden bit apart) and the name readelf gives it. */
    public record VersymRow(int index, boolean hidden, String name) {}

    public record VerdefRow(int flagsBase, boolean weak, int index, int count, List<String> names) {}

    public record VerneedRow(String file, List<VernauxRow> versions) {}

    public record VernauxRow(String name, boolean weak, int index) {}

    public record Versions(List<VersymRow> versym, List<VerdefRow> definitions, List<VerneedRow> requirements) {}

    private static final Pattern VERSYM_LINE = Pattern.compile("\\s*[0-9a-f]{3}:(.*)");
    private static final Pattern VERSYM_ENTRY = Pattern.compile("\\s*([0-9a-f]+)([h ])\\(([^)]*)\\)");
    private static final Pattern VERDEF = Pattern.compile(
            "\\s*(?:0x)?[0-9a-f]+: Rev: \\d+\\s+Flags: (.*?)\\s+Index: (\\d+)\\s+Cnt: (\\d+)\\s+Name: (.*)");
    private static final Pattern PARENT = Pattern.compile("\\s*(?:0x)?[0-9a-f]+: Parent \\d+: (.*)");
    private static final Pattern VERNEED = Pattern.compile(
            "\\s*(?:0x)?[0-9a-f]+: Version: \\d+\\s+File: (.*?)\\s+Cnt: (\\d+)");
    private static final Pattern VERNAUX = Pattern.compile(
            "\\s*(?:0x)?[0-9a-f]+:\\s+Name: (.*?)\\s+Flags: (.*?)\\s+Version: (\\d+)");

    /** {@code readelf -VW} (plus {@code -D} to read through the dynamic table). */
    public static Versions versions(Path file, String... extra) {
        List<String> options = new ArrayList<>(List.of(extra));
        options.add("-VW");
        List<VersymRow> versym = new ArrayList<>();
        List<VerdefRow> definitions = new ArrayList<>();
        List<VerneedRow> requirements = new ArrayList<>();
        String section = "";
        for (String line : run(file, options.toArray(String[]::new)).split("\n")) {
            if (line.startsWith("Version symbols")) {
                section = "versym";
            } else if (line.startsWith("Version definition")) {
                section = "verdef";
            } else if (line.startsWith("Version needs")) {
                section = "verneed";
            }
            Matcher m;
            if (section.equals("versym") && (m = VERSYM_LINE.matcher(line)).matches()) {
                Matcher e = VERSYM_ENTRY.matcher(m.group(1));
                while (e.find()) {
                    versym.add(new VersymRow(Integer.parseInt(e.group(1), 16), e.group(2).equals("h"), e.group(3)));
                }
            } else if (section.equals("verdef") && (m = VERDEF.matcher(line)).matches()) {
                List<String> names = new ArrayList<>();
                names.add(m.group(4).strip());
                definitions.add(new VerdefRow(m.group(1).contains("BASE") ? 1 : 0, m.group(1).contains("WEAK"),
                        Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), names));
            } else if (section.equals("verdef") && (m = PARENT.matcher(line)).matches()) {
                definitions.getLast().names().add(m.group(1).strip());
            } else if (section.equals("verneed") && (m = VERNEED.matcher(line)).matches()) {
                requirements.add(new VerneedRow(m.group(1), new ArrayList<>()));
            } else if (section.equals("verneed") && (m = VERNAUX.matcher(line)).matches()) {
                requirements.getLast().versions().add(new VernauxRow(m.group(1), m.group(2).contains("WEAK"),
                        Integer.parseInt(m.group(3))));
            }
        }
        return new Versions(versym, definitions, requirements);
    }

    /** One note: owner, descriptor size, and what readelf made of the descriptor. */
    public record NoteRow(String owner, long size, String description) {
        /** The build-id readelf printed, or null. */
        public String buildId() {
            Matcher m = Pattern.compile(".*Build ID: ([0-9a-f]+).*").matcher(description);
            return m.matches() ? m.group(1) : null;
        }

        /** The raw descriptor bytes readelf printed for a note type it does not know, or null. */
        public byte[] data() {
            Matcher m = Pattern.compile(".*description data: ([0-9a-f ]+)").matcher(description);
            return m.matches() ? HexFormat.ofDelimiter(" ").parseHex(m.group(1).strip()) : null;
        }
    }

    private static final Pattern NOTE = Pattern.compile("\\s{2}(\\S+)\\s+0x([0-9a-f]+)\\s+(.*)");

    /** {@code readelf -nW}. */
    public static List<NoteRow> notes(Path file) {
        List<NoteRow> rows = new ArrayList<>();
        for (String line : run(file, "-nW").split("\n")) {
            Matcher m = NOTE.matcher(line);
            if (m.matches() && !line.contains("Data size")) {
                rows.add(new NoteRow(m.group(1), hex(m.group(2)), m.group(3)));
            }
        }
        return rows;
    }

    private static long hex(String s) {
        return Long.parseUnsignedLong(s, 16);
    }
}
