package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code file --json}: the description must be file's line, and every other field what binutils'
 * readelf says about the same file (so this also checks the elf views Linkage, Stripping, BuildId
 * and AbiTag that fill them).
 */
class FileJsonTest {
    @TempDir
    Path dir;

    /** What readelf -W -h -l -S -d -n states, by pattern. */
    record Readelf(boolean pie, boolean dynamicSegment, String interpreter, int needed, String buildId, String abi,
            boolean symtab, boolean debugInfo) {
        static Readelf of(Path file) {
            String out = String.join("\n", FileOracle.run(List.of("readelf", "-W", "-h", "-l", "-S", "-d", "-n",
                    file.toString())));
            Matcher interp = Pattern.compile("\\[Requesting program interpreter: (.*)\\]").matcher(out);
            Matcher buildId = Pattern.compile("Build ID: ([0-9a-f]+)").matcher(out);
            Matcher abi = Pattern.compile("OS: Linux, ABI: ([0-9.]+)").matcher(out);
            return new Readelf(out.contains("Position-Independent Executable"),
                    Pattern.compile("(?m)^  DYNAMIC ").matcher(out).find(), interp.find() ? interp.group(1) : null,
                    (int) out.lines().filter(l -> l.contains("(NEEDED)")).count(),
                    buildId.find() ? buildId.group(1) : null, abi.find() ? abi.group(1) : null,
                    Pattern.compile("\\] \\.symtab ").matcher(out).find(),
                    Pattern.compile("\\] \\.z?debug_info ").matcher(out).find());
        }
    }

    @Test
    void fieldsAgreeWithReadelfAndDescriptionWithFile() throws IOException {
        FileOracle.assumeFile544();
        Assumptions.assumeTrue(Toolchain.works(dir, "readelf", "--version"), "binutils is not installed");
        List<Path> files = new ArrayList<>(FileFixturesTest.fixtures());
        if (Toolchain.works(dir, "gcc", "--version")) {
            Files.writeString(dir.resolve("hello.c"), "int main(void) { return 0; }\n");
            String[][] builds = {{"-o", "pie"}, {"-no-pie", "-o", "nopie"}, {"-static", "-o", "static"},
                    {"-static-pie", "-o", "staticpie"}, {"-c", "-o", "hello.o"}, {"-g", "-o", "pieg"},
                    {"-s", "-o", "stripped"}, {"-shared", "-fPIC", "-o", "lib.so"},
                    {"-shared", "-fPIC", "-Wl,-z,now", "-o", "lib_now.so"}, {"-Wl,--build-id=md5", "-o", "md5"}};
            for (String[] build : builds) {
                List<String> command = new ArrayList<>(List.of("gcc", "hello.c"));
                command.addAll(List.of(build));
                Toolchain.run(dir, command.toArray(String[]::new));
                files.add(dir.resolve(build[build.length - 1]));
            }
        }
        List<String> args = new ArrayList<>(List.of("file", "--json"));
        files.forEach(f -> args.add(f.toString()));
        FileOracle.Run run = FileOracle.ours(args.toArray(String[]::new));
        assertThat(run.exitCode()).isZero();
        JsonNode document = new ObjectMapper().readTree(run.out());
        assertThat(document.get("command").asText()).isEqualTo("file");
        JsonNode entries = document.get("files");
        assertThat(entries).hasSize(files.size());
        List<String> theirs = FileOracle.theirs(files);
        for (int i = 0; i < files.size(); i++) {
            JsonNode json = entries.get(i);
            Path file = files.get(i);
            Readelf facts = Readelf.of(file);
            FileLine line = FileLine.parse(theirs.get(i));
            String name = file.getFileName().toString();
            assertThat(json.get("file").asText()).isEqualTo(file.toString());
            assertThat(json.get("description").asText()).as(name).isEqualTo(theirs.get(i));
            assertThat(json.get("class").asInt() + "-bit").as(name).isEqualTo(line.elfClass());
            assertThat(json.get("endianness").asText()).as(name).isEqualTo(line.endianness().equals("LSB") ? "little" : "big");
            assertThat(line.machine()).as(name).startsWith(json.get("machine").get("description").asText());
            assertThat(line.type()).as(name).isEqualTo(json.get("type").get("description").asText());
            boolean relocatable = json.get("type").get("name").asText().equals("ET_REL");
            if (!relocatable) {
                assertThat(json.get("type").get("pie").asBoolean()).as(name + " pie").isEqualTo(facts.pie());
                String linkage = !facts.dynamicSegment() ? "static"
                        : facts.pie() && facts.interpreter() == null && facts.needed() == 0 ? "static-pie" : "dynamic";
                assertThat(json.get("linkage").asText()).as(name + " linkage").isEqualTo(linkage);
            }
            assertThat(json.get("interpreter").isNull() ? null : json.get("interpreter").asText()).as(name)
                    .isEqualTo(facts.interpreter());
            assertThat(json.get("buildId").isNull() ? null : json.get("buildId").get("hex").asText()).as(name)
                    .isEqualTo(facts.buildId());
            if (facts.buildId() != null) {
                assertThat(line.buildId()).as(name).isEqualTo("BuildID[" + json.get("buildId").get("kind").asText()
                        + "]=" + facts.buildId());
            }
            assertThat(json.get("abiTag").isNull() ? null : json.get("abiTag").get("version").asText()).as(name)
                    .isEqualTo(facts.abi());
            assertThat(json.get("stripped").asBoolean()).as(name + " stripped").isEqualTo(!facts.symtab());
            assertThat(json.get("debugInfo").asBoolean()).as(name + " debugInfo").isEqualTo(facts.debugInfo());
            assertThat(json.get("warnings")).as(name).isEmpty();
        }
    }

    /** Every file given has an entry, in order: an unreadable one says why, and the exit code still says so. */
    @Test
    void anUnreadableFileHasAnEntryWithItsError(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "not ELF\n");
        String missing = dir.resolve("missing").toString();
        Cli.Result r = Cli.run("file", "--json", missing, "test-fixtures/vdso/x86_64-linux-6.1-vdso64.so",
                text.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        JsonNode files = new ObjectMapper().readTree(r.stdout()).get("files");
        assertThat(files).hasSize(3);
        assertThat(files.get(0).get("file").asText()).isEqualTo(missing);
        assertThat(files.get(0).get("error").get("message").asText()).isEqualTo("no such file or directory");
        assertThat(files.get(0).get("error").get("exitCode").asInt()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(files.get(1).get("description").asText()).startsWith("ELF 64-bit LSB shared object");
        assertThat(files.get(2).get("error").get("code").asText()).isEqualTo("not-elf");
        assertThat(r.stderr()).contains("vdsoscope: " + missing + ": no such file or directory\n");
    }
}
