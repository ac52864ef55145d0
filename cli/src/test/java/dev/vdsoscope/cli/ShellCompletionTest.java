package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell completion made from the command model, run by the real shells: bash's completion
 * function called as bash's programmable completion calls it, and zsh's through its line editor on a
 * pseudo-terminal (zpty), with a tab typed.
 */
class ShellCompletionTest {
    @TempDir
    Path temp;

    @Test
    void bashCompletesCommandsOptionsAndOptionValues() throws Exception {
        assumeTrue(HostRun.onPath("bash"), "bash is not installed");
        InstallFiles.write(temp, "2026-01-01");
        Path script = temp.resolve("bash-completion/vdsoscope");

        assertThat(bashComplete(script, "vdsoscope", "sy")).containsExactly("symbols");
        assertThat(bashComplete(script, "vdsoscope", "")).containsAll(EveryCommandHelpTest.commands());
        assertThat(bashComplete(script, "vdsoscope", "ldd", "--tr")).containsExactly("--tree");
        assertThat(bashComplete(script, "vdsoscope", "ldd", "--style", "")).containsExactlyInAnyOrder("clear", "ldd");
        assertThat(bashComplete(script, "vdsoscope", "symbols", "-")).contains("--json", "--style", "--help");
        assertThat(bashComplete(script, "vdsoscope", "auxv", "--style", "")).containsExactlyInAnyOrder("table", "ld-show-auxv");
    }

    /** What bash's completion offers for the last of {@code words}, the word being typed. */
    static List<String> bashComplete(Path script, String... words) throws Exception {
        StringBuilder array = new StringBuilder();
        for (String word : words) {
            array.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        // compopt changes the options of a completion under way; called outside one, it would fail.
        String program = "source \"$1\" && compopt() { :; } && COMP_WORDS=(" + array + ") && COMP_CWORD=" + (words.length - 1)
                + " && COMP_LINE=\"${COMP_WORDS[*]}\" && COMP_POINT=${#COMP_LINE} && _complete_vdsoscope"
                + " && printf '%s\\n' \"${COMPREPLY[@]}\"";
        HostRun run = HostRun.of(Duration.ofSeconds(30), "bash", "-c", program, "bash", script.toString());
        assertThat(run.stderr()).as("bash's standard error").isEmpty();
        assertThat(run.exitCode()).as("exit code of bash").isZero();
        return run.stdout().lines().filter(line -> !line.isEmpty()).toList();
    }

    @Test
    void zshCompletesCommandsOptionsAndOptionValues() throws Exception {
        assumeTrue(HostRun.onPath("zsh"), "zsh is not installed (Debian: zsh, which scripts/install-test-deps installs)");
        InstallFiles.write(temp, "2026-01-01");

        assertThat(zshComplete(temp.resolve("zsh"), "vdsoscope sy")).isEqualTo("vdsoscope symbols ");
        assertThat(zshComplete(temp.resolve("zsh"), "vdsoscope ldd --tr")).isEqualTo("vdsoscope ldd --tree ");
        assertThat(zshComplete(temp.resolve("zsh"), "vdsoscope ldd --style=cl")).isEqualTo("vdsoscope ldd --style=clear ");
        assertThat(zshComplete(temp.resolve("zsh"), "vdsoscope dump --outp")).isEqualTo("vdsoscope dump --output=");
        assertThat(zshComplete(temp.resolve("zsh"), "vdsoscope auxv --style=ld")).isEqualTo("vdsoscope auxv --style=ld-show-auxv ");
    }

    /**
     * The command line after zsh's completion system, with {@code _vdsoscope} in its fpath, completes
     * {@code typed} on a tab: an interactive zsh (no startup files) on a pseudo-terminal, typed into
     * by zsh's zpty module; a key bound to a widget writes the edited line to a file.
     */
    static String zshComplete(Path functions, String typed) throws Exception {
        // A fresh name, without the file: the widget's file appearing is the sign that zsh is done.
        Path buffer = Files.createTempFile("zsh-buffer", "");
        Files.delete(buffer);
        // The inner shell gets the paths spliced into its lines ($1 and $2 are the driver's).
        String driver = """
                zmodload zsh/zpty || exit 3
                zpty -b shell zsh -f -i
                zpty -w shell 'fpath=("'$1'" $fpath); autoload -Uz compinit; compinit -u -d "'$2'.dump"'
                zpty -w shell 'save-buffer() { print -rn -- "$BUFFER" > "'$2'.partial"; mv "'$2'.partial" "'$2'" }'
                zpty -w shell 'zle -N save-buffer; bindkey "^X" save-buffer'
                zpty -w -n shell "$3"$'\\t'$'\\x18'
                for i in {1..200}; do [[ -f $2 ]] && break; sleep 0.1; done
                zpty -d shell
                [[ -f $2 ]]
                """;
        HostRun run = HostRun.of(Duration.ofSeconds(60), "zsh", "-f", "-c", driver, "zsh", functions.toString(),
                buffer.toString(), typed);
        try {
            assertThat(run.exitCode()).as("zsh driver for '" + typed + "': " + run.stderr()).isZero();
            return Files.readString(buffer);
        } finally {
            Files.deleteIfExists(buffer);
            Files.deleteIfExists(Path.of(buffer + ".dump"));
        }
    }
}
