package dev.vdsoscope.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;

import dev.vdsoscope.measure.Calls;
import dev.vdsoscope.measure.Clocksources;
import dev.vdsoscope.measure.Doctor;
import dev.vdsoscope.measure.Doctor.ClockVerdict;
import dev.vdsoscope.measure.Doctor.Diagnosis;
import dev.vdsoscope.measure.KernelEntryProof;
import dev.vdsoscope.measure.VdsoEnvironment;
import dev.vdsoscope.vdso.ClockId;
import dev.vdsoscope.vdso.VdsoRandom;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Whether this machine's time calls are served by the vDSO.",
                "The clocksources and which of them the vDSO can read, a measured verdict per clock, and "
                        + "environments that remove or replace the vDSO. Exit code 1 when a clock the vDSO "
                        + "should serve falls back to a system call."})
final class DoctorCommand implements Callable<Integer> {
    enum Format { text, json, prometheus }

    @Mixin
    CommonOptions common;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text, json or prometheus (node_exporter "
            + "textfile collector); --json is --format json.")
    Format format = Format.text;

    @Option(names = "--duration", paramLabel = "S", defaultValue = "0.1",
            description = "Seconds of measurement per path and clock (default: ${DEFAULT-VALUE}).")
    double durationSeconds;

    record JsonClock(String clock, boolean expectedVdso, String verdict, double vdsoNs, double syscallNs,
            double ratio, String evidence, String method, String clockBase, String clockMode, String cause) {}

    record JsonDoctor(String command, int schemaVersion, String verdict, VdsoEnvironment environment,
            Clocksources clocksources, List<JsonClock> clocks, String clockModesUnavailable) {}

    @Override
    public Integer call() {
        if (durationSeconds <= 0) {
            throw new Failure(null, "--duration must be positive", ExitCode.BAD_INPUT);
        }
        Diagnosis diagnosis;
        try (Progress progress = Progress.startLongSteps(1)) {
            progress.step("measuring " + Calls.CLOCKS.size() + " clocks");
            diagnosis = Doctor.diagnose(Calls.CLOCKS, Duration.ofNanos((long) (durationSeconds * 1e9)));
        }
        switch (common.json ? Format.json : format) {
            case json -> Output.json(json(diagnosis));
            case prometheus -> prometheus(Output.out(), diagnosis);
            case text -> text(Output.out(), diagnosis);
        }
        return diagnosis.anyFallback() ? ExitCode.FINDINGS : ExitCode.OK;
    }

    private static String verdict(Diagnosis d) {
        return d.anyFallback() ? "fallback" : "ok";
    }

    private static JsonDoctor json(Diagnosis d) {
        List<JsonClock> clocks = d.clocks().stream().map(c -> {
            Doctor.KernelModes.BaseMode base = d.kernel().modes().get(c.clock());
            return new JsonClock(c.clock().name(), c.expectedVdso(), c.verdict().name().toLowerCase(Locale.ROOT),
                    c.vdsoNs().median(), c.syscallNs().median(), Math.round(c.ratio() * 1000) / 1000.0, c.evidence(),
                    c.method().name().toLowerCase(Locale.ROOT), base == null ? null : base.base(),
                    base == null ? null : base.mode(), d.cause(c).orElse(null));
        }).toList();
        return new JsonDoctor("doctor", 1, verdict(d), d.environment(), d.clocksources(), clocks, d.kernel().unavailable());
    }

