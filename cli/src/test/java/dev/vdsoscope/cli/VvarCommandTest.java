package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.vdsoscope.linux.Cpuid;
import dev.vdsoscope.testing.ChildVdsoscope;
import dev.vdsoscope.testing.TimeNamespace;
import dev.vdsoscope.vdso.testing.VvarHost;

/**
 * vvar on this machine, each answer checked against something other than vdsoscope: the page probe
 * against a C program that touches every page and catches the faults, the clock modes against the
 * current clocksource in sysfs, the base times against the clocks, the decoding as a whole by the
 * cross-check (CLOCK_MONOTONIC computed from the fields and the counter, between two vDSO calls),
 * in the initial time namespace and in a new one.
 */
class VvarCommandTest {
    /**
     * The vDSO clock mode each clocksource with one sets (its vdso_clock_mode in the kernel). The
     * paravirtual ones set it only when the hypervisor promises a stable TSC; any other clocksource
     * (hpet, acpi_pm, jiffies) leaves VDSO_CLOCKMODE_NONE.
     */
    private static final Map<String, String> MODE_OF_CLOCKSOURCE = Map.of("tsc", "VDSO_CLOCKMODE_TSC",
            "kvm-clock", "VDSO_CLOCKMODE_PVCLOCK", "xen", "VDSO_CLOCKMODE_PVCLOCK",
            "hyperv_clocksource_tsc_page", "VDSO_CLOCKMODE_HVCLOCK", "arch_sys_counter", "VDSO_CLOCKMODE_ARCHTIMER");

    /** The mode the kernel must have set for the current clocksource, from sysfs and (kvm-clock) CPUID. */
    private static String expectedMode(String clocksource) {
        if (clocksource.equals("kvm-clock")) {
            boolean stable = Cpuid.leaf(Cpuid.KVM_FEATURES_LEAF)
                    .map(r -> (r.eax() & (1 << Cpuid.KVM_FEATURE_CLOCKSOURCE_STABLE_BIT)) != 0).orElse(false);
            return stable ? "VDSO_CLOCKMODE_PVCLOCK" : "VDSO_CLOCKMODE_NONE";
        }
        return MODE_OF_CLOCKSOURCE.getOrDefault(clocksource, "VDSO_CLOCKMODE_NONE");
    }

    private static void assumeServedInUserSpace(JsonNode check) {
        VvarHost.assumeServedInUserSpace(check.get("unavailable").isNull() ? null : check.get("unavailable").asText());
    }

    @BeforeEach
    void needsADecodableKernel() {
        VvarHost.assumeDecodable();
    }

