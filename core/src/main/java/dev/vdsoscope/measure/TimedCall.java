package dev.vdsoscope.measure;

import dev.vdsoscope.vdso.ClockId;

/**
 * One thing to measure: a function (for clock_gettime and clock_getres, with a clock), made through
 * one path. {@code api} names what runs: the symbol, the libc function or the Java method.
 */
public record TimedCall(String function, ClockId clock, CallPath path, String api, Batch batch) {
    /**
     * Makes the call {@code calls} times and returns something computed from every answer, so that
     * no call can be optimised away. Each TimedCall has its own loop (its own lambda), so the call
     * in it is monomorphic and compiled inline, as in a hand-written loop.
     */
    @FunctionalInterface
    public interface Batch {
        long run(long calls);
    }

    /** "clock_gettime(CLOCK_MONOTONIC)" or "getcpu". */
    public String subject() {
        return clock == null ? function : function + "(" + clock.name() + ")";
    }
}
