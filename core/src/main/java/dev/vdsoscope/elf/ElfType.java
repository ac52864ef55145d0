package dev.vdsoscope.elf;


/** {@code e_type}. */
public record ElfType(long value) implements ElfConstant {
    public static final ElfType ET_NONE = new ElfType(0);
    public static final ElfType ET_REL = new ElfType(1);
    public static final ElfType ET_EXEC = new ElfType(2);
    public static final ElfType ET_DYN = new ElfType(3);
    public static final ElfType ET_CORE = new ElfType(4);

    private static final ElfConstant.Names NAMES = new ElfConstant.Names(ElfType.class, ElfType.class);

    /** The C name (as {@link #cName()}), not the record's component list: what a message or a log line wants. */
    @Override
    public String toString() {
        return cName();
    }

    @Override
    public String cName() {
        if (NAMES.name(value) != null) {
            return NAMES.name(value);
        }
        if (value >= 0xfe00 && value <= 0xfeff) {
            return "ET_LOOS+0x" + Long.toHexString(value - 0xfe00);
        }
        return value >= 0xff00 ? "ET_LOPROC+0x" + Long.toHexString(value - 0xff00) : "ET_0x" + Long.toHexString(value);
    }
}
