package dev.vdsoscope.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --root: a sysroot's own cache, ld.so.conf and directories; musl's rules for ld-musl programs. */
class SysrootTest {
    @TempDir
    Path root;

    private static final String MAIN = "int dep(void); int main(void) { return dep(); }\n";

    @BeforeEach
    void needsGcc() {
        assumeTrue(Gcc.available(), "needs gcc");
    }

    private Path program(String name, String... arguments) throws IOException {
        Path stub = Gcc.library(root.resolve("build/libdep.so"), "libdep.so", "dep");
        String[] all = new String[arguments.length + 1];
        all[0] = stub.toString();
        System.arraycopy(arguments, 0, all, 1, arguments.length);
        return Gcc.compile(root.resolve("usr/bin/" + name), MAIN, all);
    }

    @Test
    void withoutACacheTheRootsLdSoConfIsUsedAndAnIncludeLoopIsReportedOnce() throws Exception {
        Files.createDirectories(root.resolve("etc/ld.so.conf.d"));
        Files.writeString(root.resolve("etc/ld.so.conf"), "include /etc/ld.so.conf.d/*.conf\n");
        Files.writeString(root.resolve("etc/ld.so.conf.d/a.conf"), "# the sysroot's own directory\n/opt/lib\n");
        Files.writeString(root.resolve("etc/ld.so.conf.d/b.conf"), "include /etc/ld.so.conf\n");
        Gcc.library(root.resolve("opt/lib/libdep.so"), "libdep.so", "dep");
        Files.createDirectories(root.resolve("lib/x86_64-linux-gnu"));
        Files.copy(Path.of("/lib/x86_64-linux-gnu/libc.so.6"), root.resolve("lib/x86_64-linux-gnu/libc.so.6"));
        Path program = program("prog");

        Loader loader = new Loader(LoaderOptions.system().withRoot(root).withLibraryPath(Optional.empty()));
        List<String> lines = LddDifferentialTest.lines(loader, program.toString());
        assertThat(lines).contains("libdep.so => /opt/lib/libdep.so", "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6");
        assertThat(loader.drainWarnings()).anyMatch(w -> w.contains("include loop"))
                .anyMatch(w -> w.contains("no ld.so.cache"));
    }

    @Test
    void aCorruptCacheFallsBackToTheDefaultDirectoriesWithAWarning() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/ld.so.cache"), "glibc-ld.so.cache1.1 but cut short");
        Gcc.library(root.resolve("usr/lib/libdep.so"), "libdep.so", "dep");
        Path program = program("prog");

        Loader loader = new Loader(LoaderOptions.system().withRoot(root).withLibraryPath(Optional.empty()));
        assertThat(LddDifferentialTest.lines(loader, program.toString())).contains("libdep.so => /usr/lib/libdep.so");
        assertThat(loader.drainWarnings()).anyMatch(w -> w.contains("corrupt ld.so.cache"));
    }

    @Test
    void muslProgramsFollowMuslsRules() throws Exception {
        Gcc.library(root.resolve("opt/musl/libdep.so"), "libdep.so", "dep");
        Gcc.library(root.resolve("rpath/libdep.so"), "libdep.so", "dep");
        Gcc.library(root.resolve("llp/libdep.so"), "libdep.so", "dep");
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/ld-musl-x86_64.path"), "/opt/musl\n");
        Path plain = program("plain", "-Wl,--dynamic-linker=/lib/ld-musl-x86_64.so.1");
        Path withRpath = program("with-rpath", "-Wl,--dynamic-linker=/lib/ld-musl-x86_64.so.1",
                "-Wl,--enable-new-dtags,-rpath,/rpath");

        Loader loader = new Loader(LoaderOptions.system().withRoot(root).withLibraryPath(Optional.empty()));
        LoadResult result = loader.resolve(plain.toString());
        assertThat(result.musl()).isTrue();
        // libc.so.6 is the dynamic linker itself (a reserved name); libdep.so comes from the .path file.
        assertThat(LddDifferentialTest.lines(loader, plain.toString()))
                .containsExactly("/lib/ld-musl-x86_64.so.1", "linux-vdso.so.1", "libdep.so => /opt/musl/libdep.so");
        assertThat(LddDifferentialTest.lines(loader, withRpath.toString())).contains("libdep.so => /rpath/libdep.so");
        // musl reads LD_LIBRARY_PATH before any RUNPATH.
        Loader withLlp = new Loader(LoaderOptions.system().withRoot(root).withLibraryPath(Optional.of("/llp")));
        assertThat(LddDifferentialTest.lines(withLlp, withRpath.toString())).contains("libdep.so => /llp/libdep.so");
    }
}
