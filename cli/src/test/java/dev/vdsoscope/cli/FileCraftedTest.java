package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (d) Bytes no compiler here produces, shown to both programs: headers of every machine with the
 * flags file(1) has words for, both classes and byte orders; big-endian notes and symbol tables;
 * core files; real files with patched headers; and the edge cases of file's readelf.c (missing or
 * corrupt tables, limits, truncation). Nothing is expected but what {@code file -b} says.
 */
class FileCraftedTest {
    @TempDir
    static Path dir;
    private static int counter;

    private static final int[] CLASSES = {1, 2};
    private static final int[] ORDERS = {1, 2};

    @BeforeAll
    static void needFile() {
        FileOracle.assumeFile544();
    }

    private static Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(String.format("%04d-%s", counter++, name)), bytes);
    }

    private static Path write(String name, TinyElf elf) throws IOException {
        return write(name, elf.build());
    }

    private static void assertAgree(String what, List<Path> files) {
        List<String> differences = FileOracle.differences(files);
        System.out.println("file(1) agreement on " + what + ": " + (files.size() - differences.size()) + "/"
                + files.size());
        differences.forEach(System.out::println);
        assertThat(differences).as(what).isEmpty();
    }

    @Test
    void everyMachineValueInBothClassesAndByteOrders() throws IOException {
        List<Integer> machines = new ArrayList<>();
        for (int m = 0; m <= 300; m++) {
            machines.add(m);
        }
        machines.addAll(List.of(0x1057, 0x1059, 0x1223, 0x2530, 0x3330, 0x3426, 0x4688, 0x5441, 0x5aa5, 0x7650,
                0x7676, 0x8217, 0x8472, 0x9025, 0x9026, 0x9041, 0x9080, 0xa390, 0xabc7, 0xad45, 0xbaab, 0xbeef, 0xdead,
                0xf00d, 0xfeb0, 0xfeba, 0xfebb, 0xfeed, 0x4321, 0xffff));
        List<Path> files = new ArrayList<>();
        for (int m : machines) {
            files.add(write("m" + m, TinyElf.of(2, 1, 2, m)));
            files.add(write("m" + m + "-32msb", TinyElf.of(1, 2, 1, m)));
        }
        assertAgree("every e_machine", files);
    }

    @Test
    void machineFlagWords() throws IOException {
        List<Path> files = new ArrayList<>();
        long[] mips = {0, 0x20, 0x10000000, 0x20000000, 0x30000000, 0x40000000, 0x50001001, 0x60000000, 0x70000000,
                0x80000027L, 0x90000000L, 0xa0000020L, 0xb0000000L, 0xf0000000L};
        long[] arm = {0, 0x02000000, 0x04000000, 0x05000000, 0x05000400, 0x05800000, 0x05400000, 0x04c00000};
        long[] sparc = {0, 1, 2, 3, 0x100, 0x200, 0x202, 0x400, 0x801, 0x300};
        long[] m68k = {0, 1, 0x01000000, 0x00810000, 0x01810000, 0x00800000};
        long[] parisc = {0, 8, 0x020b0000, 0x02100008, 0x02140000, 0x0b020000, 0x0214, 0x020b};
        for (int c : CLASSES) {
            for (int d : ORDERS) {
                for (long f : mips) {
                    files.add(flags(c, d, 8, f));
                    files.add(flags(c, d, 10, f));
                }
                for (long f : arm) {
                    files.add(flags(c, d, 40, f));
                    files.add(flags(c, d, 183, f));
                }
                for (long f : sparc) {
                    files.add(flags(c, d, 2, f));
                    files.add(flags(c, d, 18, f));
                    files.add(flags(c, d, 43, f));
                }
                for (long f = 0; f < 16; f++) {
                    files.add(flags(c, d, 243, f));
                }
                for (long f : m68k) {
                    files.add(flags(c, d, 4, f));
                }
                for (long f : parisc) {
                    files.add(flags(c, d, 15, f));
                }
                for (int abi = 0; abi < 4; abi++) {
                    TinyElf ppc = TinyElf.of(c, d, 1, 21);
                    ppc.flags = abi;
                    ppc.sectionHeaders = false;
                    if (c == 1) {
                        ppc.word48 = abi;
                    }
                    files.add(write("ppc64-abi" + abi, ppc));
                }
                files.add(flags(c, d, 22, 0));
                files.add(flags(c, d, 258, 0x43));
                files.add(flags(c, d, 20, 0x80000000L));
            }
        }
        assertAgree("machine flag words", files);
    }

    private static Path flags(int elfClass, int data, int machine, long flags) throws IOException {
        TinyElf elf = TinyElf.of(elfClass, data, 1, machine);
        elf.flags = flags;
        elf.symbolTable();
        return write("flags-" + machine + "-" + Long.toHexString(flags), elf);
    }

    @Test
    void typesVersionsAndOsAbis() throws IOException {
        List<Path> files = new ArrayList<>();
        int[] types = {0, 1, 2, 3, 4, 5, 0xfe00, 0xfe01, 0xfeff, 0xff00, 0xff80, 0xffff};
        for (int type : types) {
            for (int machine : new int[] {62, 8}) {
                files.add(write("type" + type, TinyElf.of(2, 1, type, machine)));
                TinyElf cafe = TinyElf.of(1, 2, type, machine);
                cafe.osAbi = 202;
                files.add(write("type" + type + "-cafe", cafe));
            }
        }
        for (long version : new long[] {0, 1, 2, 0xffffffffL}) {
            TinyElf elf = TinyElf.of(2, 1, 1, 62);
            elf.version = version;
            files.add(write("version" + version, elf));
        }
        for (int abi : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 64, 97, 202, 255}) {
            TinyElf elf = TinyElf.of(2, 2, 1, 62);
            elf.osAbi = abi;
            files.add(write("osabi" + abi, elf));
        }
        assertAgree("types, versions and OS/ABIs", files);
    }

    @Test
    void notesAndSymbolTablesInBothClassesAndByteOrders() throws IOException {
        List<Path> files = new ArrayList<>();
        byte[] id20 = new byte[20];
        byte[] id16 = new byte[16];
        for (int i = 0; i < 20; i++) {
            id20[i] = (byte) (0xf0 - i * 7);
        }
        System.arraycopy(id20, 0, id16, 0, 16);
        for (int c : CLASSES) {
            for (int d : ORDERS) {
                for (int type : new int[] {1, 2, 3}) {
                    TinyElf elf = TinyElf.of(c, d, type, c == 2 ? 183 : 40);
                    elf.flags = c == 2 ? 0 : 0x05000000;
                    elf.section(".note.gnu.build-id", TinyElf.SHT_NOTE, elf.note("GNU", 3, type == 3 ? id16 : id20));
                    elf.section(".note.ABI-tag", TinyElf.SHT_NOTE, elf.note("GNU", 1, elf.words(0, 4, 19, 7)));
                    if (type != 2) {
                        elf.symbolTable();
                    }
                    if (type != 1) {
                        elf.segment(TinyElf.PT_NOTE, elf.note("GNU", 3, id20), 4);
                        elf.loadWholeFile();
                    }
                    files.add(write("notes-" + c + d + type, elf));
                    elf.sectionHeaders = false;
                    files.add(write("notes-noshdr-" + c + d + type, elf));
                }
                TinyElf debug = TinyElf.of(c, d, 1, 22);
                debug.section(".debug_info", TinyElf.SHT_PROGBITS, new byte[8]);
                debug.section(".zdebug_info", TinyElf.SHT_PROGBITS, new byte[8]);
                files.add(write("debug-" + c + d, debug));
                TinyElf zdebug = TinyElf.of(c, d, 1, 22);
                zdebug.section(".zdebug_info", TinyElf.SHT_PROGBITS, new byte[8]);
                files.add(write("zdebug-" + c + d, zdebug));
            }
        }
        assertAgree("notes and symbol tables", files);
    }

    @Test
    void dynamicSegmentsInterpretersAndPermissions() throws IOException {
        List<Path> files = new ArrayList<>();
        long dtNeeded = 1, dtFlags1 = 0x6ffffffbL, pie = 0x08000000L, now = 1;
        for (int c : CLASSES) {
            for (int d : ORDERS) {
                for (long[] entries : new long[][] {{dtFlags1, pie, 0, 0}, {dtFlags1, now, 0, 0}, {dtNeeded, 1, 0, 0},
                        {dtNeeded, 1, dtFlags1, pie, 0, 0}, {0, 0, dtFlags1, pie}, {dtFlags1, pie, dtFlags1, now}, {}}) {
                    for (boolean interp : new boolean[] {false, true}) {
                        TinyElf elf = TinyElf.of(c, d, 3, 62);
                        elf.loadWholeFile();
                        if (interp) {
                            elf.segment(TinyElf.PT_INTERP, "/lib/ld.so\0".getBytes(StandardCharsets.US_ASCII), 1);
                        }
                        if (entries.length > 0) {
                            elf.segment(TinyElf.PT_DYNAMIC, elf.dynamic(entries), 8);
                        }
                        elf.symbolTable();
                        files.add(write("dyn", elf));
                    }
                }
            }
        }
        for (String interp : new String[] {"", "\0", "/lib64/ld\001\t\303x.so\0", "/no/terminator", "a\0b\0"}) {
            TinyElf elf = TinyElf.of(2, 1, 2, 62);
            elf.segment(TinyElf.PT_INTERP, interp.getBytes(StandardCharsets.ISO_8859_1), 1);
            files.add(write("interp", elf));
        }
        for (String mode : new String[] {"rwxr-xr-x", "rw-r--r--", "rw-r--r-x"}) {
            TinyElf elf = TinyElf.of(2, 1, 3, 62);
            elf.loadWholeFile();
            Path p = write("loadonly", elf);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
            files.add(p);
            elf.sectionHeaders = false;
            Path q = write("loadonly-noshdr", elf);
            Files.setPosixFilePermissions(q, PosixFilePermissions.fromString(mode));
            files.add(q);
        }
        for (long align : new long[] {0, 1, 2, 3, 4, 8, 0x80000000L}) {
            TinyElf elf = TinyElf.of(2, 1, 2, 62);
            elf.sectionHeaders = false;
            elf.segment(TinyElf.PT_NOTE, TinyElf.concat(elf.note("GNU", 3, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}),
                    elf.note("GNU", 1, elf.words(0, 2, 6, 32))), align);
            files.add(write("notealign" + align, elf));
        }
        assertAgree("dynamic segments, interpreters and permissions", files);
    }

    @Test
    void coreFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        for (int c : CLASSES) {
            for (int d : ORDERS) {
                for (String args : new String[] {"./prog --flag value ", "", "x'y", "sixteen-chars-ab"}) {
                    TinyElf elf = TinyElf.of(c, d, 4, c == 2 ? 62 : 3);
                    long base = 0x10000;
                    byte[] strings = "./prog\0x86_64\0".getBytes(StandardCharsets.US_ASCII);
                    byte[] prpsinfo = new byte[c == 2 ? 136 : 124];
                    int fname = c == 2 ? 40 : 28;
                    int psargs = c == 2 ? 56 : 44;
                    put(prpsinfo, fname, "prog");
                    put(prpsinfo, psargs, args);
                    byte[] auxv = elf.longs(6, 4096, 11, 1000, 12, 1001, 13, 1002, 14, 1003, 31, base, 15, base + 7,
                            15, 0x999999, 0, 0);
                    byte[] notes = TinyElf.concat(elf.note("CORE", 1, new byte[c == 2 ? 336 : 144]),
                            elf.note("CORE", 3, prpsinfo), elf.note("CORE", 6, auxv));
                    elf.segment(TinyElf.PT_NOTE, notes, 4);
                    elf.segment(TinyElf.PT_LOAD, strings, 0x1000, base);
                    Path core = write("core", elf);
                    files.add(core);
                    boolean is64 = c == 2;
                    // The strings' segment moved past the end of the file, and the notes to offset -10.
                    files.add(patched(core, "core-strings-gone", b -> putWord(b, is64,
                            header(b, is64, false, TinyElf.PT_LOAD) + (is64 ? 8 : 4), 10_000_000)));
                    files.add(patched(core, "core-notes-negative", b -> putWord(b, is64,
                            header(b, is64, false, TinyElf.PT_NOTE) + (is64 ? 8 : 4), is64 ? -10 : 0xfffffff6L)));
                }
                TinyElf none = TinyElf.of(c, d, 4, 62);
                files.add(write("core-nophdr", none));
            }
        }
        assertAgree("core files", files);
    }

    /**
     * 32-bit PowerPC cores keep pr_fname at 32 and pr_psargs at 48 of prpsinfo, so file(1)'s Linux
     * offset 44 lands inside the program's name: file steps back to where the string starts. The
     * names: one that spans offset 44, a short one, one of exactly 16 characters (no NUL: qemu's).
     */
    @Test
    void powerPcCoreNamesStartWhereTheStringStarts() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String fname : new String[] {"backtrace.ppc.e", "sh", "sixteen-chars-ab", "abcdefghijklm"}) {
            for (String psargs : new String[] {"./backtrace.ppc.e -v", ""}) {
                TinyElf elf = TinyElf.of(1, 2, 4, 20);
                byte[] prpsinfo = new byte[128];
                put(prpsinfo, 32, fname);
                put(prpsinfo, 48, psargs);
                elf.segment(TinyElf.PT_NOTE, TinyElf.concat(elf.note("CORE", 1, new byte[268]),
                        elf.note("CORE", 3, prpsinfo)), 4);
                files.add(write("core-ppc", elf));
            }
        }
        assertAgree("PowerPC core names", files);
    }

    /**
     * Solaris capabilities sections (SHT_SUNW_cap, the number of SHT_GNU_ATTRIBUTES): every single
     * hardware bit on x86 (32- and 64-bit) and SPARC (both), on a machine with no names (ARM), the
     * software bits, unknown tags up to and past file's limit, and a GNU attributes section ('A').
     */
    @Test
    void solarisCapabilityWords() throws IOException {
        List<Path> files = new ArrayList<>();
        int[][] machines = {{1, 1, 3}, {2, 1, 62}, {1, 2, 2}, {2, 2, 43}, {1, 1, 40}};
        for (int[] m : machines) {
            for (int bit = 0; bit < 32; bit++) {
                files.add(write("cap-hw", capabilities(m, 1, 1L << bit)));
            }
            files.add(write("cap-hw-many", capabilities(m, 1, 0x1ffffffL)));
            for (long sf : new long[] {1, 2, 3, 4, 7}) {
                files.add(write("cap-sf", capabilities(m, 2, sf)));
            }
            files.add(write("cap-unknown", capabilities(m, 9, 1, 1, 0x45, 2, 3, 0, 0, 9, 0, 10, 1, 11, 2, 12, 3)));
        }
        TinyElf gnu = TinyElf.of(1, 1, 2, 3);
        gnu.section(".gnu.attributes", 0x6ffffff5, "A\u0010\0\0\0gnu\0\u0001\u0008\0\0\0".getBytes(StandardCharsets.ISO_8859_1));
        files.add(write("cap-gnu-attributes", gnu));
        assertAgree("Solaris capabilities", files);
        // The words are there to agree on: file names the capabilities of the x86 and SPARC files.
        assertThat(FileOracle.theirs(files.get(32))).endsWith(", stripped, uses FPU TSC CX8 SEP AMD_SYSC CMOV MMX"
                + " AMD_MMX AMD_3DNow AMD_3DNowx FXSR SSE SSE2 PAUSE SSE3 MON CX16 AHF TSCP AMD_SSE4A POPCNT AMD_LZCNT"
                + " SSSE3 SSE4.1 SSE4.2");
        assertThat(FileOracle.theirs(files.get(2 * 39 + 32))).contains(", uses MUL32 DIV32 FSMULD V8PLUS POPC VIS");
    }

    /** An executable of machine {@code m} (class, byte order, e_machine) with one capabilities section. */
    private static TinyElf capabilities(int[] m, long... tagsAndValues) {
        TinyElf elf = TinyElf.of(m[0], m[1], 2, m[2]);
        elf.section(".SUNW_cap", 0x6ffffff5, m[0] == 2 ? elf.longs(tagsAndValues) : elf.words(tagsAndValues));
        return elf;
    }

    private static void put(byte[] into, int at, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(bytes, 0, into, at, bytes.length);
    }

    /** A real file with header fields overwritten (in the file's own byte order unless flipped). */
    private static Path patched(Path source, String name, java.util.function.Consumer<ByteBuffer> patch)
            throws IOException {
        byte[] bytes = Files.readAllBytes(source);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(bytes[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        patch.accept(b);
        return write(name, bytes);
    }

    @Test
    void realFilesWithPatchedHeaders() throws IOException {
        List<Path> sources = new ArrayList<>(FileFixturesTest.fixtures());
        Path pie = builtPie();
        if (pie != null) {
            sources.add(pie);
        }
        List<Path> files = new ArrayList<>();
        for (Path source : sources) {
            boolean is64 = Files.readAllBytes(source)[4] == 2;
            int flagsAt = is64 ? 48 : 36;
            files.add(patched(source, "mips", b -> b.putShort(18, (short) 8).putInt(flagsAt, 0x70001007)));
            files.add(patched(source, "ppc64v2", b -> b.putShort(18, (short) 21).putInt(flagsAt, 2)));
            files.add(patched(source, "s390x", b -> b.putShort(18, (short) 22)));
            files.add(patched(source, "riscv", b -> b.putShort(18, (short) 243).putInt(flagsAt, 5)));
            files.add(patched(source, "sparcv9", b -> b.putShort(18, (short) 43).putInt(flagsAt, 0x202)));
            files.add(patched(source, "loongarch", b -> b.putShort(18, (short) 258).putInt(flagsAt, 0x43)));
            files.add(patched(source, "arm-be8", b -> b.putShort(18, (short) 40).putInt(flagsAt, 0x05800000)));
            files.add(patched(source, "osabi-freebsd", b -> b.put(7, (byte) 9)));
            files.add(patched(source, "msb", b -> b.put(5, (byte) 2)));
            files.add(patched(source, "no-tables", b -> b.putShort(is64 ? 56 : 44, (short) 0)
                    .putShort(is64 ? 60 : 48, (short) 0)));
            files.add(patched(source, "no-sections", b -> b.putShort(is64 ? 60 : 48, (short) 0)));
            files.add(patched(source, "no-segments", b -> b.putShort(is64 ? 56 : 44, (short) 0)));
            files.add(patched(source, "phentsize", b -> b.putShort(is64 ? 54 : 42, (short) 40)));
            files.add(patched(source, "shentsize", b -> b.putShort(is64 ? 58 : 46, (short) 48)));
            files.add(patched(source, "phnum2049", b -> b.putShort(is64 ? 56 : 44, (short) 2049)));
            files.add(patched(source, "shnum40000", b -> b.putShort(is64 ? 60 : 48, (short) 40000)));
            files.add(patched(source, "rel-shnum40000", b -> b.putShort(16, (short) 1).putShort(is64 ? 60 : 48,
                    (short) 40000)));
            files.add(patched(source, "rel", b -> b.putShort(16, (short) 1)));
            files.add(patched(source, "exec", b -> b.putShort(16, (short) 2)));
            files.add(patched(source, "core", b -> b.putShort(16, (short) 4)));
            files.add(patched(source, "type5", b -> b.putShort(16, (short) 5)));
            files.add(patched(source, "shstrndx-big", b -> b.putShort(is64 ? 62 : 50, (short) 0x7fff)));
            files.addAll(patchedOffsets(source, is64));
            byte[] bytes = Files.readAllBytes(source);
            for (int cut : new int[] {bytes.length * 3 / 4, bytes.length / 2, bytes.length - 1, is64 ? 65 : 53}) {
                files.add(write("cut" + cut, java.util.Arrays.copyOf(bytes, cut)));
            }
        }
        assertAgree("real files with patched headers", files);
    }

    /** Segment and section offsets past the end of the file, or negative as file's off_t. */
    private static List<Path> patchedOffsets(Path source, boolean is64) throws IOException {
        List<Path> files = new ArrayList<>();
        long huge = is64 ? Long.MIN_VALUE + 5 : 0x80000005L;
        long[] offsets = {huge, 10_000_000, Files.size(source) - 8, is64 ? -10 : 0xfffffff6L};
        for (int type : new int[] {TinyElf.PT_INTERP, TinyElf.PT_DYNAMIC, TinyElf.PT_NOTE}) {
            for (long offset : offsets) {
                files.add(patched(source, "ph" + type + "-offset", b -> {
                    int header = header(b, is64, false, type);
                    if (header >= 0) {
                        putWord(b, is64, header + (is64 ? 8 : 4), offset);
                    }
                }));
            }
        }
        for (long offset : offsets) {
            files.add(patched(source, "note-section-offset", b -> {
                int header = header(b, is64, true, TinyElf.SHT_NOTE);
                if (header >= 0) {
                    putWord(b, is64, header + (is64 ? 24 : 16), offset);
                }
            }));
            files.add(patched(source, "names-offset", b -> {
                int shstrndx = Short.toUnsignedInt(b.getShort(is64 ? 62 : 50));
                putWord(b, is64, (int) word(b, is64, is64 ? 40 : 32) + shstrndx * (is64 ? 64 : 40)
                        + (is64 ? 24 : 16), offset);
            }));
        }
        return files;
    }

    /** The file offset of the first program header (or section header) of this type, or -1. */
    private static int header(ByteBuffer b, boolean is64, boolean section, int type) {
        long table = word(b, is64, section ? (is64 ? 40 : 32) : (is64 ? 32 : 28));
        int size = Short.toUnsignedInt(b.getShort(section ? (is64 ? 58 : 46) : (is64 ? 54 : 42)));
        int count = Short.toUnsignedInt(b.getShort(section ? (is64 ? 60 : 48) : (is64 ? 56 : 44)));
        for (int i = 0; i < count; i++) {
            int at = (int) table + i * size;
            if (at + size <= b.capacity() && b.getInt(at + (section ? 4 : 0)) == type) {
                return at;
            }
        }
        return -1;
    }

    private static long word(ByteBuffer b, boolean is64, int at) {
        return is64 ? b.getLong(at) : Integer.toUnsignedLong(b.getInt(at));
    }

    private static void putWord(ByteBuffer b, boolean is64, int at, long value) {
        if (is64) {
            b.putLong(at, value);
        } else {
            b.putInt(at, (int) value);
        }
    }

    /**
     * Seeded random byte changes to the fixtures (header, tables, notes, anywhere): each file must get
     * file's exact line, or be one of the inputs vdsoscope refuses by design (docs/FILE-COMPAT.md):
     * never an internal error, never a different line.
     */
    @Test
    void mutatedFixturesAgreeOrAreRefusedAsDocumented() throws IOException {
        java.util.Random random = new java.util.Random(20240611);
        List<Path> files = new ArrayList<>();
        for (Path source : FileFixturesTest.fixtures()) {
            byte[] original = Files.readAllBytes(source);
            for (int k = 0; k < 80; k++) {
                byte[] bytes = original.clone();
                for (int changes = 1 + random.nextInt(6); changes > 0; changes--) {
                    int at = random.nextBoolean() ? random.nextInt(Math.min(bytes.length, 0x1000))
                            : random.nextInt(bytes.length);
                    int[] values = {0, 1, 2, 4, 0x7f, 0x80, 0xff, random.nextInt(256)};
                    bytes[Math.max(4, at)] = (byte) values[random.nextInt(values.length)];
                }
                if (random.nextInt(20) == 0) {
                    bytes = java.util.Arrays.copyOf(bytes, 53 + random.nextInt(bytes.length - 53));
                }
                files.add(write("mutated", bytes));
            }
        }
        List<String> theirs = FileOracle.theirs(files);
        FileOracle.Run run = FileOracle.oursRun(files);
        java.util.Map<Path, String> ours = FileOracle.lines(run, files);
        List<String> problems = new ArrayList<>();
        int same = 0;
        int refused = 0;
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            if (theirs.get(i).equals(ours.get(f))) {
                same++;
                continue;
            }
            String error = run.errLines().stream().filter(l -> l.startsWith("vdsoscope: " + f + ": ")).findFirst()
                    .orElse(null);
            boolean documented = ours.get(f) == null && error != null && (error.contains(": invalid ELF class ")
                    || error.contains(": invalid ELF byte order ") || error.contains(": ELF header extends past ")
                    || error.contains(": extended numbering needs section header 0")
                    || error.contains(": note section size too big") && theirs.get(i).startsWith("ERROR:"));
            if (documented) {
                refused++;
            } else {
                problems.add(f + "\n  ours:   " + (ours.get(f) != null ? ours.get(f) : error) + "\n  file:   "
                        + theirs.get(i));
            }
        }
        System.out.println("file(1) agreement on " + files.size() + " mutated fixtures: " + same + " exact, " + refused
                + " refused as documented");
        problems.forEach(System.out::println);
        assertThat(problems).isEmpty();
    }

    private static Path builtPie() {
        if (!Toolchain.works(dir, "gcc", "--version")) {
            return null;
        }
        try {
            Files.writeString(dir.resolve("hello.c"), "int main(void) { return 0; }\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Toolchain.run(dir, "gcc", "-o", "crafted-pie", "hello.c");
        return dir.resolve("crafted-pie");
    }

    @Test
    void objectsForOtherArchitecturesFromLlc() throws IOException {
        Assumptions.assumeTrue(Toolchain.works(dir, "llc", "--version"), "llc is not installed");
        Files.writeString(dir.resolve("f.ll"), "define i32 @f(i32 %x) {\n  %y = add i32 %x, 1\n  ret i32 %y\n}\n");
        List<Path> files = new ArrayList<>();
        String[] triples = {"aarch64_be-linux-gnu", "aarch64-linux-gnu", "armebv7-linux-gnueabi",
                "armv7-linux-gnueabihf", "i386-linux-gnu", "mips-linux-gnu", "mipsel-linux-gnu", "mips64-linux-gnuabi64",
                "mips64el-linux-gnuabi64", "mipsisa32r6-linux-gnu", "powerpc-linux-gnu", "powerpc64-linux-gnu",
                "powerpc64le-linux-gnu", "riscv32-linux-gnu", "riscv64-linux-gnu", "s390x-linux-gnu", "sparc-linux-gnu",
                "sparcv9-linux-gnu", "loongarch64-linux-gnu", "x86_64-linux-gnux32", "hexagon-linux-musl", "bpfeb",
                "bpfel", "msp430", "avr", "lanai", "xcore", "ve-linux", "m68k-linux-gnu", "csky-linux-gnu"};
        for (String triple : triples) {
            String out = "llc-" + triple + ".o";
            if (Toolchain.works(dir, "llc", "-mtriple=" + triple, "-filetype=obj", "-o", out, "f.ll")) {
                files.add(dir.resolve(out));
            }
            if (Toolchain.works(dir, "llc", "-mtriple=" + triple, "-mattr=+c,+d", "-filetype=obj", "-o", "c" + out,
                    "f.ll")) {
                files.add(dir.resolve("c" + out));
            }
        }
        Assumptions.assumeTrue(files.size() > 5, "llc has too few targets");
        assertAgree("llc objects for other architectures", files);
    }

    @Test
    void realCoreDumpFromGcore() throws Exception {
        Assumptions.assumeTrue(Toolchain.works(dir, "gdb", "--version"), "gdb (gcore) is not installed");
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            Path core = dir.resolve("gcore");
            boolean dumped = Toolchain.works(dir, "gcore", "-o", core.toString(), Long.toString(sleeper.pid()));
            Assumptions.assumeTrue(dumped, "gcore could not attach (ptrace not allowed here)");
            assertAgree("a core dump written by gcore", List.of(dir.resolve("gcore." + sleeper.pid())));
        } finally {
            sleeper.destroy();
        }
    }
}
