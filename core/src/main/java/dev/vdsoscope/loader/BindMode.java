package dev.vdsoscope.loader;

/** Which relocations ldd has ld.so process while it traces a program. */
public enum BindMode {
    /** {@code ldd -d} (LD_WARN=yes): data relocations; PLT entries are left for their first call, unless the object binds now. */
    DATA,
    /** {@code ldd -r} (LD_WARN=yes, LD_BIND_NOW=yes): data and function relocations alike. */
    FUNCTIONS
}
