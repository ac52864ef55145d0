package dev.vdsoscope.disasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.Section;

class X86AlternativesTest {
    static final Path FIXTURES = Path.of("test-fixtures/vdso");

    @Test
    void layoutsPerKernel() throws Exception {
        assertThat(layout("x86_64-linux-6.1-vdso64.so")).isEqualTo(X86Alternatives.Layout.ENTRY_12);
        assertThat(layout("i386-linux-6.1-686-vdso32.so")).isEqualTo(X86Alternatives.Layout.ENTRY_12);
        assertThat(layout("x86_64-linux-6.12.117-vdso64.so")).isEqualTo(X86Alternatives.Layout.ENTRY_14);
        assertThat(layout("x86_64-linux-6.18.44-live-vdso.so")).isEqualTo(X86Alternatives.Layout.ENTRY_14);
    }

    private static X86Alternatives.Layout layout(String fixture) throws Exception {
        try (ElfFile elf = ElfFile.open(FIXTURES.resolve(fixture))) {
            return X86Alternatives.of(elf).orElseThrow().layout().orElseThrow();
        }
    }

    /**
     * The 6.1 table rewritten in the older 13-byte layout (a pad length after the two lengths), six
     * entries in 78 bytes, which neither 12 nor 14 divides: the same sites and features must come out.
     */
    @Test
    void the13ByteLayoutOfOlderKernelsDecodes() throws Exception {
        Path original = FIXTURES.resolve("x86_64-linux-6.1-vdso64.so");
        byte[] image = Files.readAllBytes(original);
        List<X86Alternatives.Entry> entries;
        Section table;
        long sectionHeader;
        try (ElfFile elf = ElfFile.open(original)) {
            X86Alternatives alternatives = X86Alternatives.of(elf).orElseThrow();
            entries = alternatives.sites().stream().flatMap(s -> s.entries().stream()).limit(6).toList();
            table = elf.section(".altinstructions").orElseThrow();
            sectionHeader = elf.header().shoff() + (long) table.index() * elf.header().shentsize();
        }
        ByteBuffer bytes = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < entries.size(); i++) {
            X86Alternatives.Entry e = entries.get(i);
            int at = (int) table.offset() + 13 * i;
            long address = table.addr() + 13L * i;
            bytes.putInt(at, (int) (e.site() - address));
            bytes.putInt(at + 4, (int) (e.replacement() - address - 4));
            bytes.putShort(at + 8, (short) e.feature());
            bytes.put(at + 10, (byte) e.siteLength());
            bytes.put(at + 11, (byte) e.replacementLength());
            bytes.put(at + 12, (byte) (e.siteLength() - e.replacementLength()));
        }
        bytes.putLong((int) sectionHeader + 0x20, 13L * entries.size()); // Elf64_Shdr.sh_size
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, image);
            ElfFile rewritten = ElfFile.of("13-byte", segment);
            X86Alternatives decoded = X86Alternatives.of(rewritten).orElseThrow();
            assertThat(decoded.layout()).contains(X86Alternatives.Layout.ENTRY_13);
            assertThat(decoded.notes()).isEmpty();
            assertThat(decoded.sites().stream().flatMap(s -> s.entries().stream()).toList())
                    .containsExactlyInAnyOrderElementsOf(entries);
        }
    }
}
