package dev.vdsoscope.cli;

import static dev.vdsoscope.elf.testing.ElfImageBuilder.SHF_ALLOC;
import static dev.vdsoscope.elf.testing.ElfImageBuilder.SHF_TLS;
import static dev.vdsoscope.elf.testing.ElfImageBuilder.SHF_WRITE;
import static dev.vdsoscope.elf.testing.ElfImageBuilder.SHN_ABS;
import static dev.vdsoscope.elf.testing.ElfImageBuilder.SHN_COMMON;
import static dev.vdsoscope.elf.testing.ElfImageBuilder.SHN_UNDEF;
import static dev.vdsoscope.elf.testing.ElfImageBuilder.SHT_NOBITS;
import static dev.vdsoscope.elf.testing.ElfImageBuilder.SHT_PROGBITS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.vdsoscope.elf.testing.ElfImageBuilder;
import dev.vdsoscope.elf.testing.HostTools;
import dev.vdsoscope.elf.testing.ElfImageBuilder.ExtraSection;
import dev.vdsoscope.elf.testing.ElfImageBuilder.HashStyle;
import dev.vdsoscope.elf.testing.ElfImageBuilder.Sym;
import dev.vdsoscope.elf.testing.ElfImageBuilder.VerDef;
import dev.vdsoscope.elf.testing.ElfImageBuilder.VerNeed;
import dev.vdsoscope.elf.testing.ElfImageBuilder.VerNeedAux;
import dev.vdsoscope.testing.Objdump;

/**
 * {@code symbols --style=objdump} against the real {@code objdump -T} (binutils 2.40): the vDSO
 * fixtures, libraries built here with gcc, ELF files of other architectures and byte orders made by
 * {@link ElfImageBuilder}, and a sample of this machine's ELF files. Every file's output must be the
 * same bytes; the sample allows one file in a thousand to differ and names the ones that do.
 */
class ObjdumpDifferentialTest {
    private static final int LOCAL = 0, GLOBAL = 1, WEAK = 2, UNIQUE = 10;
    private static final int NOTYPE = 0, OBJECT = 1, FUNC = 2, SECTION = 3, FILE = 4, COMMON = 5, TLS = 6, IFUNC = 10;
    private static final int EM_X86_64 = 62, EM_MIPS = 8;

    @BeforeAll
    static void needObjdump() {
        assumeTrue(Objdump.available(), "objdump 2.40 is not installed");
    }

    /** Each file's output equals objdump's, and objdump recognised each (a block per file), so the comparison says something. */
    private static void assertSame(List<String> files) throws Exception {
        assertSame(files, true);
    }

