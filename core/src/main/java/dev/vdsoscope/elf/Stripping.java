package dev.vdsoscope.elf;

import java.util.Optional;

/**
 * What {@code strip} removes: the static symbol table ({@code SHT_SYMTAB}, {@code .symtab}) and the
 * DWARF debugging sections. An image is stripped when it has no {@code .symtab}; the dynamic symbols
 * ({@code .dynsym}) that the loader needs always stay. {@code strip --strip-debug} keeps the symbol
 * table, and {@code objcopy --only-keep-debug} keeps the debug sections.
 */
public final class Stripping {
    private final boolean symbolTable;
    private final Optional<Section> debugInfo;

    private Stripping(boolean symbolTable, Optional<Section> debugInfo) {
        this.symbolTable = symbolTable;
        this.debugInfo = debugInfo;
    }

    public static Stripping of(ElfFile elf) {
        Optional<Section> debugInfo = elf.section(".debug_info").or(() -> elf.section(".zdebug_info"));
        return new Stripping(elf.section(SectionType.SHT_SYMTAB).isPresent(), debugInfo);
    }

    public boolean hasDebugInfo() {
        return debugInfo.isPresent();
    }

    /** No static symbol table. */
    public boolean isStripped() {
        return !symbolTable;
    }
}
