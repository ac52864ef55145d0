package dev.vdsoscope.elf;

import java.nio.ByteOrder;

/** {@code e_ident[EI_DATA]}: the byte order of every multi-byte field. */
public enum ElfData {
    ELFDATA2LSB(1, ByteOrder.LITTLE_ENDIAN), ELFDATA2MSB(2, ByteOrder.BIG_ENDIAN);

    private final int value;
    private final ByteOrder order;

    ElfData(int value, ByteOrder order) {
        this.value = value;
        this.order = order;
    }

    public int value() {
        return value;
    }

    public ByteOrder order() {
        return order;
    }

    public boolean littleEndian() {
        return this == ELFDATA2LSB;
    }

    public static ElfData of(int value) {
        return switch (value) {
            case 1 -> ELFDATA2LSB;
            case 2 -> ELFDATA2MSB;
            default -> null;
        };
    }
}
