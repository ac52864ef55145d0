package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The progress bar is drawn only where the run's standard error is the process's own and a
 * terminal: an embedder or a test that binds its own streams from a terminal never gets the bar's
 * {@code \r} and escape sequences in them. The terminal is a real one, script(1)'s pseudo-terminal
 * around a child JVM, so the positive case is checked too.
 */
class ProgressTest {
    @Test
    void aBarIsDrawnOnTheProcesssTerminalOnlyNeverIntoBoundStreams() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "script(1) (bsdutils) gives the child a terminal");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String command = "'" + java + "' --enable-native-access=ALL-UNNAMED -cp '" + classPath + "' "
                + ProgressProbe.class.getName();
        Process script = new ProcessBuilder("/usr/bin/script", "-qec", command, "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        script.getOutputStream().close();
        String transcript = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(script.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assumeTrue(transcript.contains("stderr-is-terminal=true"), "no pseudo-terminal for the child: " + transcript);

        assertThat(transcript).as("nothing drawn into the captured stream").contains("captured-bytes=0\r\n")
                .contains("captured-dump-refused=false");
        assertThat(transcript).as("the bar on the process's own terminal").contains("\r[").contains("standard\033[K")
                .contains("standard-is-terminal=true");
    }
}
