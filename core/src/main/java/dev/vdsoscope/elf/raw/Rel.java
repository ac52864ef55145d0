package dev.vdsoscope.elf.raw;

/** The layout of {@code ElfN_Rel}: a relocation whose addend is in the place it relocates. */
public final class Rel extends RawStruct {
    public final Field r_offset,
            r_info;

    Rel(String cName, Member... members) {
        super(cName, members);
        r_offset = field("r_offset");
        r_info = field("r_info");
    }
}
