package dev.vdsoscope.elf;

import static dev.vdsoscope.elf.ReadelfAssertions.assertDynamicMatchesReadelf;
import static dev.vdsoscope.elf.ReadelfAssertions.assertSameAsReadelf;
import static dev.vdsoscope.elf.ReadelfAssertions.assertSectionsMatchReadelf;
import static dev.vdsoscope.elf.ReadelfAssertions.assertSegmentsMatchReadelf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.vdsoscope.elf.testing.ElfImage;
import dev.vdsoscope.elf.testing.ElfImageBuilder;
import dev.vdsoscope.elf.testing.ElfImageBuilder.HashStyle;
import dev.vdsoscope.elf.testing.ElfImageBuilder.Sym;
import dev.vdsoscope.elf.testing.ElfImageBuilder.VerDef;
import dev.vdsoscope.elf.testing.ElfImageBuilder.VerNeed;
import dev.vdsoscope.elf.testing.ElfImageBuilder.VerNeedAux;
import dev.vdsoscope.elf.testing.Readelf;

/**
 * Every view of the reader on images built from the specification, in all four class/byte-order
 * combinations and on several machines. Two oracles: what the builder put in, and readelf.
 */
class BuiltImageTest {
    /** One class/byte order/machine combination. */
    record Target(boolean is64, ByteOrder order, int machine, String label) {
        @Override
        public String toString() {
            return label;
        }
    }

    /** How the image is built beyond the typical content. */
    enum Variant {
        PLAIN(b -> b),
        ESCAPED(b -> b.escapeSectionCount().escapeNameIndex().escapeSegmentCount().escapeSymbolSections()),
        NO_SECTION_HEADERS(ElfImageBuilder::withoutSectionHeaders),
        SYSV_HASH_ONLY(b -> b.hashStyle(HashStyle.SYSV).sysvBuckets(1)),
        GNU_HASH_ONLY(b -> b.hashStyle(HashStyle.GNU).gnuBuckets(1)),
        GNU_HASH_ONLY_NO_SECTION_HEADERS(b -> b.hashStyle(HashStyle.GNU).gnuBuckets(4).withoutSectionHeaders());

        final UnaryOperator<ElfImageBuilder> options;

        Variant(UnaryOperator<ElfImageBuilder> options) {
            this.options = options;
        }

        boolean hasSections() {
            return this != NO_SECTION_HEADERS && this != GNU_HASH_ONLY_NO_SECTION_HEADERS;
        }
    }

    static final List<Target> TARGETS = List.of(
            new Target(true, ByteOrder.LITTLE_ENDIAN, ElfImageBuilder.EM_X86_64, "ELF64 LSB x86-64"),
            new Target(true, ByteOrder.LITTLE_ENDIAN, ElfImageBuilder.EM_AARCH64, "ELF64 LSB AArch64"),
            new Target(true, ByteOrder.BIG_ENDIAN, ElfImageBuilder.EM_S390, "ELF64 MSB s390x (64-bit hash words)"),
            new Target(true, ByteOrder.BIG_ENDIAN, ElfImageBuilder.EM_PPC64, "ELF64 MSB ppc64"),
            new Target(true, ByteOrder.LITTLE_ENDIAN, ElfImageBuilder.EM_ALPHA, "ELF64 LSB Alpha (64-bit hash words)"),
            new Target(false, ByteOrder.LITTLE_ENDIAN, ElfImageBuilder.EM_386, "ELF32 LSB i386"),
            new Target(false, ByteOrder.LITTLE_ENDIAN, ElfImageBuilder.EM_ARM, "ELF32 LSB ARM"),
            new Target(false, ByteOrder.BIG_ENDIAN, ElfImageBuilder.EM_PPC, "ELF32 MSB ppc"),
            new Target(false, ByteOrder.BIG_ENDIAN, ElfImageBuilder.EM_S390, "ELF32 MSB s390"));

    static Stream<Arguments> images() {
        return TARGETS.stream().flatMap(t -> Stream.of(Variant.values()).map(v -> Arguments.of(t, v)));
    }

