package dev.vdsoscope.vdso;

/** The clock ids of clock_gettime(2), by their C names ({@code <linux/time.h>}). */
public enum ClockId {
    CLOCK_REALTIME(0, "wall-clock time"),
    CLOCK_MONOTONIC(1, "time since boot, not counting suspend, slewed by NTP"),
    CLOCK_PROCESS_CPUTIME_ID(2, "CPU time of the process (always a system call)"),
    CLOCK_THREAD_CPUTIME_ID(3, "CPU time of the thread (always a system call)"),
    CLOCK_MONOTONIC_RAW(4, "monotonic time without NTP slewing"),
    CLOCK_REALTIME_COARSE(5, "wall-clock time at tick resolution"),
    CLOCK_MONOTONIC_COARSE(6, "monotonic time at tick resolution"),
    CLOCK_BOOTTIME(7, "monotonic time including suspend"),
    CLOCK_TAI(11, "International Atomic Time");

    private final int id;
    private final String meaning;

    ClockId(int id, String meaning) {
        this.id = id;
        this.meaning = meaning;
    }

    public int id() {
        return id;
    }

    public String meaning() {
        return meaning;
    }
}
