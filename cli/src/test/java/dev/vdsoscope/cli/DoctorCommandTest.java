package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.hawkular.agent.prometheus.types.MetricType;
import org.junit.jupiter.api.Test;

import dev.vdsoscope.vdso.Vdso;

/**
 * doctor on this machine (a KVM guest whose clocksources are tsc and kvm-clock, both able to serve
 * the vDSO), and in a child JVM whose vDSO is hidden, where every clock must be found to fall back.
 */
@org.junit.jupiter.api.parallel.Isolated
class DoctorCommandTest {
    private static final Path CLOCKSOURCES = Path.of("/sys/devices/system/clocksource/clocksource0/available_clocksource");

    private static Map<String, String> verdicts(JsonNode doctor) {
        Map<String, String> byClock = new HashMap<>();
        doctor.get("clocks").forEach(c -> byClock.put(c.get("clock").asText(), c.get("verdict").asText()));
        return byClock;
    }

    @Test
    void servedClocksAreVdsoTheCpuTimeClockIsASystemCallAndKvmClockCanServe() throws Exception {
        Cli.Result result = Cli.run("doctor", "--json", "--duration", "0.15");
        JsonNode doctor = new ObjectMapper().readTree(result.stdout());

        assertThat(result.exitCode()).as(result.out()).isEqualTo(ExitCode.OK);
        assertThat(doctor.get("verdict").asText()).isEqualTo("ok");
        assertThat(doctor.at("/environment/image").asText()).isEqualTo("KERNEL");
        Map<String, String> verdicts = verdicts(doctor);
        assertThat(verdicts).containsEntry("CLOCK_MONOTONIC", "vdso").containsEntry("CLOCK_REALTIME", "vdso")
                .containsEntry("CLOCK_BOOTTIME", "vdso").containsEntry("CLOCK_PROCESS_CPUTIME_ID", "syscall");

        String current = Files.readString(CLOCKSOURCES.resolveSibling("current_clocksource")).trim();
        assertThat(doctor.at("/clocksources/current").asText()).isEqualTo(current);
        List<JsonNode> sources = new ArrayList<>();
        doctor.at("/clocksources/available").forEach(sources::add);
        assertThat(sources).anySatisfy(s -> {
            assertThat(s.get("current").asBoolean()).isTrue();
            assertThat(s.get("vdso").asText()).isEqualTo("YES");
        });
        assumeTrue(Files.readString(CLOCKSOURCES).contains("kvm-clock"), "not a KVM guest");
        assertThat(sources).anySatisfy(s -> {
            assertThat(s.get("name").asText()).isEqualTo("kvm-clock");
            assertThat(s.get("vdso").asText()).isEqualTo("YES");
            assertThat(s.get("rule").asText()).contains("PVCLOCK_TSC_STABLE_BIT").contains("set here");
        });
    }

    private record Child(int exitCode, JsonNode doctor, String stdout) {}

