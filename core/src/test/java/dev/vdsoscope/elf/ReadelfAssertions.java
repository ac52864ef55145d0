package dev.vdsoscope.elf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import dev.vdsoscope.elf.testing.Readelf;

/** Comparisons of the reader's views with what readelf prints for the same file. */
final class ReadelfAssertions {
    private ReadelfAssertions() {}

    /** Tags and values in order; readelf also lists the closing DT_NULL, which the reader stops at. */
    static void assertDynamicMatchesReadelf(DynamicTable d, Path file) {
        List<Readelf.DynamicRow> rows = Readelf.dynamic(file);
        assertThat(rows.getLast().tag()).isZero();
        assertThat(d.entries()).hasSize(rows.size() - 1);
        for (int i = 0; i < d.entries().size(); i++) {
            DynamicEntry e = d.entries().get(i);
            Readelf.DynamicRow row = rows.get(i);
            assertThat(e.tag().value()).isEqualTo(row.tag());
            if (row.string() != null) {
                assertThat(d.string(e.value())).isEqualTo(row.string());
            } else if (Readelf.number(row) != null) {
                assertThat(e.value()).isEqualTo(Readelf.number(row));
            }
        }
    }

    static void assertSegmentsMatchReadelf(ElfFile elf, Path file) {
        List<Readelf.SegmentRow> expected = Readelf.segments(file);
        assertThat(elf.segments().size()).isEqualTo(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertSameSegment(elf.segments().get(i), expected.get(i));
        }
    }

    static void assertSectionsMatchReadelf(ElfFile elf, Path file) {
        List<Readelf.SectionRow> expected = Readelf.sections(file);
        assertThat(elf.sections().size()).isEqualTo(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertSameSection(elf.sections().get(i), expected.get(i));
        }
    }

    static void assertSameSegment(ProgramHeader p, Readelf.SegmentRow row) {
        assertThat(p.type().value()).as("type of %s", p).isEqualTo(Readelf.SEGMENT_TYPES.get(row.type()));
        assertThat(List.of(p.offset(), p.vaddr(), p.paddr(), p.filesz(), p.memsz(), p.align()))
                .as("segment %d", p.index())
                .isEqualTo(List.of(row.offset(), row.vaddr(), row.paddr(), row.filesz(), row.memsz(), row.align()));
        assertThat(p.flagString()).isEqualTo(row.flags());
    }

    static void assertSameSection(Section s, Readelf.SectionRow row) {
        assertThat(s.index()).isEqualTo(row.index());
        assertThat(s.name()).isEqualTo(row.name());
        assertThat(s.type().value()).as("type of %s (readelf: %s)", s.name(), row.type())
                .isEqualTo(Readelf.SECTION_TYPES.get(row.type()));
        assertThat(List.of(s.addr(), s.offset(), s.size(), s.entsize(), s.link(), s.info(), s.addralign()))
                .as("section %s", s.name())
                .isEqualTo(List.of(row.address(), row.offset(), row.size(), row.entsize(), row.link(), row.info(),
                        row.align()));
        assertThat(s.flagString()).as("flags of %s", s.name()).isEqualTo(row.flags());
    }

    static void assertSameAsReadelf(ElfFile elf, SymbolTable table, List<Readelf.SymbolRow> rows) {
        assertThat(table).hasSize(rows.size());
        for (Readelf.SymbolRow row : rows) {
            Symbol s = table.get(row.index());
            // readelf names an unnamed section symbol after its section.
            boolean sectionSymbol = s.type().equals(SymbolType.STT_SECTION) && s.name().isEmpty();
            assertThat(sectionSymbol ? elf.sections().get(s.shndx()).name() : s.name()).isEqualTo(row.name());
            assertThat(s.value()).isEqualTo(row.value());
            assertThat(s.size()).isEqualTo(row.size());
            assertThat(s.type().shortName()).isEqualTo(row.type());
            assertThat(s.binding().shortName()).isEqualTo(row.bind());
            assertThat(s.visibility().name()).isEqualTo("STV_" + row.visibility());
            String ndx = switch (s.shndx()) {
                case SectionIndex.SHN_UNDEF -> "UND";
                case SectionIndex.SHN_ABS -> "ABS";
                default -> Integer.toString(s.shndx());
            };
            assertThat(ndx).as("section of %s", s.name()).isEqualTo(row.ndx());
        }
    }

    static void assertSameAsReadelf(SymbolVersions versions, int symbolCount, Readelf.Versions readelf) {
        assertThat(readelf.versym()).hasSize(symbolCount);
        for (int i = 0; i < symbolCount; i++) {
            Readelf.VersymRow row = readelf.versym().get(i);
            SymbolVersions.Version read = versions.of(i).orElseThrow();
            assertThat(read.index()).isEqualTo(row.index());
            assertThat(read.hidden()).isEqualTo(row.hidden());
            String name = switch (read.kind()) {
                case LOCAL -> "*local*";
                case GLOBAL -> "*global*";
                default -> read.name();
            };
            assertThat(name).as("version of symbol %d", i).isEqualTo(row.name());
        }
        assertThat(versions.definitions()).hasSize(readelf.definitions().size());
        for (int i = 0; i < readelf.definitions().size(); i++) {
            Readelf.VerdefRow row = readelf.definitions().get(i);
            SymbolVersions.Definition read = versions.definitions().get(i);
            assertThat(read.index()).isEqualTo(row.index());
            assertThat(read.isBase()).isEqualTo(row.flagsBase() == 1);
            assertThat((read.flags() & SymbolVersions.VER_FLG_WEAK) != 0).isEqualTo(row.weak());
            assertThat(read.names()).hasSize(row.count()).isEqualTo(row.names());
        }
        assertThat(versions.requirements()).hasSize(readelf.requirements().size());
        for (int i = 0; i < readelf.requirements().size(); i++) {
            Readelf.VerneedRow row = readelf.requirements().get(i);
            SymbolVersions.Requirement read = versions.requirements().get(i);
            assertThat(read.file()).isEqualTo(row.file());
            assertThat(read.versions()).hasSize(row.versions().size());
            for (int j = 0; j < row.versions().size(); j++) {
                SymbolVersions.Needed n = read.versions().get(j);
                assertThat(n.name()).isEqualTo(row.versions().get(j).name());
                assertThat(n.index()).isEqualTo(row.versions().get(j).index());
                assertThat((n.flags() & SymbolVersions.VER_FLG_WEAK) != 0).isEqualTo(row.versions().get(j).weak());
            }
        }
    }

    static void assertSameAsReadelf(ElfFile elf, List<Note> notes, List<Readelf.NoteRow> rows) {
        assertThat(notes).hasSize(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Note n = notes.get(i);
            Readelf.NoteRow row = rows.get(i);
            assertThat(n.owner()).isEqualTo(row.owner());
            assertThat(n.descSize()).isEqualTo(row.size());
            assertThat(BuildId.of(n).map(BuildId::hex).orElse(null)).isEqualTo(row.buildId());
            if (row.data() != null) {
                assertThat(n.descriptor().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(row.data());
            }
            if (row.description().contains("OS: ")) {
                assertThat(row.description()).endsWith(n.describe(elf.header()));
            }
        }
    }
}
