package dev.vdsoscope.readme;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.vdsoscope.cli.Cli;
import dev.vdsoscope.linux.CompatProbe;
import dev.vdsoscope.vdso.ImageTarget;

/**
 * The README's sample outputs: each is a block
 *
 * <pre>
 * &lt;!-- sample: ./vdsoscope ARGS --&gt;
 * ```text
 * $ ./vdsoscope ARGS
 * OUTPUT
 * ```
 * </pre>
 *
 * whose OUTPUT is what the tool prints for ARGS. A sample of {@code compat:i386} needs a kernel that
 * runs 32-bit x86 programs. {@code scripts/readme-samples} rewrites every block
 * from a fresh run (this class's main), and ReadmeSamplesTest checks that they still match.
 */
public final class ReadmeSamples {
    static final Path README = Path.of("README.md");
    private static final Pattern BLOCK = Pattern.compile(
            "<!-- sample: \\./vdsoscope ?([^>]*?) -->\\n```text\\n\\$ \\./vdsoscope[^\\n]*\\n(.*?)```\\n", Pattern.DOTALL);
    private static final Pattern MACHINE = Pattern.compile("<!-- samples recorded on: ([^>]*?) -->");

    /** One sample: its arguments as written and the output the README shows. */
    record Sample(String arguments, String output) {
        List<String> args() {
            return arguments.isBlank() ? List.of() : List.of(arguments.trim().split(" +"));
        }

        boolean needsI386() {
            return args().contains(ImageTarget.COMPAT_I386);
        }
    }

    /** Why no 32-bit x86 process can run here, or empty when one can. */
    static Optional<String> whyNoI386() {
        try (CompatProbe probe = CompatProbe.start()) {
            return probe.pid() > 0 ? Optional.empty() : Optional.of("no pid");
        } catch (CompatProbe.UnavailableException e) {
            return Optional.of(e.getMessage());
        }
    }

    private ReadmeSamples() {}

    static List<Sample> samples(String readme) {
        List<Sample> samples = new ArrayList<>();
        Matcher m = BLOCK.matcher(readme);
        while (m.find()) {
            samples.add(new Sample(m.group(1), m.group(2)));
        }
        return samples;
    }

    /** The machine the samples were recorded on, as the README says. */
    static String recordedOn(String readme) {
        Matcher m = MACHINE.matcher(readme);
        return m.find() ? m.group(1) : "";
    }

    /** This machine: kernel release and CPU model, the two things the samples depend on most. */
    static String thisMachine() throws IOException {
        String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        String model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown CPU");
        return "Linux " + release + ", " + model;
    }

    /**
     * A line with what differs from run to run made equal: addresses and other hex numbers, build
     * ids, every number on its own (pids, sizes, nanoseconds), runs of blanks (columns widen with
     * their numbers), and the report's speed line after its label (the JIT may not have settled
     * within the report's 0.3 s).
     */
    static String masked(String line) {
        if (line.startsWith("Speed of time calls:")) {
            return "Speed of time calls: ...";
        }
        // A number on its own (not inside a name such as linux-vdso.so.1, x86-64 or LINUX_2.6).
        return line.replaceAll("0x[0-9a-f]+", "0x?").replaceAll("\\b[0-9a-f]{12,}\\b", "?")
                .replaceAll("(?<![A-Za-z_.-])\\d+(\\.\\d+)*(?![A-Za-z_-]|\\.\\d)", "#")
                .replaceAll("[ \\t]+", " ").strip();
    }

    /** What the tool prints for these arguments, run in this JVM. */
    static String run(List<String> args) {
        Cli.Result run = Cli.run(args.toArray(String[]::new));
        return run.out() + run.stderr();
    }

    /** {@code scripts/readme-samples}: every sample block of README.md rewritten from a fresh run. */
    public static void main(String[] args) throws Exception {
        String readme = Files.readString(README);
        Optional<String> noI386 = whyNoI386();
        StringBuilder rewritten = new StringBuilder();
        Matcher m = BLOCK.matcher(readme);
        int last = 0;
        while (m.find()) {
            Sample sample = new Sample(m.group(1), m.group(2));
            if (sample.needsI386() && noI386.isPresent()) {
                throw new IllegalStateException("cannot record " + sample.arguments() + ": " + noI386.get());
            }
            String output = run(sample.args());
            String marker = ("./vdsoscope " + sample.arguments()).strip();
            rewritten.append(readme, last, m.start()).append("<!-- sample: ").append(marker).append(" -->\n```text\n$ ")
                    .append(marker).append('\n').append(output).append("```\n");
            last = m.end();
        }
        rewritten.append(readme.substring(last));
        String result = MACHINE.matcher(rewritten).replaceFirst(
                Matcher.quoteReplacement("<!-- samples recorded on: " + thisMachine() + " -->"));
        Files.writeString(README, result);
    }
}
