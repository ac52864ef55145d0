package dev.vdsoscope.loader;

/** How a file links, as ldd tells the cases apart (and why it says "not a dynamic executable"). */
public enum Linkage {
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
    NO_LOADER;

    /** Whether ldd prints "not a dynamic executable" (and fails) for the file. */
    public boolean notDynamicToLdd() {
        return this != DYNAMIC && this != STATICALLY_LINKED;
    }
}
