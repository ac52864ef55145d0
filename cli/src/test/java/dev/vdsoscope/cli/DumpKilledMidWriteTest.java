package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `dump -o` killed with SIGKILL at random moments of its run: the output path must hold either
 * nothing (or, with --force, the old file) or the complete image, never a part of it.
 */
class DumpKilledMidWriteTest {
    private static final int RUNS = 24;

    @TempDir
    Path dir;

    private Process victim;

    @AfterEach
    void stop() {
        if (victim != null) {
            victim.destroyForcibly();
        }
    }

    @Test
    void aKilledDumpLeavesTheOldFileOrTheWholeImage() throws Exception {
        victim = new ProcessBuilder("sleep", "120").start();
        byte[] image = vdsoOf(victim.pid());
        byte[] old = "the previous content".getBytes(StandardCharsets.UTF_8);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Random random = new Random(42);
        int completed = 0;
        int killed = 0;
        for (int run = 0; run < RUNS; run++) {
            Path target = dir.resolve("vdso-" + run + ".so");
            boolean force = run % 2 == 1;
            if (force) {
                Files.write(target, old);
            }
            Process tool = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), "dev.vdsoscope.cli.Main", "dump", "--pid",
                    Long.toString(victim.pid()), "-o", target.toString(), force ? "--force" : "--json")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
            // Spread the kills over start-up, the read and the write (a run takes a few hundred ms).
            if (!tool.waitFor(random.nextInt(900), TimeUnit.MILLISECONDS)) {
                tool.destroyForcibly().waitFor();
                killed++;
            } else {
                completed++;
            }
            if (Files.exists(target)) {
                byte[] found = Files.readAllBytes(target);
                assertThat(Arrays.equals(found, image) || (force && Arrays.equals(found, old)))
                        .as("run %d: %d bytes at the output path", run, found.length).isTrue();
            } else {
                assertThat(force).as("run %d: the old file vanished", run).isFalse();
            }
        }
        assertThat(killed).as("runs killed before they finished").isPositive();
        assertThat(completed + killed).isEqualTo(RUNS);
    }

    /** The [vdso] bytes of a process, read with plain Java file I/O on /proc/PID/mem. */
    private static byte[] vdsoOf(long pid) throws Exception {
        String line = Files.readString(Path.of("/proc/" + pid + "/maps")).lines()
                .filter(l -> l.endsWith("[vdso]")).findFirst().orElseThrow();
        String[] range = line.substring(0, line.indexOf(' ')).split("-");
        long start = Long.parseUnsignedLong(range[0], 16);
        byte[] bytes = new byte[(int) (Long.parseUnsignedLong(range[1], 16) - start)];
        try (RandomAccessFile mem = new RandomAccessFile(new File("/proc/" + pid + "/mem"), "r")) {
            mem.seek(start);
            mem.readFully(bytes);
        }
        return bytes;
    }
}