    /** Runs {@code doctor --json} in a new JVM, behind {@code wrapper} (e.g. unshare), with extra JVM options. */
    private static Child doctorInChildJvm(List<String> wrapper, String... jvmOptions) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(wrapper);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", classpath, Main.class.getName(), "doctor", "--json", "--duration", "0.15"));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = child.getInputStream().readAllBytes();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        return new Child(child.exitValue(), text.isEmpty() ? null : new ObjectMapper().readTree(out), text);
    }

    @Test
    void withTheVdsoHiddenEveryClockFallsBackAndTheExitCodeIsOne() throws Exception {
        Child child = doctorInChildJvm(List.of(), "-D" + Vdso.HIDE_PROPERTY + "=true");
        JsonNode doctor = child.doctor();

        assertThat(child.exitCode()).as(child.stdout()).isEqualTo(ExitCode.FINDINGS);
        assertThat(doctor.get("verdict").asText()).isEqualTo("fallback");
        assertThat(doctor.at("/environment/image").asText()).isEqualTo("ABSENT");
        assertThat(doctor.at("/environment/evidence/0").asText()).contains(Vdso.HIDE_PROPERTY);
        assertThat(verdicts(doctor)).containsEntry("CLOCK_MONOTONIC", "syscall").containsEntry("CLOCK_BOOTTIME", "syscall")
                .containsEntry("CLOCK_MONOTONIC_COARSE", "syscall");
    }

    /** unshare(1) starts the child in a new time namespace with clock offsets; the vDSO keeps serving there. */
    @Test
    void aTimeNamespaceWithOffsetsIsReportedAndStillServedByTheVdso() throws Exception {
        Process probe = new ProcessBuilder("unshare", "--time", "--monotonic", "86400", "true")
                .redirectErrorStream(true).start();
        assumeTrue(probe.waitFor() == 0, "unshare --time is not available (needs root and CONFIG_TIME_NS)");

        Child child = doctorInChildJvm(List.of("unshare", "--time", "--monotonic", "86400", "--boottime", "3600"));
        JsonNode namespace = child.doctor().at("/environment/timeNamespace");

        assertThat(namespace.get("separate").asBoolean()).as(child.stdout()).isTrue();
        assertThat(namespace.at("/offsets/monotonic").asText()).isEqualTo("86400 0");
        assertThat(namespace.at("/offsets/boottime").asText()).isEqualTo("3600 0");
        assertThat(child.doctor().at("/environment/evidence").toString()).contains("time namespace");
        assertThat(verdicts(child.doctor())).containsEntry("CLOCK_MONOTONIC", "vdso").containsEntry("CLOCK_BOOTTIME", "vdso");
        assertThat(child.exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void prometheusOutputIsReadByAnIndependentExpositionFormatParser() throws Exception {
        Cli.Result result = Cli.run("doctor", "--format", "prometheus", "--duration", "0.1");
        assertThat(result.exitCode()).as(result.out()).isEqualTo(ExitCode.OK);

        TextPrometheusMetricDataParser parser = new TextPrometheusMetricDataParser(
                new ByteArrayInputStream(result.stdout()));
        Map<String, MetricFamily> families = new HashMap<>();
        for (MetricFamily family = parser.parse(); family != null; family = parser.parse()) {
            families.put(family.getName(), family);
        }
        assertThat(families).containsKeys("vdsoscope_vdso_served", "vdsoscope_clock_gettime_seconds",
                "vdsoscope_clock_gettime_syscall_seconds", "vdsoscope_vdso_present");
        families.values().forEach(f -> {
            assertThat(f.getType()).isEqualTo(MetricType.GAUGE);
            assertThat(f.getHelp()).isNotBlank();
        });
        String current = Files.readString(CLOCKSOURCES.resolveSibling("current_clocksource")).trim();
        Map<String, Double> served = new HashMap<>();
        for (Metric m : families.get("vdsoscope_vdso_served").getMetrics()) {
            assertThat(m.getLabels()).containsEntry("clocksource", current);
            served.put(m.getLabels().get("clock"), ((Gauge) m).getValue());
        }
        assertThat(served).containsEntry("CLOCK_MONOTONIC", 1.0).containsEntry("CLOCK_PROCESS_CPUTIME_ID", 0.0);
        for (Metric m : families.get("vdsoscope_clock_gettime_seconds").getMetrics()) {
            // A clock_gettime costs nanoseconds to microseconds, never a millisecond.
            assertThat(((Gauge) m).getValue()).isBetween(1e-10, 1e-3);
        }
    }

    /** The report's quick check may fail to settle on a loaded machine, but must never call a served clock a system call. */
    @Test
    void reportSpeedHookNeverCallsMonotonicASystemCallHere() throws Exception {
        Cli.Result result = Cli.run("report", "--json");
        JsonNode speed = new ObjectMapper().readTree(result.stdout()).get("speed");
        assertThat(speed.get("clock").asText()).isEqualTo("CLOCK_MONOTONIC");
        assertThat(speed.get("verdict").asText()).isIn("vdso", "unsettled");
        if (speed.get("verdict").asText().equals("vdso")) {
            assertThat(speed.get("ratio").asDouble()).isLessThan(0.5);
        }
    }
}