    private static JsonNode json(String... args) throws IOException {
        List<String> line = new ArrayList<>(List.of("vvar", "--json"));
        line.addAll(List.of(args));
        Cli.Result r = Cli.run(line.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return new ObjectMapper().readTree(r.stdout());
    }

    @Test
    void pagesFoundHolesAreTheOnesACProgramFaultsOn(@TempDir Path dir) throws Exception {
        assumeTrue(Toolchain.works(dir, "gcc", "--version"), "gcc is not installed");
        Path program = dir.resolve("vvar-pages");
        Toolchain.run(dir, "gcc", "-O1", "-o", program.toString(),
                Path.of("cli/src/test/resources/c/vvar-pages.c").toAbsolutePath().toString());
        Process p = new ProcessBuilder(program.toString()).start();
        List<String> touched = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(p.waitFor()).isZero();
        List<String> probed = new ArrayList<>();
        for (JsonNode page : json("--tries", "0").get("pages")) {
            probed.add(page.get("mapping").asText() + " " + page.get("index").asInt() + " "
                    + (page.get("populated").asBoolean() ? "data" : "hole"));
        }
        assertThat(probed).isNotEmpty().isEqualTo(touched);
    }

    @Test
    void everyClockBaseHasTheModeOfTheCurrentClocksourceAndTimesNearTheClocks() throws Exception {
        String clocksource = Files.readString(Path.of("/sys/devices/system/clocksource/clocksource0/current_clocksource"))
                .strip();
        String expected = expectedMode(clocksource);
        long before = System.currentTimeMillis() / 1000;
        JsonNode vvar = json("--tries", "0");
        long after = System.currentTimeMillis() / 1000;
        JsonNode bases = vvar.get("clockBases");
        assertThat(bases.size()).as("CS_HRES_COARSE and CS_RAW at least").isGreaterThanOrEqualTo(2);
        for (JsonNode base : bases) {
            assertThat(base.get("clockMode").asText()).as(base.get("name").asText())
                    .isEqualTo(expected);
            assertThat(base.get("seq").asLong() % 2).as("a snapshot is read between updates").isZero();
        }
        JsonNode realtime = null;
        for (JsonNode t : bases.get(0).get("basetimes")) {
            if (t.get("clock").asText().equals("CLOCK_REALTIME_COARSE")) {
                realtime = t;
            }
        }
        assertThat(realtime).isNotNull();
        // The coarse base time is the last tick's wall-clock time: within a tick (and rounding) of the clock.
        assertThat(realtime.get("sec").asLong()).isBetween(before - 1, after);
    }

    @Test
    void crossCheckLandsBetweenTwoVdsoCallsInEveryTry() throws Exception {
        assumeServedInUserSpace(json("--tries", "1").get("check"));
        Cli.Result r = Cli.run("vvar", "--tries", "100");
        assertThat(r.exitCode()).as(r.out() + r.stderr()).isZero();
        assertThat(r.out()).containsPattern("Cross-check: CLOCK_MONOTONIC computed from clock_data\\[CS_HRES_COARSE\\]"
                + " and .+ fell between two vDSO calls in 100 of 100 tries \\(\\d+ retried, at most 3 each\\)");
    }

    @Test
    void inATimeNamespaceTheOffsetsAreDecodedAndTheCrossCheckHolds() throws Exception {
        TimeNamespace.assumeAvailable();
        ChildVdsoscope.Result child = TimeNamespace.run(86400, 3600, "vvar", "--json", "--tries", "100");
        assertThat(child.exitCode()).as(child.output()).isZero();
        JsonNode vvar = new ObjectMapper().readTree(child.stdout());
        assertThat(vvar.get("inTimeNamespace").asBoolean()).isTrue();
        assumeServedInUserSpace(vvar.get("check"));
        List<String> offsets = new ArrayList<>();
        vvar.get("timeNamespaceOffsets").forEach(t -> offsets.add(t.get("clock").asText() + "=" + t.get("sec").asLong()));
        assertThat(offsets).contains("CLOCK_MONOTONIC=86400", "CLOCK_BOOTTIME=3600");
        assertThat(vvar.get("check").get("within").asInt()).isEqualTo(100);
    }

    @Test
    void watchPrintsTheSequenceAndCycleCounterMoving() throws Exception {
        Cli.Result r = Cli.run("vvar", "--watch", "--json", "--interval", "150", "--count", "3");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode first = mapper.readTree(lines.get(0));
        JsonNode last = mapper.readTree(lines.get(2));
        assertThat(last.get("seq").asLong()).isGreaterThanOrEqualTo(first.get("seq").asLong());
        assertThat(last.get("cycleLast").bigIntegerValue()).isGreaterThanOrEqualTo(first.get("cycleLast").bigIntegerValue());
    }

    @Test
    void theReportShowsTheDecodedPagesAndDoctorTheClockModes() throws Exception {
        JsonNode report = new ObjectMapper().readTree(Cli.run("report", "--json").stdout());
        JsonNode vvar = null;
        for (JsonNode n : report.get("neighbours")) {
            if (n.get("name").asText().equals("[vvar]")) {
                vvar = n;
            }
        }
        assertThat(vvar).isNotNull();
        assertThat(vvar.get("pages").get(0).get("now").asText()).contains("clock_data[CS_HRES_COARSE] VDSO_CLOCKMODE_");
        JsonNode doctor = new ObjectMapper().readTree(Cli.run("doctor", "--json", "--duration", "0.02").stdout());
        for (JsonNode clock : doctor.get("clocks")) {
            if (clock.get("clock").asText().equals("CLOCK_MONOTONIC")) {
                assertThat(clock.get("clockBase").asText()).isEqualTo("clock_data[CS_HRES_COARSE]");
                assertThat(clock.get("clockMode").asText()).startsWith("VDSO_CLOCKMODE_");
                assertThat(clock.get("cause").asText()).contains(clock.get("clockMode").asText());
            }
        }
    }
}