    private static void text(PrintStream out, Diagnosis d) {
        VdsoEnvironment env = d.environment();
        out.println("vDSO image: " + env.image().name().toLowerCase(Locale.ROOT));
        env.evidence().forEach(e -> out.println("  " + e));
        out.println("time namespace: " + (env.timeNamespace().separate() ? "separate " + env.timeNamespace().offsets()
                : "the initial one"));
        out.println();
        out.println("Clocksources (current: " + d.clocksources().current() + ")");
        for (Clocksources.Clocksource c : d.clocksources().available()) {
            out.printf("  %-28s vDSO %-7s %s%n      %s%n", c.name() + (c.current() ? " *" : ""),
                    c.vdso().name().toLowerCase(Locale.ROOT), c.rule(), c.ifUsed());
        }
        d.clocks().stream().filter(c -> c.clock() == ClockId.CLOCK_MONOTONIC && c.verdict() == Doctor.Verdict.VDSO)
                .findFirst().ifPresent(c -> out.printf(Locale.ROOT, "  On a clocksource the vDSO cannot read (hpet, acpi_pm),"
                        + " CLOCK_MONOTONIC would cost at least the system call's %.0f ns a call (more, as the kernel then reads"
                        + " the slower device) instead of %.0f ns here.%n",
                        c.syscallNs().median(), c.vdsoNs().median()));
        out.println();
        boolean proved = d.clocks().stream().allMatch(c -> c.method() == Doctor.Method.SECCOMP);
        out.println("Clocks (" + (proved ? "proved: clock_gettime under a seccomp filter that marks its system call;"
                + " timed: the vDSO against the forced system call" : "measured: clock_gettime through the vDSO against"
                + " the forced system call; seccomp could not be used, so timing decides") + ")");
        for (ClockVerdict c : d.clocks()) {
            String label = c.verdict() == Doctor.Verdict.VDSO ? "vDSO" : "SYSCALL";
            String note = c.fallsBack() ? "  <- falls back" : c.expectedVdso() ? "" : "  (control: always a system call)";
            out.printf("  %-26s %-8s %s%s%n", c.clock().name(), label, c.evidence(), note);
            d.cause(c).ifPresent(cause -> out.printf("  %-26s %-8s kernel: %s%n", "", "", cause));
        }
        if (d.kernel().unavailable() != null) {
            out.println("  (the kernel's clock modes are not shown: " + d.kernel().unavailable() + ")");
        }
        KernelEntryProof.getrandom().ifPresent(finding -> out.println("  getrandom                  "
                + (finding == KernelEntryProof.Finding.STAYS_IN_USER_SPACE ? "vDSO     no getrandom system call was made"
                        + " under the filter (states keyed first)"
                        : VdsoRandom.servedByVdso() ? "SYSCALL  its getrandom system call was made each time"
                        : "SYSCALL  this kernel's vDSO has no getrandom (Linux 6.11 added it)")));
        out.println();
        long falling = d.clocks().stream().filter(ClockVerdict::fallsBack).count();
        out.println(falling == 0 ? "Verdict: every clock the vDSO can serve is served by it."
                : "Verdict: " + falling + " clock(s) fall back to a system call.");
    }

    /** The text exposition format, for node_exporter's textfile collector. */
    private static void prometheus(PrintStream out, Diagnosis d) {
        String clocksource = d.clocksources().current() == null ? "unknown" : d.clocksources().current();
        gauge(out, d, clocksource, "vdsoscope_vdso_served", "Whether clock_gettime on this clock ran in the vDSO (1)"
                + " or fell back to a system call (0), as measured by vdsoscope doctor.",
                c -> c.verdict() == Doctor.Verdict.VDSO ? "1" : "0");
        gauge(out, d, clocksource, "vdsoscope_clock_gettime_seconds", "Cost of one clock_gettime call on this clock"
                + " through the vDSO path (median of the samples), in seconds.",
                c -> String.format(Locale.ROOT, "%.4e", c.vdsoNs().median() / 1e9));
        gauge(out, d, clocksource, "vdsoscope_clock_gettime_syscall_seconds", "Cost of the same call as a forced"
                + " system call (median of the samples), in seconds.",
                c -> String.format(Locale.ROOT, "%.4e", c.syscallNs().median() / 1e9));
        out.println("# HELP vdsoscope_vdso_present Whether the process has a vDSO (1) and which image it is.");
        out.println("# TYPE vdsoscope_vdso_present gauge");
        out.printf("vdsoscope_vdso_present{image=\"%s\"} %d%n", d.environment().image().name().toLowerCase(Locale.ROOT),
                d.environment().image() == VdsoEnvironment.Image.ABSENT ? 0 : 1);
    }

    /** One gauge with a sample per clock. */
    private static void gauge(PrintStream out, Diagnosis d, String clocksource, String name, String help,
            Function<ClockVerdict, String> value) {
        out.println("# HELP " + name + " " + help);
        out.println("# TYPE " + name + " gauge");
        for (ClockVerdict c : d.clocks()) {
            out.println(name + "{" + labels(c, clocksource) + "} " + value.apply(c));
        }
    }

    private static String labels(ClockVerdict c, String clocksource) {
        return "clock=\"" + c.clock().name() + "\",clocksource=\"" + clocksource.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\"";
    }
}
