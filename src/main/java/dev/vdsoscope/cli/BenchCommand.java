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

import dev.vdsoscope.measure.CallPath;
import dev.vdsoscope.measure.CallTimer;
import dev.vdsoscope.measure.Calls;
import dev.vdsoscope.measure.MachineContext;
import dev.vdsoscope.measure.Stats;
import dev.vdsoscope.measure.TimedCall;
import dev.vdsoscope.measure.Timing;
import dev.vdsoscope.vdso.VdsoCalls;
import dev.vdsoscope.abi.VdsoFunction;
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
                    + "or a clock such as MONOTONIC or CLOCK_MONOTONIC.")
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

    @Override
    public Integer call() throws Exception {
        Set<String> selection = new LinkedHashSet<>(functions);
        List<String> known = Calls.selectable();
        for (String name : selection) {
            if (known.stream().noneMatch(name::equalsIgnoreCase)) {
                throw new Failure(name, "not a measurable function or clock (one of " + String.join(", ", known) + ")",
                        ExitCode.BAD_INPUT);
            }
        }
        if (durationSeconds <= 0 || samples < CallTimer.MIN_SAMPLES) {
            throw new Failure(null, "--duration must be positive and --samples at least " + CallTimer.MIN_SAMPLES,
                    ExitCode.BAD_INPUT);
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
