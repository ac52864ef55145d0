package dev.vdsoscope.elf;

import static dev.vdsoscope.elf.ReadelfAssertions.assertDynamicMatchesReadelf;
import static dev.vdsoscope.elf.ReadelfAssertions.assertSameAsReadelf;
import static dev.vdsoscope.elf.ReadelfAssertions.assertSectionsMatchReadelf;
import static dev.vdsoscope.elf.ReadelfAssertions.assertSegmentsMatchReadelf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.vdsoscope.elf.testing.ElfViews;
import dev.vdsoscope.elf.testing.Fixtures;
import dev.vdsoscope.elf.testing.Readelf;

/** The real vDSO images, read by the library and by readelf. */
class FixtureTest {
    static List<Path> fixtures() {
        return Fixtures.vdsoImages();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void headersSectionsAndSegmentsMatchReadelf(Path fixture) throws IOException {
        assumeTrue(Readelf.available());
        Map<String, String> header = Readelf.header(fixture);
        try (ElfFile elf = ElfFile.open(fixture)) {
            ElfHeader h = elf.header();
            assertThat(h.machine().description()).isEqualTo(header.get("Machine"));
            assertThat(h.entry()).isEqualTo(Readelf.headerNumber(header, "Entry point address"));
            assertThat(h.phoff()).isEqualTo(Readelf.headerNumber(header, "Start of program headers"));
            assertThat(h.shoff()).isEqualTo(Readelf.headerNumber(header, "Start of section headers"));
            assertThat(h.flags()).isEqualTo(Readelf.headerNumber(header, "Flags"));
            assertThat(h.phnum()).isEqualTo(Readelf.headerNumber(header, "Number of program headers"));
            assertThat(h.shnum()).isEqualTo(Readelf.headerNumber(header, "Number of section headers"));
            assertThat(h.shstrndx()).isEqualTo(Readelf.headerNumber(header, "Section header string table index"));
            assertSectionsMatchReadelf(elf, fixture);
            assertSegmentsMatchReadelf(elf, fixture);
            assertThat(elf.warnings()).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void dynamicTableMatchesReadelf(Path fixture) throws IOException {
        assumeTrue(Readelf.available());
        List<Readelf.DynamicRow> rows = Readelf.dynamic(fixture);
        try (ElfFile elf = ElfFile.open(fixture)) {
            DynamicTable d = elf.dynamic().orElseThrow();
            assertDynamicMatchesReadelf(d, fixture);
            String soname = rows.stream().filter(r -> r.tag() == DynamicTag.DT_SONAME.value()).findFirst()
                    .orElseThrow().string();
            assertThat(d.soname()).contains(soname);
            assertThat(d.needed()).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void symbolsMatchReadelf(Path fixture) throws IOException {
        assumeTrue(Readelf.available());
        try (ElfFile elf = ElfFile.open(fixture)) {
            assertSameAsReadelf(elf, elf.dynamicSymbols().orElseThrow(),
                    Readelf.symbols(fixture, "'.dynsym'", "--dyn-syms", "-W"));
            List<Readelf.SymbolRow> statics = Readelf.symbols(fixture, "'.symtab'", "-sW");
            if (statics.isEmpty()) {
                assertThat(elf.staticSymbols()).isEmpty();
            } else {
                assertSameAsReadelf(elf, elf.staticSymbols().orElseThrow(), statics);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void versionsMatchReadelf(Path fixture) throws IOException {
        assumeTrue(Readelf.available());
        try (ElfFile elf = ElfFile.open(fixture)) {
            assertSameAsReadelf(elf.versions(), elf.dynamicSymbols().orElseThrow().size(), Readelf.versions(fixture));
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void notesMatchReadelf(Path fixture) throws IOException {
        assumeTrue(Readelf.available());
        try (ElfFile elf = ElfFile.open(fixture)) {
            List<Readelf.NoteRow> rows = Readelf.notes(fixture);
            assertSameAsReadelf(elf, elf.notes(), rows);
            assertThat(rows).anyMatch(r -> r.buildId() != null);
        }
    }

    /** Both of ld's hash tables, each on its own: every defined symbol, and a name that is not there. */
    @ParameterizedTest
    @MethodSource("fixtures")
    void bothHashTablesFindEveryDefinedSymbol(Path fixture) throws IOException {
        try (ElfFile elf = ElfFile.open(fixture)) {
            SymbolTable symbols = elf.dynamicSymbols().orElseThrow();
            List<HashTable> tables = List.of(new SysvHashTable(elf, elf.section(".hash").orElseThrow().offset()),
                    new GnuHashTable(elf, elf.section(".gnu.hash").orElseThrow().offset()));
            for (HashTable table : tables) {
                assertThat(table.symbolCount()).isEqualTo(symbols.size());
                for (int i = 1; i < symbols.size(); i++) {
                    Symbol s = symbols.get(i);
                    OptionalInt found = table.lookup(s.name(), symbols);
                    assertThat(found).as("%s in %s", s.name(), table.getClass().getSimpleName()).isPresent();
                    assertThat(symbols.get(found.getAsInt()).name()).isEqualTo(s.name());
                    String name = s.name();
                    if (symbols.stream().filter(x -> x.name().equals(name)).count() == 1) {
                        assertThat(found.getAsInt()).isEqualTo(i);
                    }
                }
                assertThat(table.lookup("__vdso_no_such_call", symbols)).isEmpty();
            }
        }
    }

    /** A mapped file and a copy in native memory go through the same code and must read the same. */
    @ParameterizedTest
    @MethodSource("fixtures")
    void mappedFileAndNativeMemoryGiveIdenticalViews(Path fixture) throws IOException {
        String mapped;
        try (ElfFile elf = ElfFile.open(fixture)) {
            mapped = ElfViews.snapshot(elf);
        }
        try (Arena arena = Arena.ofConfined()) {
            byte[] bytes = Fixtures.read(fixture);
            MemorySegment memory = arena.allocate(bytes.length, 16);
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, memory, 0, bytes.length);
            assertThat(ElfViews.snapshot(ElfFile.of("[vdso]", memory))).isEqualTo(mapped);
        }
        assertThat(mapped).doesNotContain(": !").contains("SECTION", "warnings: []");
    }

    /** Without section headers the dynamic symbols come from DT_SYMTAB and the hash table: same list. */
    @ParameterizedTest
    @MethodSource("fixtures")
    void dynamicTableAloneGivesTheSameDynamicSymbolsAndVersions(Path fixture) throws IOException {
        byte[] stripped = withoutSectionHeaders(Fixtures.read(fixture));
        try (ElfFile elf = ElfFile.open(fixture); Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(stripped.length);
            MemorySegment.copy(MemorySegment.ofArray(stripped), 0, memory, 0, stripped.length);
            ElfFile bare = ElfFile.of("stripped", memory);
            assertThat(bare.sections()).isEmpty();
            SymbolTable fromDynamic = bare.dynamicSymbols().orElseThrow();
            assertThat(fromDynamic.origin()).isEqualTo(SymbolTable.Origin.DYNAMIC_TABLE);
            assertThat(List.copyOf(fromDynamic)).isEqualTo(List.copyOf(elf.dynamicSymbols().orElseThrow()));
            assertThat(bare.versions().fromSections()).isFalse();
            assertThat(bare.versions().definitions()).isEqualTo(elf.versions().definitions());
            for (int i = 0; i < fromDynamic.size(); i++) {
                assertThat(bare.versions().of(i)).isEqualTo(elf.versions().of(i));
            }
            assertThat(bare.warnings()).isEmpty();
        }
    }

    /** Sets e_shoff, e_shnum and e_shstrndx to 0, as strip tools that drop the section table do. */
    static byte[] withoutSectionHeaders(byte[] image) {
        byte[] copy = image.clone();
        boolean is64 = copy[4] == 2;
        ByteBuffer b = ByteBuffer.wrap(copy).order(copy[5] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        if (is64) {
            b.putLong(40, 0).putShort(60, (short) 0).putShort(62, (short) 0);
        } else {
            b.putInt(32, 0).putShort(48, (short) 0).putShort(50, (short) 0);
        }
        return copy;
    }
}
