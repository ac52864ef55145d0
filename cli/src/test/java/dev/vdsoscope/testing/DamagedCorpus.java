package dev.vdsoscope.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Writes the damaged and hostile corpus that cli/src/test/resources/corpora/damaged/MANIFEST describes:
 * each line names a file, the real input it is made from and the one change made to it. Everything
 * is produced offline from the committed vDSO fixtures, files of the host's Debian packages and a
 * core dump of a live process, so that the differential sweep measures against inputs whose making
 * is written down before any measurement.
 *
 * <p>The changes are raw edits of the on-disk structures, made without vdsoscope's reader (which
 * must not decide what the corpus holds). A line whose input is absent on this host, or lacks the
 * section or segment its change names, is skipped and listed in {@link Result#skipped()}.
 */
public final class DamagedCorpus {
    public static final Path MANIFEST = Path.of("cli/src/test/resources/corpora/damaged/MANIFEST");
    private static final Path FIXTURES = Path.of("test-fixtures/vdso");

    // e_ident indexes and values (elf.h).
    private static final int EI_CLASS = 4, EI_DATA = 5, EI_VERSION = 6;
    private static final int ELFCLASS64 = 2, ELFDATA2MSB = 2;
    private static final int SHF_COMPRESSED = 0x800;
    private static final long PT_DYNAMIC = 2, PT_NOTE = 4;
    private static final long DT_NULL = 0;

    /** What was written, and the manifest lines that could not be made here with the reason. */
    public record Result(List<Path> files, Map<String, String> sources, List<String> skipped) {}

    private DamagedCorpus() {}

    /** Writes the corpus into {@code directory} (made if absent); inputs are read once each. */
    public static Result write(Path directory) throws IOException {
        Files.createDirectories(directory);
        Map<String, byte[]> inputs = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        Map<String, String> sources = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        int lineNumber = 0;
        for (String line : Files.readAllLines(MANIFEST)) {
            lineNumber++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\t");
            if (fields.length != 3) {
                throw new IllegalArgumentException(MANIFEST + ":" + lineNumber + ": want NAME<tab>SOURCE<tab>CHANGE");
            }
            String name = fields[0];
            byte[] input = inputs.computeIfAbsent(fields[1], s -> source(s, directory));
            if (input == null) {
                skipped.add(name + ": source " + fields[1] + " is not available here");
                continue;
            }
            byte[] image;
            try {
                image = change(input, fields[2]);
            } catch (Inapplicable e) {
                skipped.add(name + ": " + e.getMessage());
                continue;
            }
            Path file = directory.resolve(name);
            Files.write(file, image);
            files.add(file);
            sources.put(name, fields[1] + " | " + fields[2]);
        }
        return new Result(files, sources, skipped);
    }

    /** Writes the corpus into the directory named by the first argument (for scripts/corpus-sweep). */
    public static void main(String[] args) throws IOException {
        Result result = write(Path.of(args.length > 0 ? args[0] : "cli/target/corpora/damaged"));
        result.skipped().forEach(s -> System.err.println("skipped " + s));
        System.out.println(result.files().size() + " files written, " + result.skipped().size() + " skipped");
    }

    // ---- sources ----

    /**
     * The bytes of a source: {@code fixture:NAME} (a committed vDSO image), {@code host:PATH} (a
     * file of the host's Debian packages) or {@code gcore:sleep} (a core dump of a live sleep(1)
     * written by gdb's gcore); null where this host cannot give it.
     */
    private static byte[] source(String source, Path scratch) {
        try {
            if (source.startsWith("fixture:")) {
                return Files.readAllBytes(FIXTURES.resolve(source.substring("fixture:".length())));
            }
            if (source.startsWith("host:")) {
                Path path = Path.of(source.substring("host:".length()));
                return Files.isRegularFile(path) ? Files.readAllBytes(path.toRealPath()) : null;
            }
            if (source.equals("gcore:sleep")) {
                return gcoreOfSleep(scratch);
            }
            throw new IllegalArgumentException(MANIFEST + ": unknown source " + source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] gcoreOfSleep(Path scratch) throws IOException {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        Path prefix = scratch.resolve(".gcore");
        Path core = Path.of(prefix + "." + sleeper.pid());
        try {
            Process gcore = new ProcessBuilder("gcore", "-o", prefix.toString(), Long.toString(sleeper.pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!gcore.waitFor(120, TimeUnit.SECONDS)) {
                gcore.destroyForcibly();
                return null;
            }
            return gcore.exitValue() == 0 && Files.isRegularFile(core) ? Files.readAllBytes(core) : null;
        } catch (IOException e) {
            return null; // gdb is not installed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            sleeper.destroy();
            Files.deleteIfExists(core);
        }
    }

    // ---- changes ----

    /** A change that names a part the input does not have. */
    public static final class Inapplicable extends Exception {
        Inapplicable(String why) {
            super(why);
        }
    }

    /**
     * Applies one change (the manifest's header lists them) to a copy of {@code input}.
     */
    public static byte[] change(byte[] input, String change) throws Inapplicable {
        String[] words = change.trim().split(" +");
        byte[] image = input.clone();
        switch (words[0]) {
            case "none" -> {
                return image;
            }
            case "truncate" -> {
                return Arrays.copyOf(image, (int) Math.min(image.length, value(words[1], image.length, image.length)));
            }
            case "flip" -> {
                Random random = new Random(Long.parseLong(words[1]));
                for (int i = Integer.parseInt(words[2]); i > 0; i--) {
                    // Mostly the headers and tables near the start, where a change is seen by every view.
                    int at = random.nextInt(random.nextBoolean() ? Math.min(image.length, 4096) : image.length);
                    image[at] = (byte) random.nextInt(256);
                }
                return image;
            }
            default -> {
                Layout elf = new Layout(image);
                switch (words[0]) {
                    case "ehdr" -> elf.setAll(elf.header(), words, 1);
                    case "shdr" -> elf.setAll(elf.section(words[1]), words, 2);
                    case "phdr" -> elf.setAll(elf.segment(words[1]), words, 2);
                    case "dyn" -> elf.setDynamic(words);
                    case "chdr" -> elf.compress(words[1], words[2]);
                    default -> throw new IllegalArgumentException(MANIFEST + ": unknown change " + change);
                }
                return image;
            }
        }
    }

    /**
     * A number of the manifest: decimal or 0x hex, {@code +N}/{@code -N} relative to the current
     * value, {@code size+N}/{@code size-N} relative to the file's size, {@code N%} of the file's
     * size, {@code swap} (1 and 2 exchanged: the other class or byte order).
     */
    private static long value(String text, long current, long fileSize) {
        if (text.equals("swap")) {
            return 3 - current;
        }
        if (text.endsWith("%")) {
            return fileSize * Long.parseLong(text.substring(0, text.length() - 1)) / 100;
        }
        if (text.startsWith("size")) {
            return fileSize + (text.length() == 4 ? 0 : Long.decode(text.substring(4)));
        }
        if (text.startsWith("+") || text.startsWith("-")) {
            return current + Long.decode(text);
        }
        // Unsigned, so that a 64-bit field can be given any value (0x8000000000000000).
        return text.startsWith("0x") ? Long.parseUnsignedLong(text.substring(2), 16) : Long.parseUnsignedLong(text);
    }

    /** A record's fields: name to (offset, width), at a base offset in the image. */
    private record Fields(int base, Map<String, int[]> fields) {}

    /** The raw layout of the image's headers, in its own class and byte order. */
    private static final class Layout {
        private final byte[] image;
        private final ByteBuffer bytes;
        private final boolean is64;

        Layout(byte[] image) throws Inapplicable {
            if (image.length < 52 || image[0] != 0x7f || image[1] != 'E' || image[2] != 'L' || image[3] != 'F') {
                throw new Inapplicable("not an ELF image");
            }
            this.image = image;
            this.is64 = image[EI_CLASS] == ELFCLASS64;
            this.bytes = ByteBuffer.wrap(image)
                    .order(image[EI_DATA] == ELFDATA2MSB ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        }

        Fields header() {
            Map<String, int[]> f = new LinkedHashMap<>();
            f.put("EI_CLASS", new int[] {EI_CLASS, 1});
            f.put("EI_DATA", new int[] {EI_DATA, 1});
            f.put("EI_VERSION", new int[] {EI_VERSION, 1});
            f.put("e_type", new int[] {16, 2});
            f.put("e_machine", new int[] {18, 2});
            f.put("e_version", new int[] {20, 4});
            int w = is64 ? 8 : 4;
            f.put("e_entry", new int[] {24, w});
            f.put("e_phoff", new int[] {24 + w, w});
            f.put("e_shoff", new int[] {24 + 2 * w, w});
            int at = 24 + 3 * w + 4; // past e_flags
            for (String name : List.of("e_ehsize", "e_phentsize", "e_phnum", "e_shentsize", "e_shnum", "e_shstrndx")) {
                f.put(name, new int[] {at, 2});
                at += 2;
            }
            return new Fields(0, f);
        }

        private static int[] place(Fields record, String field) {
            int[] place = record.fields().get(field);
            if (place == null) {
                throw new IllegalArgumentException(MANIFEST + ": no field " + field);
            }
            return place;
        }

        private long get(Fields record, String field) {
            int[] place = place(record, field);
            int at = record.base() + place[0];
            return switch (place[1]) {
                case 1 -> image[at] & 0xff;
                case 2 -> bytes.getShort(at) & 0xffff;
                case 4 -> bytes.getInt(at) & 0xffffffffL;
                default -> bytes.getLong(at);
            };
        }

        private void set(Fields record, String field, long value) {
            int[] place = place(record, field);
            int at = record.base() + place[0];
            switch (place[1]) {
                case 1 -> image[at] = (byte) value;
                case 2 -> bytes.putShort(at, (short) value);
                case 4 -> bytes.putInt(at, (int) value);
                default -> bytes.putLong(at, value);
            }
        }

        /** Applies each {@code field=value} word from {@code from} on. */
        void setAll(Fields record, String[] words, int from) {
            // All values are worked out on the unchanged record, so "e_shnum=0 e_shstrndx=+1" is one edit.
            Map<String, Long> values = new LinkedHashMap<>();
            for (int i = from; i < words.length; i++) {
                String[] kv = words[i].split("=", 2);
                values.put(kv[0], value(kv[1], get(record, kv[0]), image.length));
            }
            values.forEach((field, value) -> set(record, field, value));
        }

        private Fields sectionHeader(int index) throws Inapplicable {
            Fields h = header();
            long shoff = get(h, "e_shoff");
            int size = is64 ? 64 : 40;
            if (shoff == 0 || shoff + (long) (index + 1) * size > image.length) {
                throw new Inapplicable("no section header " + index);
            }
            int w = is64 ? 8 : 4;
            Map<String, int[]> f = new LinkedHashMap<>();
            f.put("sh_name", new int[] {0, 4});
            f.put("sh_type", new int[] {4, 4});
            f.put("sh_flags", new int[] {8, w});
            f.put("sh_addr", new int[] {8 + w, w});
            f.put("sh_offset", new int[] {8 + 2 * w, w});
            f.put("sh_size", new int[] {8 + 3 * w, w});
            f.put("sh_link", new int[] {8 + 4 * w, 4});
            f.put("sh_info", new int[] {12 + 4 * w, 4});
            f.put("sh_addralign", new int[] {16 + 4 * w, w});
            f.put("sh_entsize", new int[] {16 + 5 * w, w});
            return new Fields((int) (shoff + (long) index * size), f);
        }

        /** The section header named by its name ({@code .symtab}) or {@code shstrndx}. */
        Fields section(String name) throws Inapplicable {
            Fields h = header();
            int count = (int) get(h, "e_shnum");
            int shstrndx = (int) get(h, "e_shstrndx");
            if (name.equals("shstrndx")) {
                return sectionHeader(shstrndx);
            }
            Fields strings = sectionHeader(shstrndx);
            long namesAt = get(strings, "sh_offset");
            long namesSize = get(strings, "sh_size");
            for (int i = 1; i < count; i++) {
                Fields s = sectionHeader(i);
                long at = namesAt + get(s, "sh_name");
                if (get(s, "sh_name") < namesSize && at + name.length() < image.length
                        && new String(image, (int) at, name.length(), StandardCharsets.ISO_8859_1).equals(name)
                        && image[(int) at + name.length()] == 0) {
                    return s;
                }
            }
            throw new Inapplicable("no section " + name);
        }

        private Fields programHeader(int index) {
            Fields h = header();
            int w = is64 ? 8 : 4;
            Map<String, int[]> f = new LinkedHashMap<>();
            f.put("p_type", new int[] {0, 4});
            if (is64) {
                f.put("p_flags", new int[] {4, 4});
                f.put("p_offset", new int[] {8, 8});
                f.put("p_vaddr", new int[] {16, 8});
                f.put("p_paddr", new int[] {24, 8});
                f.put("p_filesz", new int[] {32, 8});
                f.put("p_memsz", new int[] {40, 8});
                f.put("p_align", new int[] {48, 8});
            } else {
                f.put("p_offset", new int[] {4, w});
                f.put("p_vaddr", new int[] {8, w});
                f.put("p_paddr", new int[] {12, w});
                f.put("p_filesz", new int[] {16, w});
                f.put("p_memsz", new int[] {20, w});
                f.put("p_flags", new int[] {24, 4});
                f.put("p_align", new int[] {28, w});
            }
            return new Fields((int) (get(h, "e_phoff") + (long) index * (is64 ? 56 : 32)), f);
        }

        /** The first program header of the type named {@code PT_DYNAMIC} or {@code PT_NOTE}. */
        Fields segment(String type) throws Inapplicable {
            long wanted = switch (type) {
                case "PT_DYNAMIC" -> PT_DYNAMIC;
                case "PT_NOTE" -> PT_NOTE;
                default -> throw new IllegalArgumentException(MANIFEST + ": unknown segment type " + type);
            };
            Fields h = header();
            long count = get(h, "e_phnum");
            long size = is64 ? 56 : 32;
            for (int i = 0; i < count && get(h, "e_phoff") + (i + 1) * size <= image.length; i++) {
                Fields p = programHeader(i);
                if (get(p, "p_type") == wanted) {
                    return p;
                }
            }
            throw new Inapplicable("no " + type + " segment");
        }

        /** {@code dyn DT_NAME=VALUE}: the first entry of that tag in PT_DYNAMIC's bytes gets the value. */
        void setDynamic(String[] words) throws Inapplicable {
            Fields dynamic = segment("PT_DYNAMIC");
            String[] kv = words[1].split("=", 2);
            long tag = switch (kv[0]) {
                case "DT_NEEDED" -> 1;
                case "DT_STRTAB" -> 5;
                case "DT_SYMTAB" -> 6;
                case "DT_STRSZ" -> 10;
                case "DT_SONAME" -> 14;
                case "DT_VERSYM" -> 0x6ffffff0L;
                default -> throw new IllegalArgumentException(MANIFEST + ": unknown tag " + kv[0]);
            };
            int w = is64 ? 8 : 4;
            long at = get(dynamic, "p_offset");
            long end = Math.min(image.length, at + get(dynamic, "p_filesz"));
            for (; at + 2L * w <= end; at += 2L * w) {
                long entryTag = w == 8 ? bytes.getLong((int) at) : bytes.getInt((int) at);
                if (entryTag == DT_NULL) {
                    break;
                }
                if (entryTag == tag) {
                    long current = w == 8 ? bytes.getLong((int) at + w) : bytes.getInt((int) at + w) & 0xffffffffL;
                    long value = value(kv[1], current, image.length);
                    if (w == 8) {
                        bytes.putLong((int) at + w, value);
                    } else {
                        bytes.putInt((int) at + w, (int) value);
                    }
                    return;
                }
            }
            throw new Inapplicable("no " + kv[0] + " entry");
        }

        /**
         * {@code chdr SECTION ch_type=N}: marks the section SHF_COMPRESSED and writes an
         * Elf32_Chdr/Elf64_Chdr of that type, with the section's size as ch_size, over its first bytes.
         */
        void compress(String name, String typeWord) throws Inapplicable {
            Fields s = section(name);
            long type = value(typeWord.substring("ch_type=".length()), 0, image.length);
            long offset = get(s, "sh_offset");
            long size = get(s, "sh_size");
            int chdrSize = is64 ? 24 : 12;
            if (size < chdrSize || offset + size > image.length) {
                throw new Inapplicable(name + " is too small for a compression header");
            }
            set(s, "sh_flags", get(s, "sh_flags") | SHF_COMPRESSED);
            int at = (int) offset;
            bytes.putInt(at, (int) type);
            if (is64) {
                bytes.putInt(at + 4, 0);
                bytes.putLong(at + 8, size);
                bytes.putLong(at + 16, 1);
            } else {
                bytes.putInt(at + 4, (int) size);
                bytes.putInt(at + 8, 1);
            }
        }
    }
}
