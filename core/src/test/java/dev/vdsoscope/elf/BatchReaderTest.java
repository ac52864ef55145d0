package dev.vdsoscope.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.vdsoscope.elf.testing.Fixtures;

/**
 * A batch reader's file is valid until the next one: afterwards the file and the tables read from it
 * fail loudly instead of answering with the next file's bytes.
 */
class BatchReaderTest {
    @Test
    void aFileAndItsTablesStopAnsweringWhenTheReaderMovesOn() throws Exception {
        Path first = Fixtures.DIRECTORY.resolve("x86_64-linux-6.12.117-vdso64.so");
        Path second = Fixtures.DIRECTORY.resolve("aarch64-linux-6.12.117-vdso.so");
        for (BatchReader reader : List.of(BatchReader.forWholeFiles(), BatchReader.forParts())) {
            ElfFile one = reader.next(first, Files.readAttributes(first, BasicFileAttributes.class));
            SymbolTable symbols = one.dynamicSymbols().orElseThrow();
            String name = symbols.get(1).name();
            assertThat(name).isNotEmpty();

            ElfFile two = reader.next(second, Files.readAttributes(second, BasicFileAttributes.class));
            assertThat(two.machine()).isEqualTo(Machine.EM_AARCH64);
            assertThatThrownBy(() -> one.input().u32(0)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("moved on to the next file");
            assertThatThrownBy(() -> symbols.get(1).name()).isInstanceOf(RuntimeException.class);
            assertThat(two.dynamicSymbols().orElseThrow().size()).isPositive();
            reader.close();
            assertThatThrownBy(() -> two.input().u32(0)).isInstanceOf(IllegalStateException.class);
        }
    }
}
