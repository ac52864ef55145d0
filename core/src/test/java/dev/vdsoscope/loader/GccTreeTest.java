package dev.vdsoscope.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small trees of real shared objects, each resolved by the model and by glibc's own
 * {@code ld.so --list} (run on these files only), which must agree line for line.
 */
class GccTreeTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void needsGcc() {
        assumeTrue(Gcc.available(), "needs gcc");
        assumeTrue(Files.isExecutable(Path.of(Gcc.LD_SO)), "needs glibc's x86-64 ld.so");
    }

    private List<String> model(Path file, Optional<String> libraryPath, Optional<List<String>> hwcaps) throws IOException {
        Loader loader = new Loader(LoaderOptions.system().withLibraryPath(libraryPath).withHwcaps(hwcaps));
        return LddDifferentialTest.lines(loader, file.toString());
    }

    private void assertAgrees(Path file, Optional<String> libraryPath) throws IOException {
        List<String> expected = Gcc.ldSoList(file, libraryPath.map(p -> Map.of("LD_LIBRARY_PATH", p)).orElse(Map.of()));
        assertThat(expected).as("ld.so --list output").isNotEmpty();
        assertThat(model(file, libraryPath, Optional.empty())).isEqualTo(expected);
    }

    private static final String MAIN = "int dep(void); int main(void) { return dep(); }\n";

    @Test
    void rpathBeatsLdLibraryPathButRunpathDoesNot() throws IOException {
        Gcc.library(dir.resolve("a/libdep.so"), "libdep.so", "dep");
        Gcc.library(dir.resolve("b/libdep.so"), "libdep.so", "dep");
        String a = dir.resolve("a").toString();
        Path withRpath = Gcc.compile(dir.resolve("rpath"), MAIN, "-L" + a, "-ldep", "-Wl,--disable-new-dtags,-rpath," + a);
        Path withRunpath = Gcc.compile(dir.resolve("runpath"), MAIN, "-L" + a, "-ldep", "-Wl,--enable-new-dtags,-rpath," + a);
        Optional<String> llp = Optional.of(dir.resolve("b").toString());

        assertThat(model(withRpath, llp, Optional.empty())).contains("libdep.so => " + a + "/libdep.so");
        assertThat(model(withRunpath, llp, Optional.empty())).contains("libdep.so => " + dir.resolve("b/libdep.so"));
        assertAgrees(withRpath, llp);
        assertAgrees(withRunpath, llp);
        // An empty element is the working directory; an empty variable is no variable at all.
        Path b = dir.resolve("b");
        LoaderOptions inB = new LoaderOptions(Path.of("/"), Optional.of(":"), Optional.empty(), b.toString());
        assertThat(LddDifferentialTest.lines(new Loader(inB), withRunpath.toString()))
                .contains("libdep.so")
                .isEqualTo(Gcc.ldSoListIn(b, withRunpath, Map.of("LD_LIBRARY_PATH", ":")));
        LoaderOptions emptyInB = new LoaderOptions(Path.of("/"), Optional.of(""), Optional.empty(), b.toString());
        assertThat(LddDifferentialTest.lines(new Loader(emptyInB), withRunpath.toString()))
                .contains("libdep.so => " + a + "/libdep.so")
                .isEqualTo(Gcc.ldSoListIn(b, withRunpath, Map.of("LD_LIBRARY_PATH", "")));
    }

    @Test
    void runpathAppliesOnlyToDirectDependenciesAndRpathToTheWholeChain() throws IOException {
        Path lib = dir.resolve("lib");
        Gcc.library(lib.resolve("libleaf.so"), "libleaf.so", "leaf");
        Gcc.compile(lib.resolve("libtop.so"), "int leaf(void); int dep(void) { return leaf(); }\n",
                "-shared", "-fPIC", "-Wl,-soname,libdep.so", "-L" + lib, "-lleaf");
        Files.move(lib.resolve("libtop.so"), lib.resolve("libdep.so"));
        Path runpath = Gcc.compile(dir.resolve("bin/runpath"), MAIN, "-L" + lib, "-ldep",
                "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib");
        Path rpath = Gcc.compile(dir.resolve("bin/rpath"), MAIN, "-L" + lib, "-ldep",
                "-Wl,--disable-new-dtags,-rpath,$ORIGIN/../lib");

        assertThat(model(runpath, Optional.empty(), Optional.empty()))
                .contains("libdep.so => " + dir + "/bin/../lib/libdep.so", "libleaf.so => not found");
        assertThat(model(rpath, Optional.empty(), Optional.empty()))
                .contains("libleaf.so => " + dir + "/bin/../lib/libleaf.so");
        assertAgrees(runpath, Optional.empty());
        assertAgrees(rpath, Optional.empty());
    }

    @Test
    void nodefaultlibRefusesTheCacheAndTheDefaultDirectories() throws IOException {
        Path program = Gcc.compile(dir.resolve("nodeflib"), "int main(void) { return 0; }\n", "-Wl,-z,nodefaultlib");
        assertThat(model(program, Optional.empty(), Optional.empty())).contains("libc.so.6 => not found");
        assertAgrees(program, Optional.empty());
    }

    @Test
    void glibcHwcapsSubdirectoriesComeFirstAndCanBeOverridden() throws IOException {
        Hwcaps hwcaps = HostHwcaps.forX86_64();
        assumeTrue(hwcaps.glibcHwcaps().contains("x86-64-v2"), "this CPU lacks x86-64-v2");
        Path lib = dir.resolve("lib");
        Gcc.library(lib.resolve("libdep.so"), "libdep.so", "dep");
        Gcc.library(lib.resolve("glibc-hwcaps/x86-64-v2/libdep.so"), "libdep.so", "dep");
        Path program = Gcc.compile(dir.resolve("hwcaps"), MAIN, "-L" + lib, "-ldep",
                "-Wl,--enable-new-dtags,-rpath," + lib);

        assertThat(model(program, Optional.empty(), Optional.empty()))
                .contains("libdep.so => " + lib + "/glibc-hwcaps/x86-64-v2/libdep.so");
        assertThat(model(program, Optional.empty(), Optional.of(List.of())))
                .contains("libdep.so => " + lib + "/libdep.so");
        assertAgrees(program, Optional.empty());
    }

    @Test
    void aCandidateOfTheWrongClassIsSkippedAndTheSearchGoesOn() throws IOException {
        Path lib32 = dir.resolve("lib32/libdep.so");
        try {
            Gcc.library(lib32, "libdep.so", "dep", "-m32");
        } catch (IOException noMultilib) {
            // Without gcc-multilib, a 64-bit library marked ELFCLASS32 is what open_verify sees first.
            Gcc.library(lib32, "libdep.so", "dep");
            byte[] bytes = Files.readAllBytes(lib32);
            bytes[4] = 1;
            Files.write(lib32, bytes);
        }
        Path lib64 = dir.resolve("lib64");
        Gcc.library(lib64.resolve("libdep.so"), "libdep.so", "dep");
        Path program = Gcc.compile(dir.resolve("wrongclass"), MAIN, "-L" + lib64, "-ldep",
                "-Wl,--enable-new-dtags,-rpath," + lib32.getParent() + ":" + lib64);

        Loader loader = new Loader(LoaderOptions.system().withLibraryPath(Optional.empty()));
        LoadResult result = loader.resolve(program.toString());
        LoadedLibrary dep = result.listing().stream().filter(l -> l.name().equals("libdep.so")).findFirst().orElseThrow();
        assertThat(dep.path()).contains(lib64 + "/libdep.so");
        assertThat(dep.attempts()).anySatisfy(a -> {
            assertThat(a.place()).isEqualTo(lib32.toString());
            assertThat(a.outcome()).isEqualTo("wrong ELF class: ELFCLASS32");
        });
        assertAgrees(program, Optional.empty());
    }

    @Test
    void aMissingLibraryIsListedOncePerObjectThatNeedsIt() throws IOException {
        Path lib = dir.resolve("lib");
        Gcc.library(lib.resolve("libgone.so"), "libgone.so", "gone");
        Gcc.compile(lib.resolve("liba.so"), "int gone(void); int a(void) { return gone(); }\n",
                "-shared", "-fPIC", "-L" + lib, "-lgone");
        Gcc.compile(lib.resolve("libb.so"), "int gone(void); int b(void) { return gone(); }\n",
                "-shared", "-fPIC", "-L" + lib, "-lgone");
        Path program = Gcc.compile(dir.resolve("two"), "int a(void); int b(void); int main(void) { return a() + b(); }\n",
                "-L" + lib, "-la", "-lb", "-Wl,--enable-new-dtags,-rpath," + lib);
        Files.delete(lib.resolve("libgone.so"));

        assertThat(model(program, Optional.empty(), Optional.empty()))
                .filteredOn(line -> line.equals("libgone.so => not found")).hasSize(2);
        assertAgrees(program, Optional.empty());
    }

    @Test
    void aDependencyCycleIsLoadedOnce() throws IOException {
        Path lib = dir.resolve("lib");
        Gcc.library(lib.resolve("libping.so"), "libping.so", "ping");
        Gcc.compile(lib.resolve("libpong.so"), "int ping(void); int pong(void) { return ping(); }\n",
                "-shared", "-fPIC", "-Wl,-soname,libpong.so", "-L" + lib, "-lping");
        // Relink libping against libpong: each now needs the other.
        Gcc.compile(lib.resolve("libping.so"), "int pong(void); int ping(void) { return 0; } int use(void) { return pong(); }\n",
                "-shared", "-fPIC", "-Wl,-soname,libping.so", "-L" + lib, "-lpong", "-Wl,--enable-new-dtags,-rpath," + lib);
        Path program = Gcc.compile(dir.resolve("cycle"), "int ping(void); int main(void) { return ping(); }\n",
                "-L" + lib, "-lping", "-Wl,--enable-new-dtags,-rpath," + lib);

        assertThat(model(program, Optional.empty(), Optional.empty()))
                .filteredOn(line -> line.startsWith("libping.so") || line.startsWith("libpong.so")).hasSize(2);
        assertAgrees(program, Optional.empty());
    }

    @Test
    void aSymlinkLoopEndsTheSearchOfItsList() throws IOException {
        Path looping = Files.createDirectories(dir.resolve("looping"));
        Files.createSymbolicLink(looping.resolve("libdep.so"), looping.resolve("libdep.so.loop"));
        Files.createSymbolicLink(looping.resolve("libdep.so.loop"), looping.resolve("libdep.so"));
        Path good = dir.resolve("good");
        Gcc.library(good.resolve("libdep.so"), "libdep.so", "dep");
        Path program = Gcc.compile(dir.resolve("loop"), MAIN, "-L" + good, "-ldep",
                "-Wl,--enable-new-dtags,-rpath," + looping + ":" + good);

        assertThat(model(program, Optional.empty(), Optional.empty())).contains("libdep.so => not found");
        assertAgrees(program, Optional.empty());
    }

    @Test
    void aThirtyTwoBitProgramIsResolvedForItsOwnAbi() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/lib/ld-linux.so.2")), "needs the i386 ld.so");
        Path program;
        try {
            program = Gcc.compile(dir.resolve("m32"), "int main(void) { return 0; }\n", "-m32");
        } catch (IOException noMultilib) {
            assumeTrue(false, "needs gcc-multilib");
            return;
        }
        List<String> expected = LddOracle.run(List.of(program.toString())).get(program.toString());
        assertThat(expected).contains("linux-gate.so.1");
        assertThat(model(program, Optional.empty(), Optional.empty())).isEqualTo(expected);
    }

    @Test
    void pathNamesTokensAndOneFileUnderTwoNames() throws Exception {
        // DT_NEEDED with a slash (a library without a soname, linked by a relative path).
        Path bare = Gcc.compile(dir.resolve("rel/libbare.so"), "int bare(void) { return 0; }\n", "-shared", "-fPIC");
        // $LIB and $PLATFORM in a RUNPATH.
        Hwcaps hwcaps = HostHwcaps.forX86_64();
        Gcc.library(dir.resolve("tok/lib/x86_64-linux-gnu/libtok.so"), "libtok.so", "tok");
        Gcc.library(dir.resolve("tok/" + hwcaps.platform().orElseThrow() + "/libplat.so"), "libplat.so", "plat");
        // One file, two names: libalias asks for libtwo.so.1.0, the file already loaded as libtwo.so.1.
        Path real = Gcc.library(dir.resolve("two/libtwo.so.1.0"), "libtwo.so.1", "two");
        Files.createSymbolicLink(dir.resolve("two/libtwo.so.1"), real.getFileName());
        Path stub = Gcc.library(dir.resolve("build/libtwo.so.1.0"), "libtwo.so.1.0", "two");
        Gcc.compile(dir.resolve("two/libalias.so"), "int alias(void) { return 0; }\n", "-shared", "-fPIC",
                "-Wl,-soname,libalias.so", "-Wl,--no-as-needed", stub.toString(),
                "-Wl,--enable-new-dtags,-rpath," + dir.resolve("two"));
        Path program = Gcc.compile(dir.resolve("tokens"),
                "int bare(void); int tok(void); int plat(void); int two(void); int alias(void);\n"
                        + "int main(void) { return bare() + tok() + plat() + two() + alias(); }\n",
                "-Wl,--no-as-needed", "rel/libbare.so", "-L" + dir.resolve("tok/lib/x86_64-linux-gnu"), "-ltok",
                "-L" + dir.resolve("tok/" + hwcaps.platform().orElseThrow()), "-lplat", real.toString(), "-L" + dir.resolve("two"), "-lalias",
                "-Wl,--enable-new-dtags,-rpath,$ORIGIN/tok/$LIB:$ORIGIN/tok/${PLATFORM}:$ORIGIN/two");
        assertThat(bare).exists();

        LoaderOptions here = new LoaderOptions(Path.of("/"), Optional.empty(), Optional.empty(), dir.toString());
        List<String> lines = LddDifferentialTest.lines(new Loader(here), program.toString());
        assertThat(lines).contains("rel/libbare.so", "libtok.so => " + dir + "/tok/lib/x86_64-linux-gnu/libtok.so",
                "libplat.so => " + dir + "/tok/" + hwcaps.platform().orElseThrow() + "/libplat.so");
        assertThat(lines).filteredOn(l -> l.startsWith("libtwo")).hasSize(1);
        assertThat(lines).isEqualTo(Gcc.ldSoListIn(dir, program, Map.of()));
    }

    /**
     * One loader (one batch, whose searches are remembered) resolving programs with an RPATH, a
     * RUNPATH and neither, in every order, with and without LD_LIBRARY_PATH: each must still get what
     * ld.so --list gives it alone, so no remembered answer leaks from one kind of program to another.
     */
    @Test
    void aBatchAnswersEachProgramAsItsOwnRunWould() throws IOException {
        Gcc.library(dir.resolve("a/libdep.so"), "libdep.so", "dep");
        Gcc.library(dir.resolve("b/libdep.so"), "libdep.so", "dep");
        String a = dir.resolve("a").toString();
        List<Path> programs = List.of(
                Gcc.compile(dir.resolve("rpath"), MAIN, "-L" + a, "-ldep", "-Wl,--disable-new-dtags,-rpath," + a),
                Gcc.compile(dir.resolve("runpath"), MAIN, "-L" + a, "-ldep", "-Wl,--enable-new-dtags,-rpath," + a),
                Gcc.compile(dir.resolve("plain"), MAIN, "-L" + a, "-ldep"));
        List<List<Path>> orders = List.of(
                List.of(programs.get(0), programs.get(1), programs.get(2)),
                List.of(programs.get(0), programs.get(2), programs.get(1)),
                List.of(programs.get(1), programs.get(0), programs.get(2)),
                List.of(programs.get(1), programs.get(2), programs.get(0)),
                List.of(programs.get(2), programs.get(0), programs.get(1)),
                List.of(programs.get(2), programs.get(1), programs.get(0)));
        for (Optional<String> libraryPath : List.of(Optional.<String>empty(), Optional.of(dir.resolve("b").toString()))) {
            Map<Path, List<String>> alone = new java.util.HashMap<>();
            for (Path program : programs) {
                alone.put(program, Gcc.ldSoList(program, libraryPath.map(p -> Map.of("LD_LIBRARY_PATH", p)).orElse(Map.of())));
            }
            for (List<Path> order : orders) {
                Loader batch = new Loader(LoaderOptions.system().withLibraryPath(libraryPath).withHwcaps(Optional.empty()));
                for (Path program : order) {
                    assertThat(LddDifferentialTest.lines(batch, program.toString()))
                            .as("%s after %s, LD_LIBRARY_PATH %s", program.getFileName(), order, libraryPath)
                            .isEqualTo(alone.get(program));
                }
            }
        }
    }
}
