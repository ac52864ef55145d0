package dev.vdsoscope.elf;

/** {@code e_ident[EI_CLASS]}: the word size of the file's structures. */
public enum ElfClass {
    ELFCLASS32(1, 4), ELFCLASS64(2, 8);

    private final int value;
    private final int wordSize;

    ElfClass(int value, int wordSize) {
        this.value = value;
        this.wordSize = wordSize;
    }

    public int value() {
        return value;
    }

    public int wordSize() {
        return wordSize;
    }

    public int bits() {
        return wordSize * 8;
    }

    public static ElfClass of(int value) {
        return switch (value) {
            case 1 -> ELFCLASS32;
            case 2 -> ELFCLASS64;
            default -> null;
        };
    }
}
