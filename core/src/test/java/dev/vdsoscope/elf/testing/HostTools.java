package dev.vdsoscope.elf.testing;

import java.io.IOException;

/** Which of the host's tools a test can ask (gcc, objdump, pahole...): for its assumptions. */
public final class HostTools {
    private HostTools() {}

    /** Whether {@code tool --version} runs and succeeds here. */
    public static boolean installed(String tool) {
        try {
            Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
