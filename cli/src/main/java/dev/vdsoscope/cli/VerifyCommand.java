package dev.vdsoscope.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.vdsoscope.measure.Verify;
import dev.vdsoscope.vdso.ClockId;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check this process's vDSO against the system calls it stands for.",
                "The kernel's own vDSO selftests (vdso_test_correctness, vdso_test_abi, vdso_test_getrandom) and"
                        + " vdsotest's verify mode, in one run: clock_gettime ordered between two system calls for every"
                        + " clock, clock_getres equal, unserved clock ids failing as the system call fails, gettimeofday"
                        + " and time between CLOCK_REALTIME calls, getcpu on each allowed CPU, getrandom's sizes and flags.",
                "Exit status 1 when any check fails."})
final class VerifyCommand implements Callable<Integer> {
    /** Test hook: {@code stale:CLOCK_NAME} makes the vDSO side answer that clock one second late. */
    static final String INJECT_PROPERTY = "vdsoscope.verify.inject";

    @Mixin
    CommonOptions common;

    @Option(names = "--duration", paramLabel = "S", defaultValue = "1",
            description = "Seconds of repeated checks in all (default: ${DEFAULT-VALUE}).")
    double durationSeconds;

    @Option(names = "--no-faults", description = "Skip vdsotest's abi mode (bad pointers, the vDSO side in child"
            + " JVMs that die of them; about a second).")
    boolean noFaults;

    record JsonCheck(String check, String subject, boolean passed, long rounds, String detail) {}

    record JsonVerify(String command, int schemaVersion, boolean passed, double durationSeconds, List<JsonCheck> checks) {}

    @Override
    public Integer call() {
        if (!(durationSeconds > 0) || durationSeconds > 3600) {
            throw new Failure(null, "--duration must be above 0 and at most 3600 seconds", ExitCode.BAD_INPUT);
        }
        Verify.Report report;
        try (Progress progress = Progress.startLongSteps(1)) {
            progress.step("checking");
            report = Verify.run(calls(), Duration.ofNanos((long) (durationSeconds * 1e9)), !noFaults);
        }
        if (common.json) {
            Output.json(new JsonVerify("verify", 1, report.passed(), durationSeconds, report.checks().stream()
                    .map(c -> new JsonCheck(c.check(), c.subject(), c.passed(), c.rounds(), c.detail())).toList()));
        } else {
            text(Output.out(), report);
        }
        return report.passed() ? ExitCode.OK : ExitCode.FINDINGS;
    }

    private static void text(PrintStream out, Verify.Report report) {
        out.println("The vDSO against the system calls it stands for");
        for (Verify.Check c : report.checks()) {
            out.printf(Locale.ROOT, "  %s  %-44s %-26s %,9d %s%s%n", c.passed() ? "PASS" : "FAIL", c.check(), c.subject(),
                    c.rounds(), c.rounds() == 1 ? "round" : "rounds", c.detail().isEmpty() ? "" : ": " + c.detail());
        }
        long failed = report.checks().stream().filter(c -> !c.passed()).count();
        out.println();
        out.println(failed == 0 ? "Verdict: every check passed." : "Verdict: " + failed + (failed == 1 ? " check" : " checks")
                + " failed.");
    }

    /** This process's vDSO, or with a fault injected for the tests. */
    private static Verify.Calls calls() {
        String inject = System.getProperty(INJECT_PROPERTY, "");
        if (!inject.startsWith("stale:")) {
            return Verify.VDSO;
        }
        int stale = ClockId.valueOf(inject.substring("stale:".length())).id();
        return new Verify.Calls() {
            @Override
            public int clockGettime(int clock, long[] out) {
                int result = Verify.Calls.super.clockGettime(clock, out);
                if (clock == stale) {
                    out[0] -= 1;
                }
                return result;
            }
        };
    }
}
