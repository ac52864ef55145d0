package dev.vdsoscope.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.vdsoscope.elf.BuiltImageTest.Target;
import dev.vdsoscope.elf.testing.ElfImage;
import dev.vdsoscope.elf.testing.ElfImageBuilder;
import dev.vdsoscope.elf.testing.ElfImageBuilder.HashStyle;
import dev.vdsoscope.elf.testing.ElfViews;

/**
 * Malformed images, each damaged in one known way. Every one must give a correct partial answer with
 * a warning, or an {@link ElfFormatException} that points at the damage; quickly, and with no other
 * exception from any view.
 */
class HostileInputTest {
    private static final String COMBINATIONS = "dev.vdsoscope.elf.BuiltImageTest#combinations";

    private static ElfImage typical(Target t) {
        return typical(t, b -> b);
    }

    private static ElfImage typical(Target t, UnaryOperator<ElfImageBuilder> options) {
        return options.apply(ElfImageBuilder.typical(t.is64(), t.order(), t.machine())).build();
    }

    /** Runs the checks, then reads every view; a hang, or any exception but ElfFormatException, fails. */
    private static void survives(ElfImage image, Consumer<ElfFile> checks) {
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            checks.accept(ElfFile.of("hostile", MemorySegment.ofArray(image.bytes())));
            ElfViews.snapshot(ElfFile.of("hostile", MemorySegment.ofArray(image.bytes())));
        }, "hang detector");
    }

    private static void failsAt(ThrowingCallable view, long offset) {
        assertThatThrownBy(view).isInstanceOfSatisfying(ElfFormatException.class,
                e -> assertThat(e.offset()).as(e.getMessage()).isEqualTo(offset));
    }

    private static void warnsAbout(ElfFile elf, String problem) {
        assertThat(elf.warnings()).anyMatch(w -> w.contains(problem));
    }

    private static long end(ElfImage.Placed section) {
        return section.offset() + section.size();
    }

    // --- strings --------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource(COMBINATIONS)
    void stringTablesWithoutTheirLastNul(Target t) {
        ElfImage image = typical(t);
        // The last string of each table: a needed version, a static symbol, a section name.
        image.put8(end(image.section(".dynstr")) - 1, 'X');
        image.put8(end(image.section(".strtab")) - 1, 'X');
        image.put8(end(image.section(".shstrtab")) - 1, 'X');
        survives(image, elf -> {
            assertThat(elf.sections().get(image.section(".shstrtab").index()).name()).isEmpty();
            assertThat(elf.sections().get(image.section(".dynsym").index()).name()).isEqualTo(".dynsym");
            SymbolTable statics = elf.staticSymbols().orElseThrow();
            assertThat(statics.get(statics.size() - 1).name()).isEqualTo("<corrupt>");
            assertThat(statics.get(1).name()).isEqualTo("test.c");
            assertThat(elf.versions().requirements().getLast().versions().getLast().name()).isEqualTo("<corrupt>");
            assertThat(elf.versions().requirements().getFirst().file()).isEqualTo("libc.so.6");
            warnsAbout(elf, "not NUL-terminated");
        });
    }

    @ParameterizedTest
    @MethodSource(COMBINATIONS)
    void namesPointingOutsideTheirTables(Target t) {
        ElfImage image = typical(t);
        image.put32(image.dynamicSymbolOffset(1), 0x7fffffff);
        image.sectionHeader(".text", "sh_name", 0xffffff00L);
        long verdef = image.section(".gnu.version_d").offset();
        image.put32(verdef + 28 + 20, 0x10000); // vda_name of the second definition
        long verneed = image.section(".gnu.version_r").offset();
        image.put32(verneed + 4, image.section(".dynstr").size()); // vn_file: one past the table
        survives(image, elf -> {
            assertThat(elf.dynamicSymbols().orElseThrow().get(1).name()).isEqualTo("<corrupt>");
            assertThat(elf.dynamicSymbols().orElseThrow().get(2).name()).isNotEqualTo("<corrupt>");
            assertThat(elf.sections().get(image.section(".text").index()).name()).isEmpty();
            assertThat(elf.versions().definitions().get(1).name()).isEqualTo("<corrupt>");
            assertThat(elf.versions().requirements().getFirst().file()).isEqualTo("<corrupt>");
            assertThat(elf.versions().requirements().getFirst().versions()).hasSize(2);
            warnsAbout(elf, "outside its table");
        });
    }

    @ParameterizedTest
    @MethodSource(COMBINATIONS)
    void dynamicStringOffsetPastTheTable(Target t) {
        ElfImage image = typical(t).dynamic(ElfImageBuilder.DT_SONAME, 0x7ffffff0L);
        survives(image, elf -> {
            DynamicTable d = elf.dynamic().orElseThrow();
            assertThatThrownBy(d::soname).isInstanceOf(ElfFormatException.class);
            assertThat(d.needed()).containsExactly("libc.so.6", "libm.so.6");
        });
    }

    // --- versions -------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource(COMBINATIONS)
    void versionIndexPastEveryDefinitionAndRequirement(Target t) {
        ElfImage image = typical(t);
        image.put16(image.section(".gnu.version").offset() + 2, 0x7ff0);
        survives(image, elf -> {
            assertThat(elf.versions().of(1)).map(SymbolVersions.Version::kind).contains(SymbolVersions.Kind.UNKNOWN);
            assertThat(elf.versions().of(2)).map(SymbolVersions.Version::kind).isNotEqualTo(
                    java.util.Optional.of(SymbolVersions.Kind.UNKNOWN));
            warnsAbout(elf, "0x7ff0");
        });
    }

    @ParameterizedTest
    @MethodSource(COMBINATIONS)
    void versionChainsPointingBack(Target t) {
        ElfImage image = typical(t);
        long verdef = image.section(".gnu.version_d").offset();
        image.put32(verdef + 28 + 16, -28); // the second definition's vd_next: back to the first
        long verneed = image.section(".gnu.version_r").offset();
        image.put32(verneed + 12, -16); // the first requirement's vn_next: before itself
        survives(image, elf -> {
            assertThat(elf.versions().definitions()).extracting(SymbolVersions.Definition::name)
                    .containsExactly("libtest.so.1", "TEST_1.0");
            assertThat(elf.versions().requirements()).extracting(SymbolVersions.Requirement::file)
                    .containsExactly("libc.so.6");
            warnsAbout(elf, "version definition chain");
            warnsAbout(elf, "version requirement chain");
        });
    }

    @ParameterizedTest
    @MethodSource(COMBINATIONS)
    void versionAuxiliaryChainPointingBack(Target t) {
        ElfImage image = typical(t);
        long third = image.section(".gnu.version_d").offset() + 56;
        image.put32(third + 20 + 4, -8); // vda_next of TEST_2.0's own name: back onto itself
        survives(image, elf -> {
            assertThat(elf.versions().definitions().get(2).names()).containsExactly("TEST_2.0");
            warnsAbout(elf, "version definition name entry");
        });
    }

    @ParameterizedTest
    @MethodSource(COMBINATIONS)
    void hugeVersionCountsFromTheDynamicTable(Target t) {
        ElfImage image = typical(t, ElfImageBuilder::withoutSectionHeaders)
                .dynamic(ElfImageBuilder.DT_VERDEFNUM, 0xffffffffL)
                .dynamic(ElfImageBuilder.DT_VERNEEDNUM, 0xffffffffL);
        survives(image, elf -> {
            assertThat(elf.versions().definitions()).hasSize(3);
            assertThat(elf.versions().requirements()).hasSize(2);
        });
    }

    // --- hash tables ----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource(COMBINATIONS)
    void sysvHashChainThatLoops(Target t) {
        ElfImage image = typical(t, b -> b.hashStyle(HashStyle.SYSV).sysvBuckets(1));
        int word = t.is64() && t.machine() == ElfImageBuilder.EM_S390 ? 8 : 4;
        long hash = image.section(".hash").offset();
        int symbols = image.dynamicSymbols().size() + 1;
        // One bucket: the chain runs from the last symbol down to 1; make 1 lead back to the last.
        long chainOfOne = hash + (long) word * (2 + 1 + 1);
        if (word == 8) {
            image.put64(chainOfOne, symbols - 1);
        } else {
            image.put32(chainOfOne, symbols - 1);
        }
        survives(image, elf -> {
            HashTable table = elf.hashTable().orElseThrow();
            SymbolTable dynsym = elf.dynamicSymbols().orElseThrow();
            assertThat(table.lookup("no_such_symbol", dynsym)).isEmpty();
            ElfImageBuilder.Sym defined = image.dynamicSymbols().stream().filter(s -> s.name().equals("test_close"))
                    .findFirst().orElseThrow();
            assertThat(table.lookup("test_close", dynsym)).hasValue(image.dynamicSymbolIndex(defined));
            warnsAbout(elf, "loops");
        });
    }

    @ParameterizedTest
    @MethodSource(COMBINATIONS)
    void hashWordsWithTheTopBitSet(Target t) {
        ElfImage image = typical(t, b -> b.hashStyle(HashStyle.SYSV).sysvBuckets(1));
        long hash = image.section(".hash").offset();
        boolean wide = t.is64() && t.machine() == ElfImageBuilder.EM_S390;
        // The only bucket's first symbol, as an unsigned word that a signed long sees as negative.
        if (wide) {
            image.put64(hash + 16, -2);
        } else {
            image.put32(hash + 8, -2);
        }
        survives(image, elf -> assertThat(elf.hashTable().orElseThrow().lookup("test_open",
                elf.dynamicSymbols().orElseThrow())).isEmpty());
    }

    @ParameterizedTest
    @MethodSource(COMBINATIONS)
    void gnuHashChainWithoutAnEnd(Target t) {
        ElfImage image = typical(t, b -> b.hashStyle(HashStyle.GNU).gnuBuckets(1));
        long gnu = image.section(".gnu.hash").offset();
        long chains = gnu + 16 + 2L * image.wordSize() + 4;
        int hashed = (int) (image.section(".gnu.hash").size() - (chains - gnu)) / 4;
        for (int i = 0; i < hashed; i++) {
            image.put32(chains + 4L * i, image.get32(chains + 4L * i) & ~1L);
        }
        // The only bucket now starts a chain that would run to the end of the image: no end bit there.
        long symoffset = image.get32(gnu + 4);
        image.put32(gnu + 16 + 2L * image.wordSize(), symoffset + (image.bytes().length - chains) / 4 - 1);
        image.put32(image.bytes().length - 4, 0);
        survives(image, elf -> {
            HashTable table = elf.hashTable().orElseThrow();
            failsAt(table::symbolCount, chains);
            assertThat(table.lookup("no_such_symbol", elf.dynamicSymbols().orElseThrow())).isEmpty();
        });
    }

    /** Without section headers the GNU hash gives the symbol count; a huge one is cut to what fits. */
    @ParameterizedTest
    @MethodSource(COMBINATIONS)
    void gnuHashSymbolCountPastTheEnd(Target t) {
        ElfImage image = typical(t, b -> b.hashStyle(HashStyle.GNU).withoutSectionHeaders());
        // symoffset: every bucket now points below it, so the count is symoffset itself.
        image.put32(image.section(".gnu.hash").offset() + 4, 0x7fffff00L);
        survives(image, elf -> {
            SymbolTable symbols = elf.dynamicSymbols().orElseThrow();
            long fits = (image.bytes().length - image.section(".dynsym").offset()) / (t.is64() ? 24 : 16);
            assertThat(symbols.size()).isEqualTo((int) fits);
            assertThat(symbols.get(1).name()).isEqualTo(image.dynamicSymbols().getFirst().name());
            warnsAbout(elf, "fit in the image");
        });
    }

    @ParameterizedTest
    @MethodSource(COMBINATIONS)
    void hashTableCountsPastTheEnd(Target t) {
        ElfImage sysv = typical(t, b -> b.hashStyle(HashStyle.SYSV));
        boolean wide = t.is64() && t.machine() == ElfImageBuilder.EM_S390;
        long hash = sysv.section(".hash").offset();
        if (wide) {
            // 2^61 buckets of 8 bytes: the byte count overflows 64 bits and must not wrap into range.
            sysv.put64(hash, 1L << 61);
        } else {
            sysv.put32(hash, 0x7fffffff);
        }
        survives(sysv, elf -> failsAt(elf::hashTable, hash));

        ElfImage gnu = typical(t, b -> b.hashStyle(HashStyle.GNU));
        long gnuHash = gnu.section(".gnu.hash").offset();
        gnu.put32(gnuHash, 0x7fffffff);
        survives(gnu, elf -> failsAt(elf::hashTable, gnuHash + 16));
    }

    // --- headers, tables and counts -------------------------------------------------------------

    @ParameterizedTest
    @MethodSource(COMBINATIONS)
    void entrySizesTooSmall(Target t) {
        ElfImage image = typical(t).header("e_phentsize", 8).header("e_shentsize", 8);
        survives(image, elf -> {
            failsAt(elf::segments, t.is64() ? 54 : 42);
            failsAt(elf::sections, t.is64() ? 58 : 46);
        });
        ElfImage symbols = typical(t).sectionHeader(".dynsym", "sh_entsize", 4);
        survives(symbols, elf -> failsAt(elf::dynamicSymbols, symbols.section(".dynsym").offset()));
        ElfImage bare = typical(t, ElfImageBuilder::withoutSectionHeaders).dynamic(ElfImageBuilder.DT_SYMENT, 4);
        survives(bare, elf -> failsAt(elf::dynamicSymbols, bare.section(".dynamic").offset()));
    }

    @ParameterizedTest
    @MethodSource(COMBINATIONS)
    void countsAndOffsetsPastTheEnd(Target t) {
        ElfImage manySegments = typical(t).header("e_phnum", 0xfffe);
        survives(manySegments, elf -> failsAt(elf::segments, manySegments.phoff()));

        long late = typical(t).bytes().length - 10;
        survives(typical(t).header("e_shoff", late), elf -> failsAt(elf::sections, late));

        ElfImage bigDynsym = typical(t).sectionHeader(".dynsym", "sh_size", 0x7ffffff0L);
        survives(bigDynsym, elf -> failsAt(elf::dynamicSymbols, bigDynsym.section(".dynsym").offset()));

        ElfImage longDynamic = typical(t).segmentHeader(3, "p_filesz", 0x7ffffff0L);
        survives(longDynamic, elf -> {
            assertThat(elf.dynamic().orElseThrow().entries()).hasSize(longDynamic.dynamicEntries().size() - 1);
            warnsAbout(elf, "cut short");
        });

        ElfImage longNote = typical(t);
        longNote.put32(longNote.section(".note.ABI-tag").offset() + 4, 0xfffffff0L);
        survives(longNote, elf -> {
            assertThat(elf.notes()).extracting(Note::owner).containsExactly("GNU", "Linux");
            warnsAbout(elf, "runs past the end");
        });

        ElfImage unmapped = typical(t, ElfImageBuilder::withoutSectionHeaders).dynamic(ElfImageBuilder.DT_SYMTAB,
                0x7f000000L);
        survives(unmapped, elf -> assertThatThrownBy(elf::dynamicSymbols).isInstanceOf(ElfFormatException.class));
    }

    @ParameterizedTest
    @MethodSource(COMBINATIONS)
    void escapedCountsTooLarge(Target t) {
        ElfImage segments = typical(t, ElfImageBuilder::escapeSegmentCount).sectionHeader(0, "sh_info", 0xffffffffL);
        survives(segments, elf -> failsAt(elf::segments, segments.phoff()));
        // ELF64 keeps the count in a 64-bit sh_size: a product with the entry size overflows.
        ElfImage sections = typical(t, ElfImageBuilder::escapeSectionCount)
                .sectionHeader(0, "sh_size", t.is64() ? 1L << 62 : 0xffffffffL);
        survives(sections, elf -> failsAt(elf::sections, sections.shoff()));
        ElfImage names = typical(t, ElfImageBuilder::escapeNameIndex).sectionHeader(0, "sh_link", 0xfffffff0L);
        survives(names, elf -> {
            assertThat(elf.sections()).allMatch(s -> s.name().isEmpty());
            warnsAbout(elf, "section name table");
        });
    }

    @ParameterizedTest
    @MethodSource(COMBINATIONS)
    void sectionIndexTableShorterThanItsSymbols(Target t) {
        ElfImage image = typical(t, ElfImageBuilder::escapeSymbolSections).sectionHeader(".symtab_shndx", "sh_size",
                12);
        survives(image, elf -> {
            SymbolTable statics = elf.staticSymbols().orElseThrow();
            // Symbol 1 (the file) is absolute; 2 is inside the index table, the others are not.
            assertThat(statics.get(2).shndx()).isEqualTo(image.section(".text").index());
            for (int i = 3; i < statics.size(); i++) {
                assertThat(statics.get(i).shndx()).isEqualTo(SectionIndex.SHN_XINDEX);
            }
            warnsAbout(elf, "SHT_SYMTAB_SHNDX");
        });
    }

    @ParameterizedTest
    @MethodSource(COMBINATIONS)
    void extendedSectionIndexPastTwoToThe31(Target t) {
        ElfImage image = typical(t, ElfImageBuilder::escapeSymbolSections);
        image.put32(image.section(".symtab_shndx").offset() + 4 * 2, 0x80000001L);
        survives(image, elf -> {
            assertThat(elf.staticSymbols().orElseThrow().get(2).shndx()).isEqualTo(SectionIndex.SHN_XINDEX);
            assertThat(elf.staticSymbols().orElseThrow().get(3).shndx()).isEqualTo(image.section(".text").index());
            warnsAbout(elf, "0x80000001");
        });
    }
}
