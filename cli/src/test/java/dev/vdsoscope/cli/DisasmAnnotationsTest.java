package dev.vdsoscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.vdsoscope.disasm.CapstoneLibrary;
import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.proc.Mapping;
import dev.vdsoscope.proc.Maps;
import dev.vdsoscope.proc.PseudoMapping;

/**
 * What disasm says about the addresses instructions point at, against objdump -d on the same file:
 * the {@code # address <name>} comment of RIP-relative operands (the vDSO's data by its symbols in
 * unstripped images), the names of branch and call targets ({@code <foo@plt>}, {@code <f+0x12>},
 * {@code <first-0x1e>} below every symbol), and the PLT entries objdump heads with {@code <foo@plt>:}.
 * In a live vDSO the kernel's data pages are named by the process's maps, checked against
 * /proc/self/maps read here.
 */
class DisasmAnnotationsTest {
    private static final Path FIXTURES = Path.of("test-fixtures/vdso");
    private static final Pattern INSTRUCTION = Pattern.compile("^\\s*([0-9a-f]+):\\t[^\\t]*\\t(.*)$");
    private static final Pattern OBJDUMP_COMMENT = Pattern.compile("# ([0-9a-f]+)(?: <(.+)>)?$");
    private static final Pattern OUR_COMMENT = Pattern.compile("# 0x([0-9a-f]+)(?: <(.+)>)?$");
    private static final Pattern TARGET_NAME = Pattern.compile(" <([^>]+)>$");
    private static final Pattern HEADER = Pattern.compile("^([0-9a-f]+) <(.+)>:");

    /** What one listing says at each instruction: the comment's address and name, or the branch target's name. */
    private record Annotations(Map<Long, String> comments, Map<Long, String> targets, Map<Long, String> headers) {}

    @ParameterizedTest
    @CsvSource({
            // file, least share of names equal to objdump's (%); addresses must all agree
            "x86_64-linux-6.1-vdso64.so, 100",
            "x86_64-linux-6.12.117-vdso64.so, 100",
            "x86_64-linux-6.18.44-live-vdso.so, 100",
            // objdump names a few .got slots from other symbols than their relocations' (0.99 here)
            "/bin/ls, 98",
            "/usr/bin/bash, 99"})
    void annotationsAgreeWithObjdump(String name, double namesPercent) throws Exception {
        assumeTrue(CapstoneLibrary.find().isPresent(), "Capstone is not installed");
        Path file = name.startsWith("/") ? Path.of(name) : FIXTURES.resolve(name);
        assumeTrue(Files.isRegularFile(file), file + " is not on this machine");
        String objdump = objdump(file);
        assumeTrue(objdump != null, "objdump is not installed");
        Cli.Result r = Cli.run("disasm", file.toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();

        Annotations theirs = annotations(objdump, OBJDUMP_COMMENT);
        Annotations ours = annotations(r.out(), OUR_COMMENT);
        assertThat(theirs.comments()).isNotEmpty();
        int sameNames = 0;
        for (Map.Entry<Long, String> e : theirs.comments().entrySet()) {
            String at = "0x" + Long.toHexString(e.getKey());
            assertThat(ours.comments()).as("a # comment at %s", at).containsKey(e.getKey());
            String[] theirComment = e.getValue().split(" ", 2);
            String[] ourComment = ours.comments().get(e.getKey()).split(" ", 2);
            assertThat(ourComment[0]).as("the address commented at %s", at).isEqualTo(theirComment[0]);
            if (ourComment.length == theirComment.length
                    && (ourComment.length == 1 || ourComment[1].equals(theirComment[1]))) {
                sameNames++;
            }
        }
        assertThat(100.0 * sameNames / theirs.comments().size()).as("names of %s comments",
                theirs.comments().size()).isGreaterThanOrEqualTo(namesPercent);

        int sameTargets = 0;
        for (Map.Entry<Long, String> e : theirs.targets().entrySet()) {
            if (e.getValue().equals(ours.targets().get(e.getKey()))) {
                sameTargets++;
            }
        }
        // Branch targets: every one objdump names, named alike (binutils prefers a symbol of the
        // target's own section, which decides a few names in other files than these).
        assertThat(sameTargets).as("branch targets named as objdump names them, of %s", theirs.targets().size())
                .isEqualTo(theirs.targets().size());
        // objdump heads each PLT entry <foo@plt>: so does disasm.
        theirs.headers().forEach((address, header) -> {
            if (header.endsWith("@plt")) {
                assertThat(ours.headers()).containsEntry(address, header);
            }
        });
    }

    @Test
    void aLiveVdsoNamesTheKernelDataItReadsByTheProcessMaps() throws Exception {
        assumeTrue(CapstoneLibrary.find().isPresent(), "Capstone is not installed");
        Maps maps = LinuxProcess.self().maps();
        Mapping vdso = maps.find(PseudoMapping.VDSO).orElse(null);
        assumeTrue(vdso != null, "this process has no vDSO");
        List<Mapping> data = maps.mappings().stream()
                .filter(m -> m.pseudo() == PseudoMapping.VVAR || m.pseudo() == PseudoMapping.VVAR_VCLOCK).toList();
        assumeTrue(!data.isEmpty(), "no [vvar] mapping next to the vDSO on this kernel");
        Cli.Result r = Cli.run("disasm", "self");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        Pattern named = Pattern.compile("# 0x([0-9a-f]+) <(\\[vvar[a-z_]*\\])\\+0x([0-9a-f]+)>$");
        int seen = 0;
        for (String line : r.out().split("\n")) {
            Matcher m = named.matcher(line);
            if (m.find()) {
                seen++;
                // The vDSO of today's kernels is linked at 0: its address a is at vdso.start + a in memory.
                long inMemory = vdso.start() + Long.parseUnsignedLong(m.group(1), 16);
                Mapping mapping = data.stream().filter(d -> d.path().equals(m.group(2))).findFirst().orElseThrow();
                assertThat(inMemory).as(line).isEqualTo(mapping.start() + Long.parseLong(m.group(3), 16));
                assertThat(mapping.contains(inMemory)).as(line).isTrue();
            }
        }
        assertThat(seen).as("RIP-relative reads of [vvar] in the live vDSO").isPositive();
    }

    private static Annotations annotations(String listing, Pattern comment) {
        Map<Long, String> comments = new TreeMap<>();
        Map<Long, String> targets = new TreeMap<>();
        Map<Long, String> headers = new TreeMap<>();
        for (String line : listing.split("\n")) {
            Matcher header = HEADER.matcher(line);
            if (header.find()) {
                headers.put(Long.parseUnsignedLong(header.group(1), 16), header.group(2));
                continue;
            }
            Matcher insn = INSTRUCTION.matcher(line);
            if (!insn.find()) {
                continue;
            }
            long address = Long.parseLong(insn.group(1), 16);
            Matcher c = comment.matcher(insn.group(2));
            if (c.find()) {
                comments.put(address, c.group(1) + (c.group(2) == null ? "" : " " + c.group(2)));
                continue;
            }
            Matcher t = TARGET_NAME.matcher(insn.group(2));
            if (t.find()) {
                targets.put(address, t.group(1));
            }
        }
        return new Annotations(comments, targets, headers);
    }

    private static String objdump(Path file) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("objdump", "-d", file.toString()).redirectErrorStream(true).start();
        } catch (IOException notInstalled) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
