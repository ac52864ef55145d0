package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The contract every command keeps: --help, --json, and the exit codes in its help. */
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
        for (String command : commands) {
            Cli.Result help = Cli.run(command, "--help");

            assertThat(help.exitCode()).as(command).isZero();
            assertThat(help.stderr()).as(command).isEmpty();
            assertThat(help.out()).as(command)
                    .startsWith("Usage: vdsoscope " + command)
                    .contains("--json")
                    .contains("Exit codes: 0 ok, 1 findings").contains("docs/ERRORS.md");
        }
    }
}
