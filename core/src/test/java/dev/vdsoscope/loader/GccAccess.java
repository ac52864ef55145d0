package dev.vdsoscope.loader;

import java.io.IOException;
import java.nio.file.Path;

/** Programs built with gcc for tests outside this package. */
public final class GccAccess {
    private GccAccess() {}

    public static boolean available() {
        return Gcc.available();
    }

    /** A program whose only extra DT_NEEDED is {@code soname}, which exists nowhere. */
    public static Path programNeeding(Path dir, String soname) throws IOException {
        Path lib = Gcc.library(dir.resolve("build/" + soname), soname, "dep");
        Path program = Gcc.compile(dir.resolve("needs-" + soname), "int dep(void); int main(void) { return dep(); }\n",
                lib.toString());
        java.nio.file.Files.delete(lib);
        return program;
    }

    /** A static executable and a static-pie one. */
    public static Path[] staticPrograms(Path dir) throws IOException {
        String source = "int main(void) { return 0; }\n";
        return new Path[] {Gcc.compile(dir.resolve("static"), source, "-static"),
                Gcc.compile(dir.resolve("static-pie"), source, "-static-pie")};
    }

    /** A program whose libdep.so is in DIR/lib and in DIR/lib/glibc-hwcaps/SUBDIR (its RUNPATH). */
    public static Path programWithHwcapsLibrary(Path dir, String subdirectory) throws IOException {
        Path lib = dir.resolve("lib");
        Gcc.library(lib.resolve("libdep.so"), "libdep.so", "dep");
        Gcc.library(lib.resolve("glibc-hwcaps/" + subdirectory + "/libdep.so"), "libdep.so", "dep");
        return Gcc.compile(dir.resolve("hwcaps-program"), "int dep(void); int main(void) { return dep(); }\n",
                lib.resolve("libdep.so").toString(), "-Wl,--enable-new-dtags,-rpath," + lib);
    }

    /** Compiles C source with gcc and the given arguments, in the output's directory. */
    public static Path compile(Path output, String source, String... arguments) throws IOException {
        return Gcc.compile(output, source, arguments);
    }

    /** A shared library with this soname exporting {@code int symbol(void)}. */
    public static Path library(Path output, String soname, String symbol, String... arguments) throws IOException {
        return Gcc.library(output, soname, symbol, arguments);
    }
}
