package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The man pages made from the command model: one for the tool and one for each command --help lists,
 * each rendered by the host's man(1) (man-db) without a warning, and each naming every option its
 * command's --help names.
 */
class ManPagesTest {
    /** An option in --help's option list: "  -d, --data-relocs ..." or "      --cpu=PROFILE ...". */
    private static final Pattern HELP_OPTION = Pattern.compile(
            "^(?: {2}(-[A-Za-z0-9])(?:, (--[a-z][a-z0-9-]*))?| {6}(--[a-z][a-z0-9-]*))(?=[ =,\\[]|$)");

    @TempDir
    Path temp;

    @Test
    void everyCommandHasAPage() throws Exception {
        InstallFiles.write(temp, "2026-01-01");

        List<String> expected = new ArrayList<>(List.of("vdsoscope.1"));
        EveryCommandHelpTest.commands().forEach(command -> expected.add("vdsoscope-" + command + ".1"));
        try (var pages = Files.list(temp.resolve("man1"))) {
            assertThat(pages.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void manRendersEveryPageWithoutAWarningAndWithEveryOptionOfItsHelp() throws Exception {
        assumeTrue(HostRun.onPath("man"), "man(1) is not installed (Debian: man-db, which scripts/install-test-deps installs)");
        InstallFiles.write(temp, "2026-01-01");
        List<String> commands = new ArrayList<>(List.of(""));
        commands.addAll(EveryCommandHelpTest.commands());

        for (String command : commands) {
            Path page = temp.resolve("man1").resolve(command.isEmpty() ? "vdsoscope.1" : "vdsoscope-" + command + ".1");
            HostRun rendered = man(page);
            String help = (command.isEmpty() ? Cli.run("--help") : Cli.run(command, "--help")).out();

            assertThat(rendered.exitCode()).as(page.toString()).isZero();
            assertThat(rendered.stderr()).as("warnings from man --warnings -l " + page).isEmpty();
            assertThat(rendered.stdout()).as(page.toString())
                    // (groff 1.22 justifies the lines: spaces stretch)
                    .containsPattern("(?m)^ +" + (command.isEmpty() ? "vdsoscope" : "vdsoscope-" + command) + " +- ")
                    .contains("EXIT STATUS").containsPattern("(?m)^ +141 +standard output closed");
            for (String option : helpOptions(help)) {
                assertThat(rendered.stdout()).as(page + " names " + option).containsPattern("(?m)^ +(\\S+, )?" + Pattern.quote(option) + "(?=[ =,\\[]|$)");
            }
        }
    }

    /** The option names --help lists, short and long. */
    static List<String> helpOptions(String help) {
        List<String> options = new ArrayList<>();
        for (String line : help.lines().toList()) {
            Matcher matcher = HELP_OPTION.matcher(line);
            if (matcher.find()) {
                for (int group = 1; group <= matcher.groupCount(); group++) {
                    if (matcher.group(group) != null) {
                        options.add(matcher.group(group));
                    }
                }
            }
        }
        assertThat(options).as("options in\n" + help).contains("--help", "-h", "--version");
        return options;
    }

    /** The page as man(1) prints it at 80 columns, with groff's warnings on standard error. */
    private static HostRun man(Path page) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("man", "--warnings", "-l", page.toString());
        builder.environment().put("MANWIDTH", "80");
        builder.environment().put("LC_ALL", "C.UTF-8");
        builder.environment().remove("MANPAGER");
        builder.environment().remove("PAGER");
        return HostRun.of(builder, Duration.ofSeconds(30));
    }
}