    private static void assertSame(List<String> files, boolean objdumpRecognisesThem) throws Exception {
        Objdump.Run theirs = Objdump.objdump(files);
        Objdump.Run ours = Objdump.symbols(files);
        assertThat(Objdump.blocks(theirs.stdout(), files).keySet()).as("files objdump printed a block for")
                .isEqualTo(objdumpRecognisesThem ? new java.util.LinkedHashSet<>(files) : java.util.Set.of());
        Map<String, String> diffs = Objdump.differences(theirs, ours, files);
        assertThat(diffs).as("files whose output differs from objdump -T").isEmpty();
        assertThat(new String(ours.stdout(), StandardCharsets.ISO_8859_1))
                .isEqualTo(new String(theirs.stdout(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void vdsoFixtures() throws Exception {
        List<String> files;
        try (Stream<Path> s = Files.list(Path.of("test-fixtures/vdso"))) {
            files = s.filter(p -> p.toString().endsWith(".so")).map(Path::toString).sorted().toList();
        }
        assertThat(files).as("every fixture of PROVENANCE.md").hasSize(10);
        assertSame(files);
    }

    /** A symbol defined in a section of the image, named. */
    private static Sym sym(String name, int bind, int type, String section, long value, long size) {
        return new Sym(name, value, size, type, bind, 0, section, 0, 0, false);
    }

    /** A symbol whose st_shndx is given: undefined, absolute, common, reserved or out of range. */
    private static Sym at(String name, int bind, int type, int shndx, long value, long size) {
        return new Sym(name, value, size, type, bind, 0, null, shndx, 0, false);
    }

    /**
     * An image with the sections the symbols name besides .text: .data, the TLS .tdata and .bss. Only
     * a SysV hash, so that .dynsym keeps the symbols in the order given (.gnu.hash would group them by
     * bucket) and a {@code versionTable} lines up with them.
     */
    private static ElfImageBuilder image(int bits, boolean little, int machine, List<Sym> symbols) {
        ElfImageBuilder b = ElfImageBuilder.of(bits == 64, little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN,
                machine).hashStyle(HashStyle.SYSV)
                .extraSection(ExtraSection.zeros(".data", SHT_PROGBITS, SHF_WRITE | SHF_ALLOC, 32))
                .extraSection(ExtraSection.zeros(".tdata", SHT_PROGBITS, SHF_WRITE | SHF_ALLOC | SHF_TLS, 16))
                .extraSection(ExtraSection.zeros(".bss", SHT_NOBITS, SHF_WRITE | SHF_ALLOC, 32));
        symbols.forEach(b::dynamicSymbol);
        return b;
    }

    private static ElfImageBuilder x86_64(List<Sym> symbols) {
        return image(64, true, EM_X86_64, symbols);
    }

    /** Symbols that exercise every column: flags, sections, reserved indexes, st_other, special names. */
    static List<Sym> richSymbols() {
        List<Sym> s = new ArrayList<>();
        s.add(sym("func", GLOBAL, FUNC, ".text", 0x10b0, 8));
        s.add(sym("oddfunc", GLOBAL, FUNC, ".text", 0x10b1, 4));
        s.add(sym("ifunc", GLOBAL, IFUNC, ".text", 0x10b5, 4));
        s.add(sym("weak_ifunc", WEAK, IFUNC, ".text", 0x10b0, 4));
        s.add(sym("object", GLOBAL, OBJECT, ".data", 0x10f0, 4));
        s.add(sym("tls", GLOBAL, TLS, ".tdata", 0, 4));
        s.add(sym("notype_odd", GLOBAL, NOTYPE, ".text", 0x10b3, 0));
        s.add(sym("", LOCAL, SECTION, ".text", 0x10b0, 0));
        s.add(sym("named_section_sym", LOCAL, SECTION, ".data", 0x10f0, 0));
        s.add(at("", LOCAL, SECTION, SHN_UNDEF, 0, 0));
        s.add(at("", LOCAL, SECTION, SHN_ABS, 0x10, 0));
        s.add(at("", LOCAL, SECTION, 0xff01, 0x10b0, 0));
        s.add(sym("filesym", GLOBAL, FILE, ".text", 0x10b0, 4));
        s.add(sym("local_obj", LOCAL, OBJECT, ".bss", 0x1100, 4));
        s.add(at("weak_undef", WEAK, NOTYPE, SHN_UNDEF, 0, 0));
        s.add(at("undef_func", GLOBAL, FUNC, SHN_UNDEF, 0, 0));
        s.add(sym("unique", UNIQUE, OBJECT, ".bss", 0x1104, 4));
        s.add(at("common", GLOBAL, OBJECT, SHN_COMMON, 16, 8));
        s.add(at("common0", GLOBAL, OBJECT, SHN_COMMON, 8, 0));
        s.add(at("tlscommon0", GLOBAL, TLS, SHN_COMMON, 8, 0));
        s.add(sym("stt_common", GLOBAL, COMMON, ".bss", 0x1108, 4));
        s.add(at("absolute", GLOBAL, OBJECT, SHN_ABS, 0x1234, 0));
        for (int shndx : new int[] {0xff00, 0xff01, 0xff02, 0xff03, 0xff04, 0xff05, 0xff1f, 0xfff0, 0xfffe, 200}) {
            s.add(at("shn_" + Integer.toHexString(shndx), GLOBAL, shndx == 0xff01 ? FUNC : OBJECT, shndx, 0x10f0, 0x20));
        }
        s.add(at("shn_ff01_odd", GLOBAL, FUNC, 0xff01, 0x10b1, 4));
        for (int other : new int[] {1, 2, 3, 4, 0x13, 0x60, 0x80, 0xf3}) {
            s.add(new Sym("other_" + Integer.toHexString(other), 0x10b0, 1, FUNC, GLOBAL, other, ".text", 0, 0, false));
        }
        for (int type : new int[] {7, 8, 9, 11, 12, 13, 14, 15}) {
            // Odd, for ARM's Thumb bit; below 32, as SPARC64 prints type 13 as a register number.
            s.add(sym("type" + type, GLOBAL, type, ".text", 0x11, 4));
        }
        s.add(at("reg_g2", GLOBAL, 13, SHN_UNDEF, 2, 0));
        s.add(at("", GLOBAL, 13, SHN_UNDEF, 9, 0));
        s.add(at("reg_local", LOCAL, 13, SHN_UNDEF, 30, 0));
        for (int bind : new int[] {3, 11, 13, 15}) {
            s.add(sym("bind" + bind, bind, FUNC, ".text", 0x10b0, 4));
        }
        for (String name : new String[] {"$x", "$d", "$a", "$t", "$m", "$p", "$f", "$b", "$z", "$", "$x.foo", "$t.",
            "$xyz", "$dd", "$Z", "$ab", "$L1", ".L1", ".Lfoo$x", "..x", "_.L_x", "_.L", "L1\u0001x", "L12\u0002",
            "L\u0001", "", "a_long_symbol_name_for_versions", "__gnu_lto_slim"}) {
            s.add(sym(name, LOCAL, NOTYPE, ".text", 0x10b0, 0));
        }
        s.add(at("__gnu_lto_slim", GLOBAL, OBJECT, SHN_COMMON, 8, 0));
        s.add(sym("huge", GLOBAL, OBJECT, ".data", -1L, 0x123456789abcdef0L));
        return s;
    }

    /** Machine, class, byte order (and flags or OS ABI where they choose the target). */
    private record Target(String tag, int machine, int bits, boolean little, long flags, int osabi) {}

    static List<Target> targets() {
        int[][] machines = {{62}, {3}, {6}, {183}, {40}, {20}, {21}, {22}, {8}, {10}, {243}, {258}, {2}, {18}, {43},
            {50}, {0x9026}, {4}, {42}, {88}, {0x9041}, {15}, {0}, {0x1234}};
        List<Target> list = new ArrayList<>();
        for (int[] m : machines) {
            for (int bits : new int[] {32, 64}) {
                for (boolean little : new boolean[] {true, false}) {
                    list.add(new Target("m" + m[0], m[0], bits, little, 0, 0));
                }
            }
        }
        list.add(new Target("mips-n32", 8, 32, false, 0x20, 0));
        list.add(new Target("mipsel-n32", 8, 32, true, 0x20, 0));
        list.add(new Target("mips64-abi2", 8, 64, false, 0x20, 0));
        list.add(new Target("micromips", 8, 32, false, 0x02000000, 0));
        list.add(new Target("sparc32plus", 18, 32, false, 0x100, 0));
        list.add(new Target("hppa-linux", 15, 32, false, 0, 3));
        list.add(new Target("hppa-hpux", 15, 32, false, 0, 1));
        list.add(new Target("x86_64-freebsd", 62, 64, true, 0, 9));
        list.add(new Target("arm-fdpic", 40, 32, true, 0, 65));
        return list;
    }

    @Test
    void otherArchitecturesAndByteOrders(@TempDir Path dir) throws Exception {
        List<String> files = new ArrayList<>();
        List<Sym> symbols = richSymbols();
        for (Target t : targets()) {
            Path p = dir.resolve(t.tag() + "-" + t.bits() + (t.little() ? "le" : "be") + ".so");
            image(t.bits(), t.little(), t.machine(), symbols).flags(t.flags()).osAbi(t.osabi()).build().write(p);
            files.add(p.toString());
        }
        assertSame(files);
    }

    /** Section types that make a strict back-end reject the file, so that BFD falls back to elfNN-little/big. */
    @Test
    void backEndsRejectingSections(@TempDir Path dir) throws Exception {
        long[][] types = {{0x70000000L, 0}, {0x70000001L, 0}, {0x70000002L, 0}, {0x70000003L, 0}, {0x70000006L, 0},
            {0x7000002aL, 0}, {0x7fffffffL, 0}, {0x80000001L, 0}, {0x80000001L, 2}, {0x6ffffff0L, 0},
            {0x6ffffff0L, 0x100}, {0x20, 0}, {12, 0}};
        int[][] machines = {{62, 64}, {62, 32}, {183, 64}, {40, 32}, {8, 32}, {50, 64}, {0x9026, 64}, {3, 32}, {21, 64},
            {243, 64}};
        List<String> files = new ArrayList<>();
        List<Sym> symbols = List.of(sym("f", GLOBAL, FUNC, ".text", 0x10b1, 4), sym("$x", LOCAL, NOTYPE, ".text", 0x10b0, 0),
                sym(".L1", LOCAL, NOTYPE, ".text", 0x10b0, 0), at("c", GLOBAL, OBJECT, 0xff02, 8, 4));
        for (int[] m : machines) {
            for (long[] t : types) {
                Path p = dir.resolve("sec-" + m[0] + "-" + m[1] + "-" + Long.toHexString(t[0]) + "-" + t[1] + ".so");
                image(m[1], true, m[0], symbols).extraSection(ExtraSection.zeros(".xx", (int) t[0], t[1], 8)).build()
                        .write(p);
                files.add(p.toString());
            }
        }
        assertSame(files);
    }

    /**
     * Indexes of sections BFD makes no section for: .symtab, its strings, relocations against it, .shstrtab
     * (.symtab and .strtab are the builder's own).
     */
    @Test
    void sectionsWithoutBfdSection(@TempDir Path dir) throws Exception {
        List<String> files = new ArrayList<>();
        for (int type : new int[] {3, 1, 2, 0x1234}) {
            List<Sym> symbols = new ArrayList<>();
            String[] names = {".text", ".data", ".tdata", ".bss", ".symtab", ".strtab", ".rela.text", ".rela.dyn",
                ".symtab_shndx", ".shlib", ".comment", ".dynsym", ".hash", ".dynstr", ".dynamic", ".shstrtab"};
            for (String n : names) {
                symbols.add(sym("in" + n, GLOBAL, OBJECT, n, 0x10f0, 4));
            }
            symbols.add(at("common", GLOBAL, OBJECT, SHN_COMMON, 16, 8));
            Path p = dir.resolve("secs-type" + type + ".so");
            // sh_info 1 of .rela.text is the first section, .hash: relocations for a section BFD makes.
            x86_64(symbols).fileType(type)
                    .extraSection(new ExtraSection(".rela.text", 4, 0, new byte[24], ".symtab", 1, 24))
                    .extraSection(new ExtraSection(".rela.dyn", 4, SHF_ALLOC, new byte[24], ".dynsym", 0, 24))
                    .extraSection(new ExtraSection(".symtab_shndx", 18, 0, new byte[8], ".symtab", 0, 4))
                    .extraSection(new ExtraSection(".shlib", 10, 0, new byte[8], null, 0, 0))
                    .extraSection(new ExtraSection(".comment", SHT_PROGBITS, 0x30, new byte[8], null, 0, 1))
                    .build().write(p);
            files.add(p.toString());
        }
        assertSame(files);
    }

    @Test
    void versionTables(@TempDir Path dir) throws Exception {
        List<Sym> symbols = new ArrayList<>();
        int[] versym = {0, 1, 2, 3, 0x8002, 4, 5, 0x8001, 9, 0x8009, 6, 0x8000, 2, 3};
        for (int i = 0; i < versym.length; i++) {
            symbols.add(sym(i == 12 ? "V1" : "s" + i, GLOBAL, FUNC, ".text", 0x10b0 + i, 4));
        }
        List<VerDef> defs = List.of(definition(1, 1, "libt.so"), definition(2, 0, "V1"),
                definition(3, 0, "VERSION_LONG_NAME"));
        List<VerNeed> needs = List.of(
                new VerNeed("libc.so.6", List.of(new VerNeedAux("GLIBC_2.2.5", 0, 4), new VerNeedAux("GLIBC_2.3", 0, 5))),
                new VerNeed("libm.so.6", List.of(new VerNeedAux("GLIBC_2.29", 0, 6))),
                new VerNeed("libx.so", List.of(new VerNeedAux("GLIBC_2.2.5", 0, 6))));
        List<String> files = new ArrayList<>();
        Object[][] cases = {
            {"full", defs, needs}, {"no-verneed", defs, List.of()}, {"no-verdef", List.of(), needs},
            {"versym-only", List.of(), List.of()},
            {"base-not-flagged", List.of(definition(1, 0, "libt.so"), definition(2, 0, "V1")), needs},
            {"base-weak", List.of(definition(1, 3, "libt.so"), definition(2, 0, "V1")), needs},
            {"gap", List.of(definition(1, 1, "libt.so"), definition(3, 0, "V3")), needs}};
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            List<VerDef> d = (List<VerDef>) c[1];
            @SuppressWarnings("unchecked")
            List<VerNeed> n = (List<VerNeed>) c[2];
            Path p = dir.resolve("ver-" + c[0] + ".so");
            versions(x86_64(symbols).versionTable(versym), d, n).build().write(p);
            files.add(p.toString());
        }
        Path shortVersym = dir.resolve("ver-short.so");
        versions(x86_64(symbols).versionTable(1, 2, 3), defs, needs).build().write(shortVersym);
        files.add(shortVersym.toString());
        Path be = dir.resolve("ver-be32.so");
        versions(image(32, false, EM_MIPS, symbols).versionTable(versym), defs, needs).build().write(be);
        files.add(be.toString());
        assertSame(files);
    }

    private static VerDef definition(int index, int flags, String name) {
        return new VerDef(index, flags, name, List.of());
    }

    private static ElfImageBuilder versions(ElfImageBuilder b, List<VerDef> definitions, List<VerNeed> requirements) {
        definitions.forEach(b::definition);
        requirements.forEach(b::requirement);
        return b;
    }

    @Test
    void unrecognizedFilesPrintNothing(@TempDir Path dir) throws Exception {
        Path badVersion = x86_64(richSymbols()).identVersion(2).build().write(dir.resolve("identversion.so"));
        Path text = Files.writeString(dir.resolve("text.so"), "not an ELF file\n");
        List<String> files = List.of(badVersion.toString(), text.toString());
        assertSame(files, false);
        assertThat(Objdump.symbols(files).exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    }

    /**
     * Without section headers BFD makes no sections and so finds no .dynsym: objdump 2.40 prints the
     * header of an ET_DYN file and stops ("invalid operation"), and so do we, pointing to the plain
     * view, which reads the symbols through the dynamic table.
     */
    @Test
    void noSectionHeadersPrintsTheHeaderOnly(@TempDir Path dir) throws Exception {
        List<Sym> symbols = List.of(sym("func", GLOBAL, FUNC, ".text", 0x10b0, 8),
                sym("obj", GLOBAL, OBJECT, ".data", 0x10f0, 4));
        Path p = x86_64(symbols).withoutSectionHeaders().build().write(dir.resolve("noshdr.so"));
        Objdump.Run ours = Objdump.symbols(List.of(p.toString()));
        Objdump.Run theirs = Objdump.objdump(List.of(p.toString()));
        assertThat(theirs.stderr()).contains("invalid operation");
        assertThat(new String(ours.stdout(), StandardCharsets.ISO_8859_1))
                .isEqualTo(new String(theirs.stdout(), StandardCharsets.ISO_8859_1));
        assertThat(ours.stderr()).isEqualTo("vdsoscope: " + p
                + ": no dynamic symbol table (objdump -T stops with \"invalid operation\")\n");
        assertThat(ours.exitCode()).isEqualTo(ExitCode.FINDINGS);
    }

    private static boolean compile(Path dir, String tool, String source, String name, String... flags)
            throws IOException, InterruptedException {
        Path src = dir.resolve(name + (tool.equals("g++") ? ".cc" : ".c"));
        Files.writeString(src, source);
        List<String> command = new ArrayList<>(List.of(tool));
        command.addAll(List.of(flags));
        command.addAll(List.of("-o", dir.resolve(name).toString(), src.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        assertThat(rc).as(String.join(" ", command) + "\n" + log).isZero();
        return true;
    }

    private static final String LIBRARY = """
            #include <stdio.h>
            extern void weak_undef(void) __attribute__((weak));
            int common_var __attribute__((common));
            __thread int tls_var = 1;
            static int impl(void) { return 1; }
            static int (*resolve(void))(void) { return impl; }
            int ifunc_f(void) __attribute__((ifunc("resolve")));
            __attribute__((weak)) int weak_f(void) { return 2; }
            __attribute__((visibility("protected"))) int prot_f(void) { return 3; }
            __attribute__((visibility("hidden"))) int hidden_f(void) { return 4; }
            int vf_1(void) { return 5; }
            int vf_2(void) { return 6; }
            __asm__(".symver vf_1,vf@VER_1");
            __asm__(".symver vf_2,vf@@VER_2");
            int user(void) { if (weak_undef) weak_undef(); printf("%d\\n", tls_var); return common_var; }
            """;

    private static final String VERSION_SCRIPT = """
            VER_1 { global: ifunc_f; weak_f; prot_f; common_var; tls_var; user; local: *; };
            VER_2 { global: vf; } VER_1;
            """;

    @Test
    void librariesBuiltWithGcc(@TempDir Path dir) throws Exception {
        assumeTrue(HostTools.installed("gcc"), "gcc is not installed");
        Files.writeString(dir.resolve("lib.map"), VERSION_SCRIPT);
        List<String> files = new ArrayList<>();
        compile(dir, "gcc", LIBRARY, "libv.so", "-shared", "-fPIC", "-fcommon", "-Wl,--version-script=" + dir.resolve("lib.map"));
        files.add(dir.resolve("libv.so").toString());
        compile(dir, "gcc", LIBRARY.replace("__asm__", "// "), "libplain.so", "-shared", "-fPIC", "-fcommon");
        files.add(dir.resolve("libplain.so").toString());
        compile(dir, "gcc", LIBRARY.replace("__asm__", "// "), "librelr.so", "-shared", "-fPIC", "-Wl,-z,pack-relative-relocs");
        files.add(dir.resolve("librelr.so").toString());
        compile(dir, "gcc", "int main(void) { return 0; }", "pie", "-pie", "-fPIE");
        files.add(dir.resolve("pie").toString());
        compile(dir, "gcc", "int f(void) { return 0; }", "obj.o", "-c");
        files.add(dir.resolve("obj.o").toString());
        if (HostTools.installed("g++")) {
            compile(dir, "g++", "inline int &counter() { static int v; return v; }\nint use() { return ++counter(); }\n",
                    "libunique.so", "-shared", "-fPIC");
            files.add(dir.resolve("libunique.so").toString());
        }
        assertSame(files);
        Objdump.Run ours = Objdump.symbols(List.of(dir.resolve("obj.o").toString()));
        assertThat(ours.stderr()).isEqualTo("vdsoscope: " + dir.resolve("obj.o") + ": not a dynamic object\n");
        assertThat(ours.exitCode()).isEqualTo(ExitCode.FINDINGS);
    }

    /**
     * Every fifth ELF file (regular files, not links) of this machine's library and program
     * directories, in one invocation each.
     */
    @Test
    void sampleOfThisMachine() throws Exception {
        List<String> files = new ArrayList<>();
        for (String root : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/bin", "/usr/sbin"}) {
            Path r = Path.of(root);
            if (!Files.isDirectory(r)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(r)) {
                s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).map(Path::toString).sorted()
                        .filter(ObjdumpDifferentialTest::isElf)
                        .forEach(files::add);
            }
        }
        List<String> sample = new ArrayList<>();
        for (int i = 0; i < files.size(); i += 5) {
            sample.add(files.get(i));
        }
        assumeTrue(sample.size() >= 20, "too few ELF files on this machine");
        Objdump.Run theirs = Objdump.objdump(sample);
        Objdump.Run ours = Objdump.symbols(sample);
        Map<String, String> diffs = Objdump.differences(theirs, ours, sample);
        int identical = sample.size() - diffs.size();
        System.out.printf("objdump differential sample: %d files compared, %d identical, %d differ%n", sample.size(),
                identical, diffs.size());
        diffs.forEach((f, why) -> System.out.println("  differs: " + f + ": " + why));
        assertThat((double) identical / sample.size()).as("share of byte-identical files, differing: " + diffs)
                .isGreaterThanOrEqualTo(0.999);
    }

    private static boolean isElf(String path) {
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }
}
