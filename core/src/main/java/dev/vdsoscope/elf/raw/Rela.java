package dev.vdsoscope.elf.raw;

/** The layout of {@code ElfN_Rela}: a relocation with an explicit addend. */
public final class Rela extends RawStruct {
    public final Field r_offset,
            r_info,
            r_addend;

    Rela(String cName, Member... members) {
        super(cName, members);
        r_offset = field("r_offset");
        r_info = field("r_info");
        r_addend = field("r_addend");
    }
}
