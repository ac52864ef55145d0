package dev.vdsoscope.elf;

import java.util.Objects;

/** {@code ELF_ST_BIND(st_info)}. */
public record SymbolBinding(long value) implements ElfConstant {
    public static final SymbolBinding STB_LOCAL = new SymbolBinding(0);
    public static final SymbolBinding STB_GLOBAL = new SymbolBinding(1);
    public static final SymbolBinding STB_WEAK = new SymbolBinding(2);
    public static final SymbolBinding STB_GNU_UNIQUE = new SymbolBinding(10);

    private static final SymbolBinding[] BY_VALUE = new SymbolBinding[16];
    private static final ElfConstant.Names NAMES = new ElfConstant.Names(SymbolBinding.class, SymbolBinding.class);

    static {
        for (int i = 0; i < BY_VALUE.length; i++) {
            BY_VALUE[i] = new SymbolBinding(i);
        }
    }

    /** The binding held in the high four bits of {@code st_info}, without allocating. */
    public static SymbolBinding of(int stInfo) {
        return BY_VALUE[(stInfo >> 4) & 0xf];
    }

    /** The C name (as {@link #cName()}), not the record's component list: what a message or a log line wants. */
    @Override
    public String toString() {
        return cName();
    }

    @Override
    public String cName() {
        return Objects.requireNonNullElse(NAMES.name(value), "STB_" + value);
    }

    public String shortName() {
        return value == 10 ? "UNIQUE" : cName().replaceFirst("^STB_", "");
    }
}
