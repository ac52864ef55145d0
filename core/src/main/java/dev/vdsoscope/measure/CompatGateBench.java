package dev.vdsoscope.measure;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import dev.vdsoscope.abi.CompatProbeProgram;
import dev.vdsoscope.abi.VdsoFunction;
import dev.vdsoscope.linux.CompatProbe;
import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.proc.ProcessException;
import dev.vdsoscope.vdso.VdsoInspection;

/**
 * The old article's speed claim, measured in a 32-bit process: a system call through
 * {@code int $0x80}, through {@code __kernel_vsyscall} (sysenter or syscall, as the kernel patched
 * it), and {@code clock_gettime} through the 32-bit vDSO against its system call.
 *
 * <p>How: the compat probe runs each loop of N calls on request, and this side times the request
 * (System.nanoTime around one pipe round trip). Each sample is one loop's time minus an empty loop's
 * of the same N, divided by N; N is doubled until a loop lasts {@link #SAMPLE_TARGET}, so the round
 * trip (tens of microseconds) is a small part even before it is subtracted. The paths are sampled in
 * turn, round after round, so that they meet the same machine load; medians and quartiles are given.
 */
public final class CompatGateBench {
    /** What was timed, as one row: ns per call. */
    public record PathResult(CompatProbeProgram.Loop loop, String description, Stats nsPerCall, int callsPerSample,
            int samples) {}

    /**
     * One run: the 32-bit process's pid, the addresses of its {@code __kernel_vsyscall} (AT_SYSINFO) and
     * vDSO {@code clock_gettime}, and each path's figures.
     */
    public record Result(long pid, long sysinfo, long vdsoClockGettime, List<PathResult> paths) {
        /** How many times faster {@code fast} is than {@code slow}, medians; NaN where {@code fast} measured nothing. */
        public double ratio(CompatProbeProgram.Loop slow, CompatProbeProgram.Loop fast) {
            return median(fast) > 0 ? median(slow) / median(fast) : Double.NaN;
        }

        /** The median ns per call of one path. */
        public double median(CompatProbeProgram.Loop loop) {
            return paths.stream().filter(p -> p.loop() == loop).findFirst().orElseThrow().nsPerCall().median();
        }
    }

    static final Duration SAMPLE_TARGET = Duration.ofMillis(2);
    private static final int MAX_CALLS = 1 << 24;

    private static final Map<CompatProbeProgram.Loop, String> DESCRIPTIONS = new EnumMap<>(Map.of(
            CompatProbeProgram.Loop.INT80_GETPID, "getpid through int $0x80",
            CompatProbeProgram.Loop.VSYSCALL_GETPID, "getpid through __kernel_vsyscall (AT_SYSINFO)",
            CompatProbeProgram.Loop.VDSO_CLOCK_GETTIME, "clock_gettime(CLOCK_MONOTONIC) through the vDSO",
            CompatProbeProgram.Loop.INT80_CLOCK_GETTIME, "clock_gettime(CLOCK_MONOTONIC) through int $0x80"));

    private CompatGateBench() {}

    /**
     * Starts a probe, times every path {@code samples} times, and ends the probe.
     *
     * @throws CompatProbe.UnavailableException where no 32-bit process can run here
     */
    public static Result run(int samples) throws CompatProbe.UnavailableException, IOException, ProcessException {
        try (CompatProbe probe = CompatProbe.start(); Arena arena = Arena.ofConfined()) {
            return run(probe, VdsoInspection.of(LinuxProcess.of(probe.pid()), arena), samples);
        }
    }

    /** Times every path in a running probe, {@code seen} being its vDSO. */
    public static Result run(CompatProbe probe, VdsoInspection seen, int samples) throws IOException {
        {
            long sysinfo = seen.sysinfoEntry().orElseThrow(() -> new IOException("the 32-bit process has no AT_SYSINFO"));
            long clockGettime = seen.vdso().lookup(VdsoFunction.CLOCK_GETTIME)
                    .orElseThrow(() -> new IOException("its vDSO exports no clock_gettime"));
            List<CompatProbeProgram.Loop> loops = List.copyOf(DESCRIPTIONS.keySet());
            int[] counts = new int[loops.size()];
            for (int i = 0; i < loops.size(); i++) {
                counts[i] = calibrate(probe, loops.get(i), address(loops.get(i), sysinfo, clockGettime));
            }
            double[][] perCall = new double[loops.size()][samples];
            for (int round = 0; round < samples; round++) {
                for (int i = 0; i < loops.size(); i++) {
                    CompatProbeProgram.Loop loop = loops.get(i);
                    long busy = probe.time(loop, counts[i], address(loop, sysinfo, clockGettime));
                    long empty = probe.time(CompatProbeProgram.Loop.EMPTY, counts[i], 0);
                    perCall[i][round] = Math.max(0, busy - empty) / (double) counts[i];
                }
            }
            List<PathResult> paths = new ArrayList<>();
            for (int i = 0; i < loops.size(); i++) {
                paths.add(new PathResult(loops.get(i), DESCRIPTIONS.get(loops.get(i)), Stats.of(perCall[i]), counts[i],
                        samples));
            }
            return new Result(probe.pid(), sysinfo, clockGettime, List.copyOf(paths));
        }
    }

    private static long address(CompatProbeProgram.Loop loop, long sysinfo, long clockGettime) {
        return switch (loop) {
            case VSYSCALL_GETPID -> sysinfo;
            case VDSO_CLOCK_GETTIME -> clockGettime;
            default -> 0;
        };
    }

    /**
     * The number of calls whose loop lasts about {@link #SAMPLE_TARGET} (warming the path up on the
     * way). Each length is timed three times and the fastest taken: one preempted run on a busy
     * machine must not stop the doubling early, or the samples would be pipe noise.
     */
    private static int calibrate(CompatProbe probe, CompatProbeProgram.Loop loop, long address) throws IOException {
        int count = 64;
        while (count < MAX_CALLS && fastestOfThree(probe, loop, count, address) < SAMPLE_TARGET.toNanos()) {
            count *= 2;
        }
        return count;
    }

    private static long fastestOfThree(CompatProbe probe, CompatProbeProgram.Loop loop, int count, long address)
            throws IOException {
        long fastest = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            fastest = Math.min(fastest, probe.time(loop, count, address));
        }
        return fastest;
    }
}
