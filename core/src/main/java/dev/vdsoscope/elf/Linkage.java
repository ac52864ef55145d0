package dev.vdsoscope.elf;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * How an image is linked, as far as its program headers and dynamic table say: whether it has a
 * dynamic table at all, which libraries it needs, whether it names an interpreter, and whether the
 * linker marked it as a position-independent executable ({@code DF_1_PIE}, set by {@code ld -pie}
 * since binutils 2.26). Only the segments are looked at, as the loader does; the section headers are
 * not needed.
 */
public final class Linkage {
    /** The three ways an executable or shared object can be linked. */
    public enum Kind {
        /** No {@code PT_DYNAMIC}: nothing is resolved at load time. */
        STATIC,
        /** A {@code PT_DYNAMIC} that a dynamic loader processes (needs libraries or an interpreter). */
        DYNAMIC,
        /** A PIE that relocates itself: {@code DF_1_PIE}, no interpreter and no {@code DT_NEEDED}. */
        STATIC_PIE
    }

    private final ElfType type;
    private final boolean dynamicSegment;
    private final boolean interpreter;
    private final int needed;
    private final OptionalLong flags1;

    private Linkage(ElfType type, boolean dynamicSegment, boolean interpreter, int needed, OptionalLong flags1) {
        this.type = type;
        this.dynamicSegment = dynamicSegment;
        this.interpreter = interpreter;
        this.needed = needed;
        this.flags1 = flags1;
    }

    public static Linkage of(ElfFile elf) {
        boolean dynamicSegment = elf.segment(SegmentType.PT_DYNAMIC).isPresent();
        Optional<DynamicTable> table = dynamicSegment ? elf.dynamic() : Optional.empty();
        return new Linkage(elf.header().type(), dynamicSegment, elf.segment(SegmentType.PT_INTERP).isPresent(),
                table.map(t -> t.values(DynamicTag.DT_NEEDED).size()).orElse(0),
                table.map(t -> t.value(DynamicTag.DT_FLAGS_1)).orElse(OptionalLong.empty()));
    }

    /** The value of {@code DT_FLAGS_1}, when the dynamic table has that entry. */
    public OptionalLong flags1() {
        return flags1;
    }

    /** Whether the image is an {@code ET_DYN} that the linker marked {@code DF_1_PIE}: an executable, not a library. */
    public boolean isPie() {
        return type.equals(ElfType.ET_DYN) && (flags1.orElse(0) & DynamicTable.DF_1_PIE) != 0;
    }

    public Kind kind() {
        if (!dynamicSegment) {
            return Kind.STATIC;
        }
        return isPie() && !interpreter && needed == 0 ? Kind.STATIC_PIE : Kind.DYNAMIC;
    }
}
