package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** bench --json has the shape docs/JSON.md documents, and figures in the relations the kernel implies. */
/** Timed: run alone, so that other tests do not load the CPU it measures. */
@org.junit.jupiter.api.parallel.Isolated
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void jsonHasTheDocumentedShapeAndTheVdsoBeatsTheSystemCall() throws Exception {
        Path chart = dir.resolve("bench.svg");
        Cli.Result result = Cli.run("bench", "MONOTONIC", "CLOCK_PROCESS_CPUTIME_ID", "getcpu", "--json",
                "--duration", "0.3", "--chart", chart.toString());
        assertThat(result.exitCode()).as(result.stderr()).isEqualTo(ExitCode.OK);
        JsonNode bench = new ObjectMapper().readTree(result.stdout());

        assertThat(bench.get("command").asText()).isEqualTo("bench");
        assertThat(bench.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(bench.get("minSamplesPerPath").asInt()).isGreaterThanOrEqualTo(10);
        JsonNode context = bench.get("context");
        assertThat(context.get("kernel").asText())
                .isEqualTo(Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
        assertThat(context.get("clocksource").asText()).isNotBlank();
        assertThat(context.get("vulnerabilities").has("meltdown")).isTrue();
        assertThat(context.at("/virtualization/virtualMachine").isBoolean()).isTrue();

        Map<String, JsonNode> bySubject = new HashMap<>();
        bench.get("results").forEach(r -> bySubject.put(r.get("function").asText() + "/" + r.get("clock").asText(), r));
        assertThat(bySubject).containsOnlyKeys("clock_gettime/CLOCK_MONOTONIC", "clock_gettime/CLOCK_PROCESS_CPUTIME_ID",
                "getcpu/null");
        for (JsonNode r : bySubject.values()) {
            r.get("paths").forEach(p -> {
                assertThat(p.get("min").asDouble()).isPositive().isLessThanOrEqualTo(p.get("q1").asDouble());
                assertThat(p.get("q1").asDouble()).isLessThanOrEqualTo(p.get("median").asDouble());
                assertThat(p.get("median").asDouble()).isLessThanOrEqualTo(p.get("q3").asDouble());
                assertThat(p.get("q3").asDouble()).isLessThanOrEqualTo(p.get("max").asDouble());
            });
        }

        JsonNode monotonic = bySubject.get("clock_gettime/CLOCK_MONOTONIC");
        assertThat(monotonic.get("vdsoExported").asBoolean()).isTrue();
        assertThat(monotonic.get("paths").fieldNames()).toIterable().containsExactly("vdso", "libc", "syscall", "java");
        assertThat(monotonic.at("/paths/java/api").asText()).isEqualTo("System.nanoTime()");
        // Whether the vDSO can serve the clock depends on the clocksource: the kernel gives the vDSO a
        // clock mode only for these (arch/x86: VDSO_CLOCKMODE_TSC, _PVCLOCK, _HVCLOCK; arm64's arch
        // timer). Elsewhere clock_gettime falls back to the system call, and the speed-up is gone.
        String clocksource = Files.readString(Path.of("/sys/devices/system/clocksource/clocksource0/current_clocksource"))
                .strip();
        double speedup = monotonic.get("speedupVdsoOverSyscall").asDouble();
        // Where seccomp can be used, the proof says whether the vDSO serves it (kvm-clock, say, only
        // with the host's stable bit); else the clocksource's name decides.
        java.util.Optional<dev.vdsoscope.measure.KernelEntryProof.Finding> proof =
                dev.vdsoscope.measure.KernelEntryProof.clockGettime(dev.vdsoscope.vdso.ClockId.CLOCK_MONOTONIC);
        boolean served = proof.map(f -> f == dev.vdsoscope.measure.KernelEntryProof.Finding.STAYS_IN_USER_SPACE)
                .orElse(Set.of("tsc", "kvm-clock", "hyperv_clocksource_tsc_page", "arch_sys_counter")
                        .contains(clocksource));
        if (served) {
            // The figure is about 10x (bench/vdso-vs-c.sh); a loaded machine still gives 3x.
            assertThat(speedup).as("clocksource " + clocksource).isGreaterThan(3);
        } else {
            assertThat(speedup).as("clocksource " + clocksource + ": the vDSO falls back").isLessThan(2);
        }
        // The control: the vDSO's clock_gettime makes the system call itself for a CPU-time clock.
        JsonNode cpu = bySubject.get("clock_gettime/CLOCK_PROCESS_CPUTIME_ID");
        assertThat(cpu.get("speedupVdsoOverSyscall").asDouble()).isLessThan(2);
        assertThat(bySubject.get("getcpu/null").get("paths").has("java")).isFalse();

        Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(chart.toFile());
        assertThat(svg.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(svg.getElementsByTagName("rect").getLength()).isGreaterThan(10);
    }

    @Test
    void anExistingChartIsKeptWithoutForceAndAnUnknownFunctionIsBadInput() throws Exception {
        Path chart = Files.writeString(dir.resolve("old.svg"), "old");
        Cli.Result kept = Cli.run("bench", "getcpu", "--duration", "0.05", "--chart", chart.toString());
        assertThat(kept.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(Files.readString(chart)).isEqualTo("old");

        Cli.Result unknown = Cli.run("bench", "sleep");
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(unknown.stderr()).contains("sleep").contains("clock_gettime");
    }

    /** bench getrandom: every size, every path; the vDSO path only where the kernel's vDSO has getrandom. */
    @Test
    void getrandomBySizeAndPath() throws Exception {
        Cli.Result r = Cli.run("bench", "--json", "--duration", "0.02", "--samples", "10", "getrandom");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.stdout());
        assertThat(json.get("function").asText()).isEqualTo("getrandom");
        boolean served = dev.vdsoscope.vdso.Vdso.find().map(v -> v.lookup(dev.vdsoscope.abi.VdsoFunction.GETRANDOM)
                .isPresent()).orElse(false);
        assertThat(json.get("servedByVdso").asBoolean()).isEqualTo(served);
        assertThat(json.get("sizes").findValuesAsText("bytes")).containsExactly("16", "32", "256", "4096");
        for (com.fasterxml.jackson.databind.JsonNode size : json.get("sizes")) {
            assertThat(size.get("paths").findValuesAsText("path")).containsAll(java.util.List.of("syscall", "provider",
                    "native-nonblocking", "jdk-default"));
            assertThat(size.get("paths").findValuesAsText("path").contains("vdso")).isEqualTo(served);
            for (com.fasterxml.jackson.databind.JsonNode path : size.get("paths")) {
                assertThat(path.get("median").asDouble()).as(path.toString()).isPositive();
            }
        }
    }
}
