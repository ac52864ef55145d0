package dev.vdsoscope.elf;

/**
 * One symbol table entry, width-independent. {@code shndx} is the real section index: an
 * {@code SHN_XINDEX} escape has already been resolved through {@code SHT_SYMTAB_SHNDX}.
 */
public record Symbol(int index, String name, long value, long size, int info, int other, int shndx) {
    public SymbolType type() {
        return SymbolType.of(info);
    }

    public SymbolBinding binding() {
        return SymbolBinding.of(info);
    }

    public SymbolVisibility visibility() {
        return SymbolVisibility.of(other);
    }

    public boolean isUndefined() {
        return shndx == SectionIndex.SHN_UNDEF;
    }
}
