package dev.vdsoscope.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program whose PT_INTERP is a program that creates a marker file, and a library whose
 * constructor creates another: running the program sets both off (so the traps are armed), while
 * the model reads them and leaves no marker.
 */
class BoobyTrapTest {
    @TempDir
    Path dir;

    @Test
    void resolvingTouchesNothingThatWouldRun() throws Exception {
        assumeTrue(Gcc.available(), "needs gcc");
        Path interpreterMarker = dir.resolve("interpreter-ran");
        Path constructorMarker = dir.resolve("constructor-ran");
        // No libc: a static glibc program cannot start as somebody else's interpreter.
        Path interpreter = Gcc.compile(dir.resolve("evil-interp"),
                "static const char path[] = \"" + interpreterMarker + "\";\n"
                        + "void _start(void) { long r;\n"
                        + "  __asm__ volatile(\"syscall\" : \"=a\"(r) : \"a\"(2L), \"D\"(path), \"S\"(0101L), \"d\"(0644L)"
                        + " : \"rcx\", \"r11\", \"memory\");\n"
                        + "  __asm__ volatile(\"syscall\" : : \"a\"(60L), \"D\"(0L) : \"rcx\", \"r11\", \"memory\");\n"
                        + "  for (;;) {} }\n",
                "-nostdlib", "-static", "-fno-stack-protector", "-O1");
        Path library = Gcc.compile(dir.resolve("lib/libtrap.so"),
                "#include <fcntl.h>\n#include <unistd.h>\n__attribute__((constructor)) static void trap(void) {"
                        + " close(open(\"" + constructorMarker + "\", O_CREAT | O_WRONLY, 0644)); }\n"
                        + "int dep(void) { return 0; }\n", "-shared", "-fPIC", "-Wl,-soname,libtrap.so");
        String main = "int dep(void); int main(void) { return dep(); }\n";
        Path trappedInterpreter = Gcc.compile(dir.resolve("trapped-interp"), main, library.toString(),
                "-Wl,--dynamic-linker=" + interpreter, "-Wl,-rpath," + library.getParent());
        Path trappedLibrary = Gcc.compile(dir.resolve("trapped-lib"), main, library.toString(),
                "-Wl,-rpath," + library.getParent());

        Loader loader = new Loader(LoaderOptions.system());
        LoadResult viaInterpreter = loader.resolve(trappedInterpreter.toString());
        LoadResult viaLibrary = loader.resolve(trappedLibrary.toString());

        assertThat(interpreterMarker).doesNotExist();
        assertThat(constructorMarker).doesNotExist();
        assertThat(viaInterpreter.main().elf().orElseThrow().interpreter()).contains(interpreter.toString());
        // As ldd shows it: PT_INTERP's name, with the system's ld.so as the file it stands for.
        assertThat(LddDifferentialTest.lines(loader, trappedInterpreter.toString()))
                .contains(interpreter + " => " + Gcc.LD_SO)
                .isEqualTo(Gcc.ldSoList(trappedInterpreter, Map.of()));
        assertThat(viaLibrary.listing()).anySatisfy(l -> assertThat(l.path()).contains(library.toString()));

        // The traps are real: running the programs sets them off.
        Gcc.run(Map.of(), trappedInterpreter.toString());
        Gcc.run(Map.of(), trappedLibrary.toString());
        assertThat(interpreterMarker).exists();
        assertThat(constructorMarker).exists();
    }
}
