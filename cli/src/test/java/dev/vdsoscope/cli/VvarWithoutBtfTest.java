package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.vdsoscope.testing.ChildVdsoscope;
import dev.vdsoscope.vdso.Vvar;

/**
 * Where the layout is not known, every command that decodes the vvar pages says so in one line and
 * does the rest of its work: no BTF at all (simulated in a child JVM whose kernel BTF is a missing
 * file, so the tests beside it keep the real one), a --btf file that is missing or has none of the
 * types. Runs on any host, with or without BTF.
 */
class VvarWithoutBtfTest {
    private static final String NO_BTF = "-D" + Vvar.KERNEL_BTF_PROPERTY + "=/nonexistent/vmlinux";

    @Test
    void aKernelWithoutBtfIsOneLineAndNothingElseChanges() throws Exception {
        ChildVdsoscope.Result vvar = ChildVdsoscope.run(List.of(), List.of(NO_BTF), "vvar");
        assertThat(vvar.exitCode()).isEqualTo(ExitCode.MISSING_ENVIRONMENT);
        assertThat(vvar.stdout()).isEmpty();
        assertThat(vvar.stderr()).isEqualTo("vdsoscope: the kernel has no BTF (/nonexistent/vmlinux is missing: a kernel"
                + " built without CONFIG_DEBUG_INFO_BTF), so the layout of its vvar data is not known\n");

        ChildVdsoscope.Result report = ChildVdsoscope.run(List.of(), List.of(NO_BTF), "report");
        assertThat(report.exitCode()).as(report.output()).isZero();
        assertThat(report.stdout()).contains("Exported functions", "System-call gate")
                .contains("      not decoded: the kernel has no BTF (/nonexistent/vmlinux is missing");

        ChildVdsoscope.Result doctor = ChildVdsoscope.run(List.of(), List.of(NO_BTF), "doctor", "--json",
                "--duration", "0.02");
        JsonNode json = new ObjectMapper().readTree(doctor.stdout());
        assertThat(json.get("clockModesUnavailable").asText()).startsWith("the kernel has no BTF");
        assertThat(json.get("clocks").get(0).get("verdict").asText()).isIn("vdso", "syscall");
        assertThat(json.get("clocks").get(0).get("clockMode").isNull()).isTrue();
    }

    @Test
    void aMissingBtfFileIsOneLineNamingIt() {
        Cli.Result r = Cli.run("vvar", "--btf", "/nonexistent/vmlinux");
        assertThat(r.exitCode()).isEqualTo(ExitCode.MISSING_ENVIRONMENT);
        assertThat(r.out()).isEmpty();
        assertThat(r.stderr()).isEqualTo("vdsoscope: /nonexistent/vmlinux: no such file\n");
    }

    @Test
    void aBtfWithoutTheTypesSaysWhichAreMissing(@TempDir Path dir) throws Exception {
        assumeTrue(Toolchain.works(dir, "gcc", "--version") && Toolchain.works(dir, "pahole", "--version"),
                "gcc and pahole (dwarves) are needed to make BTF");
        Path source = dir.resolve("other.c");
        Files.writeString(source, "struct unrelated { int a; long b; } x;\n");
        Toolchain.run(dir, "gcc", "-g", "-c", "-o", "other.o", source.toString());
        Toolchain.run(dir, "pahole", "-J", "other.o");
        Cli.Result r = Cli.run("vvar", "--btf", dir.resolve("other.o").toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.MISSING_ENVIRONMENT);
        assertThat(r.stderr()).isEqualTo("vdsoscope: " + dir.resolve("other.o") + ": the kernel's BTF lacks struct"
                + " vdso_time_data (or the older struct vdso_data), so the vvar data cannot be decoded\n");
    }

    /** A BTF with every type, but a time data larger than a page: reading it would leave the time page. */
    @Test
    void aLayoutThatDoesNotFitItsPageIsRefusedBeforeAnyRead(@TempDir Path dir) throws Exception {
        assumeTrue(Toolchain.works(dir, "gcc", "--version") && Toolchain.works(dir, "pahole", "--version"),
                "gcc and pahole (dwarves) are needed to make BTF");
        Files.writeString(dir.resolve("big.c"), """
                typedef unsigned int u32; typedef int s32; typedef unsigned long long u64;
                struct vdso_timestamp { u64 sec; u64 nsec; };
                struct timens_offset { long long sec; u64 nsec; };
                struct vdso_clock { u32 seq; s32 clock_mode; u64 cycle_last; u64 mask; u32 mult; u32 shift;
                    union { struct vdso_timestamp basetime[12]; struct timens_offset offset[12]; }; };
                struct vdso_time_data { struct vdso_clock clock_data[2]; char elsewhere[8192];
                    s32 tz_minuteswest; s32 tz_dsttime; u32 hrtimer_res; } t;
                enum vdso_clock_mode { VDSO_CLOCKMODE_NONE, VDSO_CLOCKMODE_TSC, VDSO_CLOCKMODE_TIMENS = 0x7fffffff } m;
                enum vdso_pages { VDSO_TIME_PAGE_OFFSET, VDSO_TIMENS_PAGE_OFFSET, VDSO_NR_PAGES } p;
                """);
        Toolchain.run(dir, "gcc", "-g", "-c", "-o", "big.o", "big.c");
        Toolchain.run(dir, "pahole", "-J", "big.o");
        Cli.Result r = Cli.run("vvar", "--btf", dir.resolve("big.o").toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.MISSING_ENVIRONMENT);
        assertThat(r.stderr()).matches("vdsoscope: the BTF's layout does not fit in \\d+-byte pages \\(struct"
                + " vdso_time_data ends at byte \\d+\\): it does not describe this kernel\n");
    }
}
