package dev.vdsoscope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program that uses the library as its users are told to (README.md, "The library"): a module that
 * {@code requires dev.vdsoscope}, compiled against the packaged core jar alone on the module path and
 * run with {@code --enable-native-access=dev.vdsoscope}. Its main classes are the README's ten lines
 * as written, and calls whose results the host's own tools can check (readelf, the JVM's clock).
 */
class ModulePathConsumerIT {
    /** The core jar that {@code mvn package} made (set by failsafe in core/pom.xml). */
    private static final Path CORE_JAR = Path.of(System.getProperty("vdsoscope.core.jar", "unset"));
    private static final Path README = Path.of("README.md");
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern MODULE_NAME = Pattern.compile("^module ([\\w.]+) \\{");
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final long TIMEOUT_SECONDS = 120;

    @TempDir
    static Path work;
    private static Path classes;
    /** The consumer's module, named as in the README's module declaration. */
    private static String module;

    @BeforeAll
    static void compileTheConsumer() throws IOException {
        assertThat(CORE_JAR).as("the core jar (run after package)").isRegularFile();
        // The README's two Java blocks: the module declaration, then the ten lines.
        Matcher block = JAVA_BLOCK.matcher(Files.readString(README));
        assertThat(block.find()).as("the module declaration's ```java block in README.md").isTrue();
        String declaration = block.group(1);
        Matcher name = MODULE_NAME.matcher(declaration);
        assertThat(name.find()).as("a module declaration: " + declaration).isTrue();
        module = name.group(1);
        assertThat(block.find()).as("the ten lines' ```java block in README.md").isTrue();
        String tenLines = block.group(1);
        assertThat(tenLines.lines().count()).as("the README's library lines").isLessThanOrEqualTo(12);

        Path sources = Files.createDirectories(work.resolve("src/consumer"));
        Files.writeString(work.resolve("src/module-info.java"), declaration);
        Files.writeString(sources.resolve("ReadmeLines.java"), String.join("\n",
                "package consumer;",
                "import java.nio.file.Path;",
                "import dev.vdsoscope.elf.ElfFile;",
                "import dev.vdsoscope.loader.Loader;",
                "import dev.vdsoscope.loader.LoaderOptions;",
                "import dev.vdsoscope.vdso.ClockId;",
                "import dev.vdsoscope.vdso.Vdso;",
                "public class ReadmeLines {",
                "    public static void main(String[] args) throws Exception {",
                tenLines,
                "    }",
                "}"));
        Files.writeString(sources.resolve("Checks.java"), """
                package consumer;
                import java.nio.file.Path;
                import dev.vdsoscope.elf.ElfFile;
                import dev.vdsoscope.vdso.ClockId;
                import dev.vdsoscope.vdso.Vdso;
                public class Checks {
                    public static void main(String[] args) throws Exception {
                        System.out.println("class path=" + System.getProperty("java.class.path"));
                        System.out.println("modules=" + ModuleLayer.boot().modules().stream().map(Module::getName)
                                .filter(name -> !name.startsWith("java.") && !name.startsWith("jdk.")).sorted().toList());
                        // System.nanoTime reads CLOCK_MONOTONIC on Linux: the vDSO's answer lies between two of its reads.
                        long before = System.nanoTime();
                        long vdso = Vdso.current().clockGettimeNanos(ClockId.CLOCK_MONOTONIC);
                        long after = System.nanoTime();
                        System.out.println("monotonic=" + before + " " + vdso + " " + after);
                        try (ElfFile ls = ElfFile.open(Path.of(args[0]))) {
                            System.out.println("entry=0x" + Long.toHexString(ls.header().entry()));
                            System.out.println("interpreter=" + ls.interpreter().orElse("none"));
                            System.out.println("dynamic symbols=" + ls.dynamicSymbols().orElseThrow().size());
                        }
                    }
                }
                """);
        classes = work.resolve("classes");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        List<String> arguments = new ArrayList<>(List.of("--module-path", CORE_JAR.toString(), "-d", classes.toString()));
        try (var files = Files.walk(work.resolve("src"))) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(p -> arguments.add(p.toString()));
        }
        int status = javac.run(null, diagnostics, diagnostics, arguments.toArray(String[]::new));
        assertThat(status).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();
    }

    @Test
    void theReadmeLinesRunOnTheModulePathWithoutAWarning() throws Exception {
        Run run = consumer(true, "consumer.ReadmeLines");

        assertThat(run.stderr()).isEmpty();
        assertThat(run.status()).isZero();
        List<String> printed = run.stdout().lines().toList();
        assertThat(printed.getFirst()).startsWith("linux-vdso.so.1, ");
        assertThat(printed).anyMatch(l -> l.contains("clock_gettime") && l.contains(" @LINUX_"));
        assertThat(printed).anyMatch(l -> l.startsWith("libc.so.6 => /"));
    }

    /** The consumer sees the library and nothing else: no class path, no picocli, no Jackson. */
    @Test
    void theCoreJarAloneServesTheConsumer() throws Exception {
        Map<String, String> facts = checks(true);

        assertThat(facts.get("class path")).isEmpty();
        assertThat(facts.get("modules").replaceAll("[\\[\\]]", "").split(", "))
                .containsExactlyInAnyOrder("dev.vdsoscope", module);
    }

    @Test
    void theApiAnswersAsTheHostDoes() throws Exception {
        Path ls = Path.of("/bin/ls");
        assumeTrue(Files.isRegularFile(ls), "no /bin/ls here");
        Map<String, String> facts = checks(true);

        long[] monotonic = java.util.Arrays.stream(facts.get("monotonic").split(" ")).mapToLong(Long::parseLong).toArray();
        assertThat(monotonic[1]).as("the vDSO's CLOCK_MONOTONIC between two reads of System.nanoTime")
                .isBetween(monotonic[0], monotonic[2]);

        String header = readelf("-h", ls.toString());
        assertThat(facts.get("entry")).isEqualTo(field(header, "Entry point address:\\s+(0x\\p{XDigit}+)"));
        String segments = readelf("-l", ls.toString());
        assertThat(facts.get("interpreter")).isEqualTo(field(segments, "\\[Requesting program interpreter: (.+)\\]"));
        String symbols = readelf("--dyn-syms", "-W", ls.toString());
        assertThat(facts.get("dynamic symbols"))
                .isEqualTo(field(symbols, "Symbol table '\\.dynsym' contains (\\d+) entries"));
    }

    /** Without the option the JDK warns at the first restricted call: the option is what silences it. */
    @Test
    void withoutTheOptionTheJdkWarns() throws Exception {
        Run run = consumer(false, "consumer.Checks", "/bin/ls");

        assertThat(run.status()).isZero();
        assertThat(run.stderr()).contains("WARNING: A restricted method").contains("module dev.vdsoscope")
                .contains("--enable-native-access=dev.vdsoscope");
    }

    private static Map<String, String> checks(boolean nativeAccess) throws Exception {
        Run run = consumer(nativeAccess, "consumer.Checks", "/bin/ls");
        assertThat(run.stderr()).isEmpty();
        assertThat(run.status()).isZero();
        return run.stdout().lines().map(line -> line.split("=", 2))
                .collect(Collectors.toMap(pair -> pair[0], pair -> pair[1]));
    }

    private record Run(int status, String stdout, String stderr) {}

    private static Run consumer(boolean nativeAccess, String mainClass, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(JAVA));
        if (nativeAccess) {
            command.add("--enable-native-access=dev.vdsoscope");
        }
        command.addAll(List.of("--module-path", CORE_JAR + File.pathSeparator + classes, "-m", module + "/" + mainClass));
        command.addAll(List.of(args));
        return run(command);
    }

    private static String readelf(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("readelf"));
        command.addAll(List.of(args));
        Run run = run(command);
        assertThat(run.status()).as(String.join(" ", command) + ": " + run.stderr()).isZero();
        return run.stdout();
    }

    private static String field(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(regex + " in:\n" + text).isTrue();
        return m.group(1);
    }

    private static Run run(List<String> command) throws Exception {
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("LC_ALL", "C");
        builder.environment().remove("JAVA_TOOL_OPTIONS"); // the JVM announces those on stderr
        builder.environment().remove("JDK_JAVA_OPTIONS");
        Process process = builder.start();
        assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
