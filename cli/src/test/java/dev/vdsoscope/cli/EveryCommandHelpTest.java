package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The contract every command keeps: --help, --json, the exit codes, and the man page to read next
 * (never a file of the source tree, which an installed tool does not have).
 */
class EveryCommandHelpTest {
    /** The command names as the top-level help lists them (so a new command is checked without a change here). */
    static List<String> commands() {
        List<String> names = new ArrayList<>();
        boolean inList = false;
        for (String line : Cli.run("--help").out().lines().toList()) {
            if (line.equals("Commands:")) {
                inList = true;
            } else if (inList && line.isBlank()) {
                break;
            } else if (inList && line.startsWith("  ") && !line.startsWith("   ")) {
                names.add(line.strip().split("\\s+")[0]);
            }
        }
        names.remove("help");
        return names;
    }

    @Test
    void everyCommandHasHelpWithJsonAndTheExitCodes() {
        List<String> commands = commands();
        assertThat(commands).contains("report", "file", "symbols", "ldd", "bench", "doctor").hasSizeGreaterThanOrEqualTo(13);
        assertThat(Cli.run("--help").out()).contains("The manual: man vdsoscope,").doesNotContain("docs/").doesNotContain(".md");
        for (String command : commands) {
            Cli.Result help = Cli.run(command, "--help");

            assertThat(help.exitCode()).as(command).isZero();
            assertThat(help.stderr()).as(command).isEmpty();
            assertThat(help.out()).as(command)
                    .startsWith("Usage: vdsoscope " + command)
                    .contains("--json")
                    .contains("Exit codes:").containsPattern("(?m)^ +141 +standard output closed")
                    .contains("The manual: man vdsoscope-" + command + ".")
                    .doesNotContain("docs/").doesNotContain(".md");
        }
    }
}
