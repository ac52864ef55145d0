package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user meets before any work: a mistyped command, --version, an output file that exists, file modes. */
class CliErgonomicsTest {
    @TempDir
    Path dir;

    @Test
    void aMistypedCommandGetsTheNearestNames() {
        Cli.Result r = Cli.run("symbol", "/bin/ls");
        assertThat(r.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(r.stderr()).isEqualTo("vdsoscope: 'symbol' is not a command; did you mean symbols?\n"
                + "Try 'vdsoscope --help'.\n");
        assertThat(Cli.run("gat").stderr()).startsWith("vdsoscope: 'gat' is not a command; did you mean gate?");
        assertThat(Cli.run("xyzzy").stderr()).startsWith("vdsoscope: 'xyzzy' is not a command (the commands: report,");
        assertThat(Main.editDistance("symbol", "symbols")).isEqualTo(1);
        assertThat(Main.editDistance("kitten", "sitting")).isEqualTo(3);
    }

    @Test
    void aMistypedOptionGetsTheNearestOfThatCommandsOptions() {
        Cli.Result r = Cli.run("symbols", "--stlye=objdump", "/bin/ls");
        assertThat(r.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(r.stderr()).isEqualTo("vdsoscope: Unknown option: '--stlye=objdump'; did you mean --style?\n"
                + "Try 'vdsoscope symbols --help'.\n");
        assertThat(Cli.run("ldd", "--tre", "/bin/true").stderr()).startsWith("vdsoscope: Unknown option: '--tre'; did"
                + " you mean --tree?");
        assertThat(Cli.run("file", "--zzzzzz", "/bin/ls").stderr()).startsWith("vdsoscope: Unknown option: '--zzzzzz'\n");
    }

    @Test
    void versionSaysReleaseCommitJdkAndCapstone() {
        Cli.Result r = Cli.run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).containsPattern("^vdsoscope \\S+ \\(commit \\S+\\)\\n")
                .contains("JDK " + Runtime.version()).containsPattern("\\nCapstone ");
    }

    @Test
    void anExistingChartIsRefusedBeforeTheBenchmarkRuns() throws Exception {
        Path chart = Files.writeString(dir.resolve("c.svg"), "mine");
        long start = System.nanoTime();
        Cli.Result r = Cli.run("bench", "--chart", chart.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(r.stderr()).isEqualTo("vdsoscope: " + chart + ": exists (use --force to replace it)\n");
        assertThat(r.stdout()).as("nothing measured").isEmpty();
        assertThat(Files.readString(chart)).isEqualTo("mine");
        assertThat(System.nanoTime() - start).as("refused at once, not after a benchmark").isLessThan(5_000_000_000L);
    }

    @Test
    void writtenFilesFollowTheUmask() throws Exception {
        Path reference = Files.createFile(dir.resolve("reference"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw-rw-")));
        Path image = dir.resolve("vdso.so");
        Cli.Result r = Cli.run("dump", "-o", image.toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(Files.getPosixFilePermissions(image)).as("0666 less the umask, as the reference file got")
                .isEqualTo(Files.getPosixFilePermissions(reference));
    }
}
