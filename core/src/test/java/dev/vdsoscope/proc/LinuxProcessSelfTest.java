package dev.vdsoscope.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * self() takes its pid from the /proc/self link: /proc/PID is then this process's directory, which is
 * what the readers need, and on a /proc of this process's own pid namespace (the usual case) it is
 * the pid the JDK gives.
 */
class LinuxProcessSelfTest {
    @Test
    void selfIsThisProcess() throws Exception {
        LinuxProcess self = LinuxProcess.self();

        assertThat(Files.isSameFile(Path.of("/proc", Long.toString(self.pid())), Path.of("/proc/self"))).isTrue();
        assertThat(self.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(self.isSelf()).isTrue();
        assertThat(LinuxProcess.of(1).isSelf()).isFalse();
    }
}
