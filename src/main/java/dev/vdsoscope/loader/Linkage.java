package dev.vdsoscope.loader;

/** How a file links, in the three cases ldd tells apart. */
public enum Linkage {
    /** Has dependencies for ld.so to load. */
    DYNAMIC,
    /** Has a dynamic table but needs nothing (a static-pie, ld.so itself): ldd says "statically linked". */
    STATICALLY_LINKED,
    /** No PT_DYNAMIC at all (a static executable, an object file): ldd says "not a dynamic executable". */
    NOT_DYNAMIC
}
