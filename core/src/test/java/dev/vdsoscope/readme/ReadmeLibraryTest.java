package dev.vdsoscope.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "library in ten lines" compiles against the library and does what it says. */
@org.junit.jupiter.api.parallel.Isolated // it captures System.out
class ReadmeLibraryTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path dir;

    @Test
    void theTenLinesCompileAndRun() throws Exception {
        Matcher m = JAVA_BLOCK.matcher(Files.readString(ReadmeSamples.README));
        assertThat(m.find()).as("a ```java block in README.md").isTrue();
        String lines = m.group(1);
        assertThat(lines.lines().count()).as("lines").isLessThanOrEqualTo(12);
        Path source = Files.writeString(dir.resolve("Snippet.java"), String.join("\n",
                "import java.nio.file.Path;",
                "import dev.vdsoscope.elf.ElfFile;",
                "import dev.vdsoscope.loader.Loader;",
                "import dev.vdsoscope.loader.LoaderOptions;",
                "import dev.vdsoscope.vdso.ClockId;",
                "import dev.vdsoscope.vdso.Vdso;",
                "public class Snippet {",
                "    public static void main(String[] args) throws Exception {",
                lines,
                "    }",
                "}"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int compiled = javac.run(null, diagnostics, diagnostics, "-cp", System.getProperty("java.class.path"), "-d",
                dir.toString(), source.toString());
        assertThat(compiled).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                ReadmeLibraryTest.class.getClassLoader())) {
            synchronized (System.class) {
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                try {
                    loader.loadClass("Snippet").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
                } finally {
                    System.setOut(stdout);
                }
            }
        }
        List<String> printed = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(printed.getFirst()).startsWith("linux-vdso.so.1, ");
        assertThat(printed).anyMatch(l -> l.contains("clock_gettime") && l.contains(" @LINUX_"));
        assertThat(printed).anyMatch(l -> l.startsWith("libc.so.6 => /"));
    }
}
