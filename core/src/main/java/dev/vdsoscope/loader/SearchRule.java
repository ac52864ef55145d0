package dev.vdsoscope.loader;

/** Which rule of the dynamic loader found (or was tried for) a library. */
public enum SearchRule {
    /** The target itself. */
    MAIN("the file itself"),
    /** PT_INTERP: the kernel maps it, ld.so does not search for it. */
    INTERPRETER("PT_INTERP of the executable"),
    /** The kernel maps the vDSO into every process; there is no file. */
    VDSO("provided by the kernel (vDSO), not a file"),
    /** A DT_NEEDED name with a slash is opened as a path. */
    PATH("path in DT_NEEDED"),
    RPATH("RPATH"),
    LD_LIBRARY_PATH("LD_LIBRARY_PATH"),
    RUNPATH("RUNPATH"),
    LD_SO_CACHE("ld.so.cache"),
    /** Only for a sysroot without ld.so.cache: the directories its ld.so.conf names. */
    LD_SO_CONF("ld.so.conf (sysroot without ld.so.cache)"),
    DEFAULT_DIRECTORIES("default directories"),
    /** musl: /etc/ld-musl-ARCH.path, else /lib:/usr/local/lib:/usr/lib. */
    MUSL_SYSTEM_PATH("musl system path"),
    /** musl: libc.so, libm.so, libpthread.so... are the dynamic linker itself. */
    MUSL_BUILTIN("built into musl's dynamic linker");

    private final String description;

    SearchRule(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
