package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.vdsoscope.elf.testing.HostTools;
import dev.vdsoscope.loader.GccAccess;

/** headers decodes what readelf decodes, with readelf run on the same file as the oracle. */
class HeadersReadelfTest {
    /** readelf -d's value words for a tag ("ORIGIN BIND_NOW" for FLAGS, "RELA" for PLTREL). */
    private static String readelfDynamic(Path file, String tag) {
        Pattern line = Pattern.compile("^\\s*0x[0-9a-f]+ \\(" + tag + "\\)\\s+(?:Flags: )?(.*?)\\s*$");
        for (String text : FileOracle.run(List.of("readelf", "-dW", file.toString()))) {
            Matcher m = line.matcher(text);
            if (m.matches()) {
                return m.group(1);
            }
        }
        throw new AssertionError("readelf -d shows no " + tag + " for " + file);
    }

    /** Our decoded words for a tag: what stands in parentheses after the value. */
    private static String ours(String headers, String tag) {
        Matcher m = Pattern.compile("\\n  " + tag + " +0x[0-9a-f]+ \\((.*)\\)\\n").matcher(headers);
        assertThat(m.find()).as("headers shows %s", tag).isTrue();
        return m.group(1);
    }

    @Test
    void dynamicFlagsAndThePltRelocationTypeAreNamedAsReadelfNamesThem(@TempDir Path dir) throws Exception {
        assumeTrue(GccAccess.available(), "needs gcc");
        assumeTrue(HostTools.installed("readelf"), "readelf (binutils) is not installed");
        // A call to puts gives the library a PLT, and so DT_PLTREL.
        Path library = GccAccess.compile(dir.resolve("libflags.so"),
                "#include <stdio.h>\nint f(void) { return puts(\"f\"); }\n", "-shared", "-fPIC", "-Wl,-z,now,-z,origin");
        Cli.Result r = Cli.run("headers", library.toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(ours(r.out(), "DT_FLAGS")).isEqualTo(readelfDynamic(library, "FLAGS"));
        assertThat(ours(r.out(), "DT_FLAGS_1")).isEqualTo(readelfDynamic(library, "FLAGS_1"));
        assertThat(ours(r.out(), "DT_PLTREL")).isEqualTo(readelfDynamic(library, "PLTREL"));
    }

    /** With the section table cut off, readelf -n reads the notes of PT_NOTE; so does headers. */
    @Test
    void notesComeFromPtNoteWhenTheSectionTableCannotBeRead(@TempDir Path dir) throws Exception {
        assumeTrue(HostTools.installed("readelf"), "readelf (binutils) is not installed");
        byte[] image = Files.readAllBytes(Path.of("test-fixtures/vdso/x86_64-linux-6.1-vdso64.so"));
        Path truncated = Files.write(dir.resolve("truncated.so"), Arrays.copyOf(image, 4096));
        List<String> theirs = FileOracle.run(List.of("readelf", "-nW", truncated.toString()));
        List<String> owners = theirs.stream().filter(l -> l.matches("^  \\S+ +0x[0-9a-f]{8}\\t.*"))
                .map(l -> l.trim().split(" +")[0]).toList();
        String buildId = theirs.stream().filter(l -> l.contains("Build ID: ")).findFirst().orElseThrow()
                .replaceAll(".*Build ID: ", "").trim();
        assertThat(owners).hasSize(3);

        Cli.Result r = Cli.run("headers", truncated.toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        String notes = r.out().substring(r.out().indexOf("Notes ("));
        assertThat(notes).startsWith("Notes (" + owners.size() + ")").contains("Build ID: " + buildId);
        assertThat(notes.lines().skip(1).takeWhile(l -> !l.isEmpty()).map(l -> l.trim().split(" +")[0]).toList())
                .isEqualTo(owners);
        assertThat(r.stderr()).contains("warning: notes are read from the PT_NOTE segments");
    }

    /**
     * The flags line of readelf -h for the e_flags each machine's files carry: the fixtures, and one
     * file of each package of the foreign corpus (armhf EABI5 hard-float, mips64el, riscv64, ppc64el)
     * when it is fetched.
     */
    @Test
    void machineFlagsAreDecodedAsReadelfDecodesThem() throws Exception {
        assumeTrue(HostTools.installed("readelf"), "readelf (binutils) is not installed");
        List<Path> files = new java.util.ArrayList<>(dev.vdsoscope.elf.testing.Fixtures.vdsoImages());
        java.util.Map<String, Path> onePerPackage = new java.util.TreeMap<>();
        for (Path p : dev.vdsoscope.testing.ForeignCorpus.files()) {
            onePerPackage.putIfAbsent(p.getParent().toString().replaceAll("/(usr|lib|bin|sbin).*", ""), p);
        }
        files.addAll(onePerPackage.values());
        System.out.println("machine flags compared on " + files.size() + " files (" + onePerPackage.size()
                + " of the foreign corpus)");
        Pattern flags = Pattern.compile("^\\s*Flags:\\s+(.*?)\\s*$");
        for (Path file : files) {
            String theirs = FileOracle.run(List.of("readelf", "-hW", file.toString())).stream()
                    .map(flags::matcher).filter(Matcher::matches).map(m -> m.group(1)).findFirst().orElseThrow();
            Cli.Result r = Cli.run("headers", file.toString());
            String ours = r.out().lines().filter(l -> l.startsWith("  Flags:  ")).findFirst().orElseThrow()
                    .replaceFirst("^  Flags: +", "");
            assertThat(ours).as("%s", file).isEqualTo(theirs);
        }
    }
}