    static Stream<Target> targets() {
        return TARGETS.stream();
    }

    /** One target per class/byte-order combination, for the tests on multi-megabyte images. */
    static Stream<Target> combinations() {
        return TARGETS.stream().filter(t -> List.of(ElfImageBuilder.EM_X86_64, ElfImageBuilder.EM_386,
                ElfImageBuilder.EM_PPC, ElfImageBuilder.EM_S390).contains(t.machine()) && (t.is64()
                || t.machine() != ElfImageBuilder.EM_S390));
    }

    @TempDir
    static Path directory;

    @BeforeAll
    static void needsReadelf() {
        assumeTrue(Readelf.available(), "readelf (binutils-multiarch) is the oracle");
    }

    private static int counter;

    private static Path write(ElfImage image) {
        return image.write(directory.resolve("image-" + counter++ + ".so"));
    }

    private static ElfImage build(Target t, Variant v) {
        return v.options.apply(ElfImageBuilder.typical(t.is64(), t.order(), t.machine())).build();
    }

    /** What a test checks on one built image, written to a file and opened. */
    interface ImageCheck {
        void check(ElfImage image, Path file, ElfFile elf) throws IOException;
    }

    private static void check(Target t, Variant v, ImageCheck check) throws IOException {
        ElfImage image = build(t, v);
        Path file = write(image);
        try (ElfFile elf = ElfFile.open(file)) {
            check.check(image, file, elf);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("images")
    void headerMatchesBuilderAndReadelf(Target t, Variant v) throws IOException {
        check(t, v, (image, file, elf) -> {
            Map<String, String> readelf = Readelf.header(file);
            ElfHeader h = elf.header();
            assertThat(h.is64()).isEqualTo(t.is64());
            assertThat(h.data().order()).isEqualTo(t.order());
            assertThat(h.machine().value()).isEqualTo(t.machine());
            assertThat(h.type().value()).isEqualTo(3);
            assertThat(h.phoff()).isEqualTo(image.phoff()).isEqualTo(Readelf.headerNumber(readelf,
                    "Start of program headers"));
            assertThat(h.shoff()).isEqualTo(image.shoff()).isEqualTo(Readelf.headerNumber(readelf,
                    "Start of section headers"));
            assertThat(h.phnum()).isEqualTo(image.phnum()).isEqualTo(Readelf.headerNumber(readelf,
                    "Number of program headers"));
            assertThat(h.shnum()).isEqualTo(image.shnum()).isEqualTo(Readelf.headerNumber(readelf,
                    "Number of section headers"));
            if (v.hasSections()) {
                assertThat(h.shstrndx()).isEqualTo(image.section(".shstrtab").index())
                        .isEqualTo(Readelf.headerNumber(readelf, "Section header string table index"));
            }
            assertThat(h.usesExtendedNumbering()).isEqualTo(v == Variant.ESCAPED);
            if (v == Variant.ESCAPED) {
                assertThat(h.ePhnum()).isEqualTo(SectionIndex.PN_XNUM);
                assertThat(h.eShnum()).isZero();
                assertThat(h.eShstrndx()).isEqualTo(SectionIndex.SHN_XINDEX);
            }
            assertThat(elf.warnings()).isEmpty();
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("images")
    void segmentsMatchReadelf(Target t, Variant v) throws IOException {
        check(t, v, (image, file, elf) -> {
            assertThat(elf.segments()).hasSize((int) image.phnum());
            assertSegmentsMatchReadelf(elf, file);
            assertThat(elf.interpreter()).contains(image.interpreter());
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("images")
    void sectionsMatchReadelf(Target t, Variant v) throws IOException {
        check(t, v, (image, file, elf) -> {
            assertThat(elf.sections()).hasSize((int) image.shnum());
            assertSectionsMatchReadelf(elf, file);
            for (var e : v.hasSections() ? image.sections().entrySet() : Map.<String, ElfImage.Placed>of().entrySet()) {
                Section s = elf.sections().get(e.getValue().index());
                assertThat(s.name()).isEqualTo(e.getKey());
                assertThat(s.offset()).isEqualTo(e.getValue().offset());
                assertThat(s.type().value()).isEqualTo(e.getValue().type());
            }
            assertThat(elf.warnings()).isEmpty();
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("images")
    void dynamicTableMatchesBuilderAndReadelf(Target t, Variant v) throws IOException {
        check(t, v, (image, file, elf) -> {
            DynamicTable d = elf.dynamic().orElseThrow();
            List<ElfImage.DynEntry> built = image.dynamicEntries().subList(0, image.dynamicEntries().size() - 1);
            assertThat(d.entries()).hasSize(built.size());
            for (int i = 0; i < built.size(); i++) {
                assertThat(d.entries().get(i).tag().value()).isEqualTo(built.get(i).tag());
                assertThat(d.entries().get(i).value()).isEqualTo(built.get(i).value());
            }
            assertDynamicMatchesReadelf(d, file);
            assertThat(d.needed()).isEqualTo(image.needed());
            assertThat(d.soname()).contains(image.soname());
            assertThat(d.offset()).isEqualTo(image.section(".dynamic").offset());
        });
    }

    /** The section index a builder symbol must end up with, escapes resolved. */
    private static int expectedShndx(ElfImage image, Sym s) {
        return s.section() == null ? s.shndx() : image.section(s.section()).index();
    }

    private static void assertSymbols(ElfImage image, SymbolTable table, List<Sym> expected) {
        assertThat(table).hasSize(expected.size() + 1);
        assertThat(table.get(0)).isEqualTo(new Symbol(0, "", 0, 0, 0, 0, 0));
        for (int i = 0; i < expected.size(); i++) {
            Sym s = expected.get(i);
            assertThat(table.get(i + 1)).isEqualTo(new Symbol(i + 1, s.name(), s.value(), s.size(), s.info(),
                    s.other(), expectedShndx(image, s)));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("images")
    void symbolsMatchBuilderAndReadelf(Target t, Variant v) throws IOException {
        check(t, v, (image, file, elf) -> {
            SymbolTable dynamic = elf.dynamicSymbols().orElseThrow();
            if (v.hasSections()) {
                assertThat(dynamic.origin()).isEqualTo(SymbolTable.Origin.SECTION);
                assertSymbols(image, dynamic, image.dynamicSymbols());
                assertSameAsReadelf(elf, dynamic, Readelf.symbols(file, "'.dynsym'", "--dyn-syms", "-W"));
                SymbolTable statics = elf.staticSymbols().orElseThrow();
                assertSymbols(image, statics, image.staticSymbols());
                assertSameAsReadelf(elf, statics, Readelf.symbols(file, "'.symtab'", "-sW"));
            } else {
                assertThat(dynamic.origin()).isEqualTo(SymbolTable.Origin.DYNAMIC_TABLE);
                assertThat(elf.staticSymbols()).isEmpty();
                assertSameAsReadelf(elf, dynamic, Readelf.symbols(file, "for image", "-D", "-sW"));
            }
            assertThat(elf.warnings()).isEmpty();
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void dynamicSymbolsFromTheDynamicTableAloneEqualDynsym(Target t) throws IOException {
        for (HashStyle style : HashStyle.values()) {
            ElfImage withSections = ElfImageBuilder.typical(t.is64(), t.order(), t.machine()).hashStyle(style).build();
            ElfImage without = ElfImageBuilder.typical(t.is64(), t.order(), t.machine()).hashStyle(style)
                    .withoutSectionHeaders().build();
            try (ElfFile a = ElfFile.open(write(withSections)); ElfFile b = ElfFile.open(write(without))) {
                SymbolTable fromSection = a.dynamicSymbols().orElseThrow();
                SymbolTable fromDynamic = b.dynamicSymbols().orElseThrow();
                assertThat(fromDynamic.origin()).isEqualTo(SymbolTable.Origin.DYNAMIC_TABLE);
                assertThat(List.copyOf(fromDynamic)).as(style.name()).isEqualTo(List.copyOf(fromSection));
                assertThat(b.hashTable().orElseThrow().symbolCount()).isEqualTo(fromSection.size());
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("images")
    void versionsMatchBuilderAndReadelf(Target t, Variant v) throws IOException {
        check(t, v, (image, file, elf) -> {
            SymbolVersions versions = elf.versions();
            assertThat(versions.present()).isTrue();
            assertThat(versions.fromSections()).isEqualTo(v.hasSections());
            assertThat(versions.definitions()).hasSize(image.definitions().size());
            for (int i = 0; i < image.definitions().size(); i++) {
                VerDef built = image.definitions().get(i);
                SymbolVersions.Definition read = versions.definitions().get(i);
                List<String> names = new ArrayList<>(List.of(built.name()));
                names.addAll(built.parents());
                assertThat(read).isEqualTo(new SymbolVersions.Definition(built.index(), built.flags(),
                        ElfImageBuilder.elfHash(built.name()), names));
            }
            assertThat(versions.requirements()).hasSize(image.requirements().size());
            for (int i = 0; i < image.requirements().size(); i++) {
                VerNeed built = image.requirements().get(i);
                SymbolVersions.Requirement read = versions.requirements().get(i);
                assertThat(read.file()).isEqualTo(built.file());
                List<SymbolVersions.Needed> expected = new ArrayList<>();
                for (VerNeedAux aux : built.versions()) {
                    expected.add(new SymbolVersions.Needed(aux.name(), ElfImageBuilder.elfHash(aux.name()), aux.flags(),
                            aux.index()));
                }
                assertThat(read.versions()).isEqualTo(expected);
            }
            assertThat(versions.of(0)).contains(new SymbolVersions.Version(0, false, SymbolVersions.Kind.LOCAL, "",
                    null));
            for (Sym s : image.dynamicSymbols()) {
                assertThat(versions.of(image.dynamicSymbolIndex(s))).as(s.name())
                        .contains(expectedVersion(image, s));
            }
            if (v.hasSections()) {
                assertSameAsReadelf(versions, elf.dynamicSymbols().orElseThrow().size(), Readelf.versions(file));
            }
            assertThat(elf.warnings()).isEmpty();
        });
    }

    private static SymbolVersions.Version expectedVersion(ElfImage image, Sym s) {
        int index = s.version();
        if (index == 0) {
            return new SymbolVersions.Version(0, s.hidden(), SymbolVersions.Kind.LOCAL, "", null);
        }
        for (VerDef d : image.definitions()) {
            if (d.index() == index) {
                SymbolVersions.Kind kind = (d.flags() & ElfImageBuilder.VER_FLG_BASE) != 0
                        ? SymbolVersions.Kind.GLOBAL : SymbolVersions.Kind.DEFINED;
                return new SymbolVersions.Version(index, s.hidden(), kind, d.name(), null);
            }
        }
        for (VerNeed n : image.requirements()) {
            for (VerNeedAux aux : n.versions()) {
                if (aux.index() == index) {
                    return new SymbolVersions.Version(index, s.hidden(), SymbolVersions.Kind.NEEDED, aux.name(),
                            n.file());
                }
            }
        }
        throw new IllegalArgumentException("the builder gave " + s + " an unknown version");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void hashLookupFindsEverySymbol(Target t) throws IOException {
        // Several bucket counts, so that chains of every length and empty buckets occur.
        for (HashStyle style : List.of(HashStyle.SYSV, HashStyle.GNU)) {
            for (int buckets : new int[] {1, 2, 3, 7, 64}) {
                ElfImage image = ElfImageBuilder.typical(t.is64(), t.order(), t.machine()).hashStyle(style)
                        .sysvBuckets(buckets).gnuBuckets(buckets).build();
                try (ElfFile elf = ElfFile.open(write(image))) {
                    HashTable hash = elf.hashTable().orElseThrow();
                    assertThat(hash).isInstanceOf(style == HashStyle.SYSV ? SysvHashTable.class : GnuHashTable.class);
                    if (hash instanceof SysvHashTable sysv) {
                        assertThat(sysv.wordSize()).isEqualTo(t.is64() && (t.machine() == ElfImageBuilder.EM_S390
                                || t.machine() == ElfImageBuilder.EM_ALPHA) ? 8 : 4);
                    }
                    SymbolTable symbols = elf.dynamicSymbols().orElseThrow();
                    assertThat(hash.symbolCount()).isEqualTo(symbols.size());
                    for (Sym s : image.dynamicSymbols()) {
                        OptionalInt found = hash.lookup(s.name(), symbols);
                        String what = style + "/" + buckets + " " + s.name();
                        if (s.undefined()) {
                            // An undefined symbol is no answer, as for the loader (and .gnu.hash omits them).
                            assertThat(found).as(what).isEmpty();
                            continue;
                        }
                        assertThat(found).as(what).isPresent();
                        assertThat(symbols.get(found.getAsInt()).name()).as(what).isEqualTo(s.name());
                        if (image.dynamicSymbols().stream().filter(x -> x.name().equals(s.name())).count() == 1) {
                            assertThat(found.getAsInt()).as(what).isEqualTo(image.dynamicSymbolIndex(s));
                        }
                    }
                    assertThat(hash.lookup("not_a_symbol", symbols)).isEmpty();
                    assertThat(hash.lookup("", symbols)).isEmpty();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("images")
    void notesMatchBuilderAndReadelf(Target t, Variant v) throws IOException {
        check(t, v, (image, file, elf) -> {
            List<Note> notes = elf.notes();
            assertThat(notes).extracting(Note::owner).containsExactly("GNU", "GNU", "Linux");
            Note buildId = notes.get(0);
            assertThat(buildId.isBuildId()).isTrue();
            assertThat(dev.vdsoscope.elf.BuildId.of(buildId).map(dev.vdsoscope.elf.BuildId::hex)).contains(HexFormat.of().formatHex(image.buildId()));
            Note abi = notes.get(1);
            assertThat(abi.type()).isEqualTo(Note.NT_GNU_ABI_TAG);
            assertThat(abi.describe(elf.header())).isEqualTo("OS: Linux, ABI: " + image.abiTag()[1] + "."
                    + image.abiTag()[2] + "." + image.abiTag()[3]);
            Note linux = notes.get(2);
            assertThat(linux.type()).isEqualTo(Note.LINUX_VERSION_CODE);
            assertThat(linux.descSize()).isEqualTo(4);
            assertThat(elf.input().u32(linux.descOffset())).isEqualTo((long) image.linuxVersionCode());
            if (v.hasSections()) {
                assertSameAsReadelf(elf, notes, Readelf.notes(file));
            }
        });
    }

    /** NT_GNU_PROPERTY_TYPE_0, word-aligned: x86 IBT/SHSTK and ISA level, AArch64 BTI/PAC, both byte orders. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("propertyTargets")
    void gnuPropertiesMatchReadelf(Target t) throws IOException {
        boolean x86 = t.machine() != ElfImageBuilder.EM_AARCH64;
        for (boolean sections : List.of(true, false)) {
            ElfImageBuilder builder = ElfImageBuilder.typical(t.is64(), t.order(), t.machine());
            if (x86) {
                builder.gnuProperty(ElfImageBuilder.GNU_PROPERTY_X86_FEATURE_1_AND, 3)
                        .gnuProperty(ElfImageBuilder.GNU_PROPERTY_X86_ISA_1_NEEDED, 1);
            } else {
                builder.gnuProperty(ElfImageBuilder.GNU_PROPERTY_AARCH64_FEATURE_1_AND, 3);
            }
            Path file = write((sections ? builder : builder.withoutSectionHeaders()).build());
            List<Readelf.NoteRow> rows = Readelf.notes(file);
            try (ElfFile elf = ElfFile.open(file)) {
                List<Note> notes = elf.notes();
                assertThat(notes).extracting(Note::owner).containsExactly("GNU", "GNU", "GNU", "Linux");
                assertSameAsReadelf(elf, notes, rows);
                // readelf joins the properties with ", ", this reader with "; ".
                assertThat("P" + notes.getFirst().describe(elf.header()).substring(1).replace("; ", ", "))
                        .isEqualTo(rows.getFirst().description().substring(rows.getFirst().description()
                                .indexOf("Properties: ")));
                assertThat(elf.warnings()).isEmpty();
            }
        }
    }

    static Stream<Target> propertyTargets() {
        return Stream.of(new Target(true, ByteOrder.LITTLE_ENDIAN, ElfImageBuilder.EM_X86_64, "x86-64"),
                new Target(false, ByteOrder.LITTLE_ENDIAN, ElfImageBuilder.EM_386, "i386"),
                new Target(false, ByteOrder.LITTLE_ENDIAN, ElfImageBuilder.EM_X86_64, "x32"),
                new Target(true, ByteOrder.LITTLE_ENDIAN, ElfImageBuilder.EM_AARCH64, "AArch64"),
                new Target(true, ByteOrder.BIG_ENDIAN, ElfImageBuilder.EM_AARCH64, "AArch64 big-endian"));
    }

    /** Addresses with the top bit set, as images linked into the kernel's half of the address space. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void highLoadAddresses(Target t) throws IOException {
        long base = t.is64() ? 0xffffffffff700000L : 0xc0000000L;
        ElfImage image = ElfImageBuilder.typical(t.is64(), t.order(), t.machine()).loadBase(base)
                .withoutSectionHeaders().build();
        Path file = write(image);
        try (ElfFile elf = ElfFile.open(file)) {
            assertThat(elf.segments().get(1).vaddr()).isEqualTo(base);
            assertThat(elf.offsetOf(image.section(".dynsym").address(), "test")).isEqualTo(
                    image.section(".dynsym").offset());
            SymbolTable symbols = elf.dynamicSymbols().orElseThrow();
            assertSameAsReadelf(elf, symbols, Readelf.symbols(file, "for image", "-D", "-sW"));
            assertThat(elf.versions().definitions()).hasSize(image.definitions().size());
            for (Sym s : image.dynamicSymbols()) {
                assertThat(elf.versions().of(image.dynamicSymbolIndex(s))).contains(expectedVersion(image, s));
            }
            assertThat(elf.hashTable().orElseThrow().lookup("test_close", symbols)).isPresent();
            assertThat(elf.notes()).hasSize(3);
            assertThat(elf.warnings()).isEmpty();
        }
    }

    /** e_shstrndx == SHN_UNDEF is the gABI's way to say there are no section names: not a corruption. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void noSectionNameTable(Target t) throws IOException {
        ElfImage image = ElfImageBuilder.typical(t.is64(), t.order(), t.machine()).build().header("e_shstrndx", 0);
        try (ElfFile elf = ElfFile.open(write(image))) {
            assertThat(elf.sections()).hasSize((int) image.shnum()).allMatch(s -> s.name().isEmpty());
            assertThat(elf.sections().get(image.section(".dynsym").index()).type()).isEqualTo(SectionType.SHT_DYNSYM);
            assertThat(elf.dynamicSymbols().orElseThrow()).hasSize(image.dynamicSymbols().size() + 1);
            assertThat(elf.warnings()).isEmpty();
        }
    }

    /** What is absent must read as absent: no versions, notes, interpreter; a hash with nothing hashed. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void minimalImagesWithoutSectionHeaders(Target t) throws IOException {
        for (HashStyle style : List.of(HashStyle.SYSV, HashStyle.GNU)) {
            ElfImage onlyUndefined = ElfImageBuilder.of(t.is64(), t.order(), t.machine()).hashStyle(style)
                    .needed("libc.so.6").withoutSectionHeaders()
                    .dynamicSymbol(new Sym("puts", 0, 0, ElfImageBuilder.STT_FUNC, ElfImageBuilder.STB_GLOBAL,
                            ElfImageBuilder.STV_DEFAULT, null, ElfImageBuilder.SHN_UNDEF, 0, false))
                    .build();
            ElfImage empty = ElfImageBuilder.of(t.is64(), t.order(), t.machine()).hashStyle(style)
                    .withoutSectionHeaders().build();
            for (ElfImage image : List.of(onlyUndefined, empty)) {
                try (ElfFile elf = ElfFile.open(write(image))) {
                    SymbolTable symbols = elf.dynamicSymbols().orElseThrow();
                    assertThat(symbols).hasSize(image.dynamicSymbols().size() + 1);
                    assertThat(symbols.stream().skip(1).map(Symbol::name).toList())
                            .isEqualTo(image.dynamicSymbols().stream().map(Sym::name).toList());
                    assertThat(elf.versions().present()).isFalse();
                    assertThat(elf.versions().of(1)).isEmpty();
                    assertThat(elf.notes()).isEmpty();
                    assertThat(elf.interpreter()).isEmpty();
                    assertThat(elf.staticSymbols()).isEmpty();
                    assertThat(elf.hashTable().orElseThrow().symbolCount()).isEqualTo(symbols.size());
                    assertThat(elf.hashTable().orElseThrow().lookup("printf", symbols)).isEmpty();
                    assertThat(elf.warnings()).isEmpty();
                }
            }
        }
    }

    /** More than SHN_LORESERVE sections: the escapes are needed, not just used. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void extendedSectionNumberingForReal(Target t) throws IOException {
        int fillers = 0xff10;
        String far = ".x" + (fillers - 3);
        ElfImage image = ElfImageBuilder.typical(t.is64(), t.order(), t.machine()).fillerSections(fillers)
                .staticSymbol(new Sym("far_away", 8, 4, ElfImageBuilder.STT_OBJECT, ElfImageBuilder.STB_GLOBAL,
                        ElfImageBuilder.STV_DEFAULT, far, 0, 0, false))
                .dynamicSymbol(new Sym("far_dynamic", 16, 4, ElfImageBuilder.STT_OBJECT, ElfImageBuilder.STB_GLOBAL,
                        ElfImageBuilder.STV_DEFAULT, far, 0, 1, false))
                .build();
        Path file = write(image);
        Map<String, String> header = Readelf.header(file);
        try (ElfFile elf = ElfFile.open(file)) {
            ElfHeader h = elf.header();
            assertThat(h.eShnum()).isZero();
            assertThat(h.eShstrndx()).isEqualTo(SectionIndex.SHN_XINDEX);
            assertThat(h.shnum()).isEqualTo(image.shnum()).isEqualTo(Readelf.headerNumber(header,
                    "Number of section headers"));
            assertThat(h.shstrndx()).isEqualTo(image.section(".shstrtab").index());
            assertSectionsMatchReadelf(elf, file);
            Optional<Symbol> farAway = elf.staticSymbols().orElseThrow().find("far_away");
            assertThat(farAway).map(Symbol::shndx).contains(image.section(far).index());
            assertSameAsReadelf(elf, elf.staticSymbols().orElseThrow(), Readelf.symbols(file, "'.symtab'", "-sW"));
            assertThat(elf.dynamicSymbols().orElseThrow().find("far_dynamic")).map(Symbol::shndx)
                    .contains(image.section(far).index());
            assertThat(elf.warnings()).isEmpty();
        }
    }

    /** PN_XNUM program headers and more. (Apart from the many sections: readelf -l is quadratic in both.) */
    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void extendedSegmentNumberingForReal(Target t) throws IOException {
        ElfImage image = ElfImageBuilder.typical(t.is64(), t.order(), t.machine()).fillerSegments(0xffff).build();
        Path file = write(image);
        Map<String, String> header = Readelf.header(file);
        try (ElfFile elf = ElfFile.open(file)) {
            assertThat(elf.header().ePhnum()).isEqualTo(SectionIndex.PN_XNUM);
            assertThat(elf.header().phnum()).isEqualTo(image.phnum()).isEqualTo(Readelf.headerNumber(header,
                    "Number of program headers"));
            assertSegmentsMatchReadelf(elf, file);
            assertThat(elf.dynamicSymbols().orElseThrow().size()).isEqualTo(image.dynamicSymbols().size() + 1);
            assertThat(elf.warnings()).isEmpty();
        }
    }
}
