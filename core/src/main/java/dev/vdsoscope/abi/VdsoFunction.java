package dev.vdsoscope.abi;

/** The functions the kernel's vDSOs export, by their C library name. */
public enum VdsoFunction {
    CLOCK_GETTIME("clock_gettime"),
    GETTIMEOFDAY("gettimeofday"),
    TIME("time"),
    CLOCK_GETRES("clock_getres"),
    GETCPU("getcpu"),
    CLOCK_GETTIME64("clock_gettime64"),
    GETRANDOM("getrandom");

    private final String cName;

    VdsoFunction(String cName) {
        this.cName = cName;
    }

    /** The libc name, e.g. {@code clock_gettime}. */
    public String cName() {
        return cName;
    }
}
