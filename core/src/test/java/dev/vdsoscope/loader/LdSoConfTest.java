package dev.vdsoscope.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ld.so.conf lines that no path can hold: the fuzzer's findings, each a warning now. */
class LdSoConfTest {
    @TempDir
    Path root;

    @Test
    void aNulByteAndAnUnclosedGlobAreWarningsAndTheRestIsRead() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/ld.so.conf"), "include \u0011etc/ld.so\u0000.conf\ninclude [a-\n/opt/lib\n");
        LdSoConf conf = LdSoConf.read(root);
        assertThat(conf.directories()).containsExactly("/opt/lib");
        assertThat(conf.warnings()).containsExactly("/etc/ld.so.conf: a line holds a NUL byte, ignored",
                "/etc/ld.so.conf: include pattern '[a-' is not a valid glob, ignored");
    }

    @Test
    void anIncludeCannotLeaveTheRootNorReadADevice() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("dev"));
        Files.createSymbolicLink(root.resolve("dev/zero"), Path.of("/dev/zero"));
        Files.writeString(root.resolve("etc/ld.so.conf"), "include /../*\ninclude /dev/*\n/opt/lib\n");
        LdSoConf conf = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> LdSoConf.read(root));
        assertThat(conf.directories()).containsExactly("/opt/lib");
        assertThat(conf.warnings()).hasSize(2);
        assertThat(conf.warnings().get(0)).isEqualTo("/etc/ld.so.conf: include pattern '/../*' leaves the root, ignored");
        assertThat(conf.warnings().get(1)).startsWith("/dev/zero: not a regular file");
    }
}
