package dev.vdsoscope.loader;

/**
 * What {@code ld.so --verify} makes of a file as a program: how it links, as ldd tells the cases
 * apart, or why it is "not a dynamic executable". (The image's own linkage, as its headers state it,
 * is {@link dev.vdsoscope.elf.Linkage}.)
 */
public enum Verification {
    /** Has dependencies for ld.so to load. */
    DYNAMIC,
    /** Has a dynamic table but needs nothing (a static-pie, ld.so itself): ldd says "statically linked". */
    STATICALLY_LINKED,
    /** ld.so finds no dynamic table (a static executable): ldd says "not a dynamic executable". */
    NOT_DYNAMIC,
    /**
     * ld.so refuses to load the file as a program (another OS ABI, a separate-debuginfo file, a
     * relocatable object, a misaligned segment): ldd says "not a dynamic executable".
     */
    REFUSED,
    /** Not an ELF file: ldd says "not a dynamic executable". */
    NOT_ELF,
    /** ELF for a machine this model has no loader for: ldd on this machine says "not a dynamic executable". */
    NO_LOADER,
    /**
     * ld.so dies mapping the program, before it can tell how it links (a program cut short, its
     * dynamic table past its end): what ldd says depends on which other ld.so it tries after.
     */
    CRASHES;

    /** Whether ld.so --verify accepts the file, so that ldd goes on to trace it. */
    public boolean verifies() {
        return this == DYNAMIC || this == STATICALLY_LINKED;
    }
}
