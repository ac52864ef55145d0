package dev.vdsoscope.elf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A format constant prints as its C name, in messages, logs and string concatenation alike. */
class ConstantNamesTest {
    @Test
    void everyConstantTypePrintsItsCName() {
        assertThat(Machine.EM_X86_64).hasToString("EM_X86_64");
        assertThat(ElfType.ET_DYN).hasToString("ET_DYN");
        assertThat(SegmentType.PT_GNU_STACK).hasToString("PT_GNU_STACK");
        assertThat(SectionType.SHT_GNU_HASH).hasToString("SHT_GNU_HASH");
        assertThat(DynamicTag.DT_SONAME).hasToString("DT_SONAME");
        assertThat(SymbolType.STT_GNU_IFUNC).hasToString("STT_GNU_IFUNC");
        assertThat(SymbolBinding.STB_GNU_UNIQUE).hasToString("STB_GNU_UNIQUE");
        assertThat(OsAbi.ELFOSABI_SYSV).hasToString("ELFOSABI_SYSV");
        assertThat("machine " + new Machine(62)).isEqualTo("machine EM_X86_64");
    }
}
