package dev.vdsoscope.elf;

/** {@code ELF_ST_VISIBILITY(st_other)}: a closed set of four. */
public enum SymbolVisibility {
    STV_DEFAULT, STV_INTERNAL, STV_HIDDEN, STV_PROTECTED;

    public static SymbolVisibility of(int stOther) {
        return values()[stOther & 3];
    }

    public String shortName() {
        return name().substring(4);
    }
}
