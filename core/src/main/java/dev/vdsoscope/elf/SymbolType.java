package dev.vdsoscope.elf;

import java.util.Objects;

/** {@code ELF_ST_TYPE(st_info)}. */
public record SymbolType(long value) implements ElfConstant {
    public static final SymbolType STT_NOTYPE = new SymbolType(0);
    public static final SymbolType STT_OBJECT = new SymbolType(1);
    public static final SymbolType STT_FUNC = new SymbolType(2);
    public static final SymbolType STT_SECTION = new SymbolType(3);
    public static final SymbolType STT_FILE = new SymbolType(4);
    public static final SymbolType STT_COMMON = new SymbolType(5);
    public static final SymbolType STT_TLS = new SymbolType(6);
    public static final SymbolType STT_RELC = new SymbolType(8);
    public static final SymbolType STT_SRELC = new SymbolType(9);
    public static final SymbolType STT_GNU_IFUNC = new SymbolType(10);

    /** A Thumb function, in old ARM objects (binutils' name). */
    @ForMachines(40)
    public static final class Arm {
        private Arm() {}
        public static final SymbolType STT_ARM_TFUNC = new SymbolType(13);
    }

    /** A global register declaration (the SPARC V9 ABI). */
    @ForMachines({2, 18, 43})
    public static final class Sparc {
        private Sparc() {}
        public static final SymbolType STT_SPARC_REGISTER = new SymbolType(13);
    }

    private static final SymbolType[] BY_VALUE = new SymbolType[16];
    private static final ElfConstant.Names NAMES = new ElfConstant.Names(SymbolType.class, SymbolType.class);

    static {
        for (int i = 0; i < BY_VALUE.length; i++) {
            BY_VALUE[i] = new SymbolType(i);
        }
    }

    /** The type held in the low four bits of {@code st_info}, without allocating. */
    public static SymbolType of(int stInfo) {
        return BY_VALUE[stInfo & 0xf];
    }

    /** The C name (as {@link #cName()}), not the record's component list: what a message or a log line wants. */
    @Override
    public String toString() {
        return cName();
    }

    @Override
    public String cName() {
        return Objects.requireNonNullElse(NAMES.name(value), "STT_" + value);
    }

    /** The short name readelf prints: FUNC, OBJECT, IFUNC... */
    public String shortName() {
        return value == 10 ? "IFUNC" : cName().replaceFirst("^STT_", "");
    }
}
