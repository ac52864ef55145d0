package dev.vdsoscope.proc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** self() takes its pid from the /proc/self link; the JDK's own answer is the oracle. */
class LinuxProcessSelfTest {
    @Test
    void selfIsThisProcessAsTheJdkSeesIt() throws Exception {
        LinuxProcess self = LinuxProcess.self();

        assertThat(self.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(self.isSelf()).isTrue();
        assertThat(LinuxProcess.of(1).isSelf()).isFalse();
    }
}
