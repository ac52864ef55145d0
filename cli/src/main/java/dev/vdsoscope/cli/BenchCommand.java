package dev.vdsoscope.cli;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import dev.vdsoscope.abi.CompatProbeProgram;
import dev.vdsoscope.abi.VdsoFunction;
import dev.vdsoscope.linux.CompatProbe;
import dev.vdsoscope.measure.CallPath;
import dev.vdsoscope.measure.CallTimer;
import dev.vdsoscope.measure.Calls;
import dev.vdsoscope.measure.CompatGateBench;
import dev.vdsoscope.measure.MachineContext;
import dev.vdsoscope.measure.RandomBench;
import dev.vdsoscope.measure.Stats;
import dev.vdsoscope.measure.TimedCall;
import dev.vdsoscope.measure.Timing;
import dev.vdsoscope.vdso.ImageTarget;
import dev.vdsoscope.vdso.VdsoCalls;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"The cost per call of every vDSO function this machine exports.",
                "Each is called four ways: the vDSO directly (FFM), libc's wrapper, the forced system call "
                        + "(syscall(2)), and the Java API for the same job. Median and spread over batches, "
                        + "after JIT warm-up; the paths of one function are sampled in turn so that they meet "
                        + "the same machine load."})
final class BenchCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "FUNCTION", arity = "0..*",
            description = "What to measure (default: all): clock_gettime, gettimeofday, time, getcpu, clock_getres, "
                    + "or a clock such as MONOTONIC or CLOCK_MONOTONIC; or getrandom alone: 16 to 4096 random bytes "
                    + "through the vDSO, the system call, the vdsoscope SecureRandom and the JDK's; or compat:i386 alone: a system call through "
                    + "int $0x80 against __kernel_vsyscall, and clock_gettime through the 32-bit vDSO against its "
                    + "system call, in a 32-bit process vdsoscope starts.")
    List<String> functions = List.of();

    @Option(names = "--duration", paramLabel = "S", description = "Seconds for each path of each function "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "0.4")
    double durationSeconds;

    @Option(names = "--samples", paramLabel = "N", description = "The fewest timed batches per path, at least 10 "
            + "(default: ${DEFAULT-VALUE}); a batch lasts about 2 ms, so a longer --duration takes more.",
            defaultValue = "21")
    int samples;

    @Option(names = "--chart", paramLabel = "FILE.svg", description = "Also draw the medians as an SVG bar chart.")
    Path chart;

    @Option(names = "--force", description = "Replace the chart file if it exists.")
    boolean force;

    /** One path's figures: the API that ran and nanoseconds per call. */
    record JsonPath(String api, double median, double min, double max, double q1, double q3, long callsPerSample,
            int samples) {}

    /** One function (with its clock): every path measured, and how much the vDSO saves over the system call. */
    record JsonResult(String function, String clock, boolean vdsoExported, Map<String, JsonPath> paths,
            Double speedupVdsoOverSyscall) {}

    record JsonBench(String command, int schemaVersion, MachineContext context, double durationSecondsPerPath,
            int minSamplesPerPath, List<JsonResult> results) {}

    /** One path of the compat bench: what ran, ns per call, and how each sample was made. */
    record JsonCompatPath(String path, String description, double median, double min, double max, double q1, double q3,
            int callsPerSample, int samples) {}

    /** {@code bench compat:i386}: the 32-bit gates, and the 64-bit clock_gettime paths beside them. */
    record JsonCompatBench(String command, int schemaVersion, String target, long pid, String atSysinfo,
            List<JsonCompatPath> paths, JsonResult sixtyFourBit, Double vsyscallOverInt80, Double vdsoOverInt80,
            MachineContext context, String method) {}

    private static final String COMPAT_METHOD = "each sample: a loop of N calls in the 32-bit process, timed from"
            + " vdsoscope around one request on a pipe, minus an empty loop of the same N, divided by N; N doubled"
            + " until a loop lasts 2 ms; the paths sampled in turn; medians and quartiles";

    @Override
    public Integer call() throws Exception {
        // Every kind of bench takes --duration and --samples: checked once, before anything runs.
        if (durationSeconds <= 0 || samples < CallTimer.MIN_SAMPLES) {
            throw new Failure(null, "--duration must be positive and --samples at least " + CallTimer.MIN_SAMPLES,
                    ExitCode.BAD_INPUT);
        }
        if (chart != null) {
            try {
                AtomicOutput.checkWritable(chart, force);
            } catch (java.io.IOException e) {
                throw Failure.of(chart.toString(), e);
            }
        }
        if (functions.contains("getrandom")) {
            if (functions.size() > 1) {
                throw new Failure(null, "getrandom is measured alone", ExitCode.BAD_INPUT);
            }
            return random();
        }
        if (functions.contains(ImageTarget.COMPAT_I386)) {
            if (functions.size() > 1) {
                throw new Failure(null, ImageTarget.COMPAT_I386 + " is measured alone", ExitCode.BAD_INPUT);
            }
            return compat();
        }
        Set<String> selection = new LinkedHashSet<>(functions);
        List<String> known = Calls.selectable();
        for (String name : selection) {
            if (known.stream().noneMatch(name::equalsIgnoreCase)) {
                throw new Failure(name, "not a measurable function or clock (one of " + String.join(", ", known) + ")",
                        ExitCode.BAD_INPUT);
            }
        }
        List<TimedCall> calls = Calls.forBench(selection);
        CallTimer timer = new CallTimer(Duration.ofNanos((long) (durationSeconds * 1e9)), samples);
        Map<String, List<TimedCall>> bySubject = new LinkedHashMap<>();
        calls.forEach(c -> bySubject.computeIfAbsent(c.subject(), k -> new ArrayList<>()).add(c));
        List<Map<CallPath, Measured>> measured = new ArrayList<>();
        try (Progress progress = Progress.startLongSteps(bySubject.size())) {
            for (Map.Entry<String, List<TimedCall>> subject : bySubject.entrySet()) {
                progress.step(subject.getKey());
                List<TimedCall> paths = subject.getValue();
                List<Timing> timings = timer.timeInterleaved(paths.stream().map(TimedCall::batch).toList());
                Map<CallPath, Measured> byPath = new EnumMap<>(CallPath.class);
                for (int i = 0; i < paths.size(); i++) {
                    byPath.put(paths.get(i).path(), new Measured(paths.get(i), timings.get(i)));
                }
                measured.add(byPath);
            }
        }
        List<JsonResult> results = new ArrayList<>();
        measured.forEach(paths -> results.add(result(paths)));
        if (common.json) {
            Output.json(new JsonBench("bench", 1, MachineContext.current(), durationSeconds, samples, results));
        } else {
            text(Output.out(), MachineContext.current(), results);
        }
        if (chart != null) {
            // After the table, so that a chart that cannot be written does not throw the figures away.
            try {
                writeChart(results);
            } catch (java.io.IOException e) {
                throw Failure.of(chart.toString(), e);
            }
        }
        return ExitCode.OK;
    }

    private int compat() throws Exception {
        CompatGateBench.Result r;
        JsonResult sixtyFour;
        try (Progress progress = Progress.startLongSteps(2)) {
            progress.step("the 32-bit gates");
            try {
                r = CompatGateBench.run(samples);
            } catch (CompatProbe.UnavailableException e) {
                throw Targets.compatUnavailable(new ImageTarget.CompatUnavailableException(e.getMessage()));
            }
            progress.step("64-bit clock_gettime");
            sixtyFour = sixtyFourBit();
        }
        List<JsonCompatPath> paths = r.paths().stream().map(p -> new JsonCompatPath(
                p.loop().name().toLowerCase(Locale.ROOT).replace('_', '-'), p.description(),
                round(p.nsPerCall().median()), round(p.nsPerCall().min()), round(p.nsPerCall().max()),
                round(p.nsPerCall().q1()), round(p.nsPerCall().q3()), p.callsPerSample(), p.samples())).toList();
        Double vsyscall = finiteOrNull(r.ratio(CompatProbeProgram.Loop.INT80_GETPID,
                CompatProbeProgram.Loop.VSYSCALL_GETPID));
        Double vdso = finiteOrNull(r.ratio(CompatProbeProgram.Loop.INT80_CLOCK_GETTIME,
                CompatProbeProgram.Loop.VDSO_CLOCK_GETTIME));
        JsonCompatBench document = new JsonCompatBench("bench", 1, ImageTarget.COMPAT_I386, r.pid(),
                "0x" + Long.toHexString(r.sysinfo()), paths, sixtyFour, vsyscall, vdso, MachineContext.current(),
                COMPAT_METHOD);
        if (common.json) {
            Output.json(document);
        } else {
            compatText(Output.out(), document);
        }
        if (chart != null) {
            List<SvgChart.Row> rows = new ArrayList<>();
            paths.forEach(p -> rows.add(new SvgChart.Row("32-bit " + p.description(), List.of(p.median()))));
            for (CallPath path : List.of(CallPath.VDSO, CallPath.SYSCALL)) {
                JsonPath p = sixtyFour.paths().get(path.key());
                if (p != null) {
                    rows.add(new SvgChart.Row("64-bit clock_gettime(CLOCK_MONOTONIC) through the "
                            + (path == CallPath.VDSO ? "vDSO" : "system call"), List.of(p.median())));
                }
            }
            String svg = SvgChart.render("vdsoscope bench compat:i386: ns per call (median)", "ns", List.of("median"), rows);
            try {
                AtomicOutput.write(chart, ByteBuffer.wrap(svg.getBytes(StandardCharsets.UTF_8)), force);
            } catch (java.io.IOException e) {
                throw Failure.of(chart.toString(), e);
            }
        }
        return ExitCode.OK;
    }

    record JsonRandomPath(String path, String api, double median, double q1, double q3, Double allCoresNsPerCall) {}

    record JsonRandomSize(int bytes, List<JsonRandomPath> paths) {}

    record JsonRandomBench(String command, int schemaVersion, String function, boolean servedByVdso, int threads,
            List<JsonRandomSize> sizes, MachineContext context) {}

    private int random() throws Exception {
        RandomBench.Result r;
        try (Progress progress = Progress.startLongSteps(1)) {
            progress.step("getrandom");
            r = RandomBench.run(Duration.ofNanos((long) (durationSeconds * 1e9)), samples);
        }
        List<JsonRandomSize> sizes = r.sizes().stream().map(size -> new JsonRandomSize(size.bytes(), size.paths().stream()
                .map(p -> new JsonRandomPath(p.path(), p.api(), round(p.oneThread().median()), round(p.oneThread().q1()),
                        round(p.oneThread().q3()), finiteOrNull(p.allCoresNsPerCall()))).toList())).toList();
        JsonRandomBench document = new JsonRandomBench("bench", 1, "getrandom", r.servedByVdso(), r.threads(), sizes,
                MachineContext.current());
        if (common.json) {
            Output.json(document);
            return ExitCode.OK;
        }
        PrintStream out = Output.out();
        if (!r.servedByVdso()) {
            out.println("This kernel's vDSO has no getrandom (Linux 6.11 added it): every path below makes the system call.");
        }
        out.printf("Random bytes, ns per call: one thread, median [first quartile, third quartile]; then all %d cores"
                + " at once, per thread%n%n", r.threads());
        for (JsonRandomSize size : sizes) {
            out.printf("%d bytes%n", size.bytes());
            for (JsonRandomPath p : size.paths()) {
                out.printf(Locale.ROOT, "  %-20s %10.1f [%.1f, %.1f]  %10s   %s%n", p.path(), p.median(), p.q1(), p.q3(),
                        p.allCoresNsPerCall() == null ? "-" : String.format(Locale.ROOT, "%.1f", p.allCoresNsPerCall()),
                        p.api());
            }
        }
        return ExitCode.OK;
    }

    /** The 64-bit side, for comparison: clock_gettime(CLOCK_MONOTONIC) through the vDSO and the forced system call. */
    private JsonResult sixtyFourBit() {
        List<TimedCall> calls = Calls.forBench(Set.of("CLOCK_MONOTONIC")).stream()
                .filter(c -> c.path() == CallPath.VDSO || c.path() == CallPath.SYSCALL).toList();
        CallTimer timer = new CallTimer(Duration.ofNanos((long) (durationSeconds * 1e9)), samples);
        List<Timing> timings = timer.timeInterleaved(calls.stream().map(TimedCall::batch).toList());
        Map<CallPath, Measured> byPath = new EnumMap<>(CallPath.class);
        for (int i = 0; i < calls.size(); i++) {
            byPath.put(calls.get(i).path(), new Measured(calls.get(i), timings.get(i)));
        }
        return result(byPath);
    }

    private static void compatText(PrintStream out, JsonCompatBench b) {
        out.printf("32-bit gates, from a 32-bit process vdsoscope started (pid %d; AT_SYSINFO %s)%n", b.pid(),
                b.atSysinfo());
        out.printf("ns per call: median [first quartile, third quartile]%n%n");
        for (JsonCompatPath p : b.paths()) {
            out.printf(Locale.ROOT, "  %-62s %9.1f [%.1f, %.1f]%n", "32-bit " + p.description(), p.median(), p.q1(),
                    p.q3());
        }
        for (CallPath path : List.of(CallPath.VDSO, CallPath.SYSCALL)) {
            JsonPath p = b.sixtyFourBit().paths().get(path.key());
            if (p != null) {
                out.printf(Locale.ROOT, "  %-62s %9.1f [%.1f, %.1f]%n", "64-bit clock_gettime(CLOCK_MONOTONIC) through the "
                        + (path == CallPath.VDSO ? "vDSO" : "system call"), p.median(), p.q1(), p.q3());
            }
        }
        out.println();
        if (b.vsyscallOverInt80() != null && b.vdsoOverInt80() != null) {
            out.printf(Locale.ROOT, "So: __kernel_vsyscall enters the kernel %.1fx faster than int $0x80 here, and the"
                    + " 32-bit vDSO's clock_gettime is %.1fx faster than its system call.%n", b.vsyscallOverInt80(),
                    b.vdsoOverInt80());
        }
        out.println("How: " + b.method() + ".");
    }

    private record Measured(TimedCall call, Timing timing) {}

    private static JsonResult result(Map<CallPath, Measured> paths) {
        TimedCall any = paths.values().iterator().next().call();
        Map<String, JsonPath> json = new LinkedHashMap<>();
        paths.forEach((path, m) -> {
            Stats s = m.timing().nsPerCall();
            json.put(path.key(), new JsonPath(m.call().api(), round(s.median()), round(s.min()), round(s.max()),
                    round(s.q1()), round(s.q3()), m.timing().callsPerSample(), m.timing().samples()));
        });
        Double speedup = paths.containsKey(CallPath.VDSO) && paths.containsKey(CallPath.SYSCALL)
                ? round(paths.get(CallPath.SYSCALL).timing().medianRatioTo(paths.get(CallPath.VDSO).timing()))
                : null;
        VdsoFunction function = VdsoFunction.valueOf(any.function().toUpperCase(Locale.ROOT));
        return new JsonResult(any.function(), any.clock() == null ? null : any.clock().name(),
                VdsoCalls.servedByVdso(function), json, speedup);
    }

    /** A ratio for JSON: rounded, or null where it could not be formed (a median of 0 below it). */
    private static Double finiteOrNull(double value) {
        return Double.isFinite(value) ? round(value) : null;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    private static String subject(JsonResult r) {
        return r.clock() == null ? r.function() : r.function() + "(" + r.clock() + ")";
    }

    private static void text(PrintStream out, MachineContext context, List<JsonResult> results) {
        out.printf("Cost per call, ns: median [first quartile, third quartile]%n%n");
        out.printf("%-42s", "function");
        for (CallPath path : CallPath.values()) {
            out.printf(" %-22s", path.key());
        }
        out.printf(" %s%n", "vdso vs syscall");
        for (JsonResult r : results) {
            out.printf("%-42s", subject(r));
            for (CallPath path : CallPath.values()) {
                JsonPath p = r.paths().get(path.key());
                out.printf(" %-22s", p == null ? "-" : String.format(Locale.ROOT, "%.1f [%.1f, %.1f]", p.median(),
                        p.q1(), p.q3()));
            }
            out.println(r.speedupVdsoOverSyscall() == null ? " -"
                    : String.format(Locale.ROOT, " %.1fx", r.speedupVdsoOverSyscall()));
        }
        out.println();
        results.stream().filter(r -> r.paths().containsKey(CallPath.JAVA.key())).forEach(r -> out.printf(
                "java for %s: %s%n", subject(r), r.paths().get(CallPath.JAVA.key()).api()));
        out.println();
        out.println("CPU            " + context.cpuModel() + " (" + context.cpus() + " CPUs, " + context.architecture() + ")");
        out.println("kernel         " + context.kernel());
        out.println("clocksource    " + context.clocksource() + " (available: "
                + String.join(" ", context.availableClocksources()) + ")");
        MachineContext.Virtualization v = context.virtualization();
        out.println("virtual        " + (v.virtualMachine() ? "yes" : "no") + (v.cpuidSignature() == null ? ""
                : " (CPUID hypervisor " + v.cpuidSignature() + ")") + (v.dmiProduct() == null ? "" : ", DMI " + v.dmiProduct()));
        out.println("meltdown/PTI   " + context.vulnerabilities().getOrDefault("meltdown", "unknown"));
    }

    private void writeChart(List<JsonResult> results) throws java.io.IOException {
        List<String> series = new ArrayList<>();
        for (CallPath path : CallPath.values()) {
            series.add(path.key());
        }
        List<SvgChart.Row> rows = new ArrayList<>();
        for (JsonResult r : results) {
            List<Double> values = new ArrayList<>();
            for (CallPath path : CallPath.values()) {
                JsonPath p = r.paths().get(path.key());
                values.add(p == null ? null : p.median());
            }
            rows.add(new SvgChart.Row(subject(r), values));
        }
        String svg = SvgChart.render("vdsoscope bench: ns per call (median)", "ns", series, rows);
        AtomicOutput.write(chart, ByteBuffer.wrap(svg.getBytes(StandardCharsets.UTF_8)), force);
    }
}
