package dev.vdsoscope.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.vdsoscope.disasm.CapstoneUnavailableException;
import dev.vdsoscope.disasm.DebugImages;
import dev.vdsoscope.disasm.GateAnalysis;
import dev.vdsoscope.disasm.UnsupportedInstructionSetException;
import dev.vdsoscope.elf.ElfFile;

/**
 * The gate analysis as text and JSON, for {@code gate} and for the report's "System-call gate"
 * section (an output helper: commands do not call each other).
 */
final class GateView {
    private GateView() {}

    /** The distribution's unstripped image of a live vDSO, when its kernel debug package is installed. */
    static Path foundDebugImage(ElfFile liveImage) {
        return DebugImages.find(liveImage, DebugImages.DEFAULT_ROOT, DebugImages.runningKernelRelease()).orElse(null);
    }

    /**
     * The gate analysis of an image for a report: a live image (a process's) with the unstripped image
     * of its kernel when one is installed; an image file as linked.
     */
    private static GateAnalysis.Result analyseForReport(ElfFile image, boolean live)
            throws CapstoneUnavailableException, IOException {
        Path unstripped = live ? foundDebugImage(image) : null;
        try (ElfFile debug = unstripped == null ? null : ElfFile.open(unstripped)) {
            return GateAnalysis.analyse(image, live, Optional.ofNullable(debug));
        }
    }

    /** The report's "System-call gate" section; says what is missing instead when it cannot run. */
    static void reportSection(PrintStream out, ElfFile image, boolean live) {
        try {
            GateAnalysis.Result result = analyseForReport(image, live);
            out.println(live ? "System-call gate (how each function enters the kernel, alternatives as this machine applied them)"
                    : "System-call gate (how each function enters the kernel, as linked)");
            text(out, result, "  ");
            out.println();
        } catch (CapstoneUnavailableException | IOException | RuntimeException e) {
            // The rest of the report stands on its own: say why this part is missing rather than fail.
            out.println("System-call gate: not analysed: " + e.getMessage());
            out.println();
        }
    }

    /** The report's JSON {@code gate} field: the analysis, or {@code {"unavailable": why}}. */
    sealed interface ReportGate permits JsonGate, JsonGateUnavailable {}

    static ReportGate reportJson(ElfFile image, boolean live) {
        try {
            return json(analyseForReport(image, live));
        } catch (CapstoneUnavailableException | IOException | RuntimeException e) {
            return new JsonGateUnavailable(e.getMessage());
        }
    }

    record JsonGateUnavailable(String unavailable) implements ReportGate {}

    /** The analysis as text, each line prefixed by {@code indent} (the report nests it). */
    static void text(PrintStream out, GateAnalysis.Result r, String indent) {
        text(out, r, indent, r.live() ? "on this machine" : "in this image");
    }

    /** {@code where}: where the patched code is, for the summary ("on this machine", "on intel-haswell"). */
    static void text(PrintStream out, GateAnalysis.Result r, String indent, String where) {
        for (String note : r.notes()) {
            out.println(indent + "Note: " + note);
        }
        for (GateAnalysis.FunctionGates f : r.functions()) {
            out.println();
            out.println(indent + String.join(" = ", f.function().names()) + "  0x"
                    + Long.toHexString(f.function().address()) + ": " + f.kind().description());
            for (GateAnalysis.Gate g : f.gates()) {
                if (g.feature().isPresent()) {
                    continue; // shown with its site below
                }
                String call = g.number().isPresent() ? "  " + g.syscall().orElse("system call")
                        + " (" + g.number().getAsLong() + " = 0x" + Long.toHexString(g.number().getAsLong()) + ")"
                        : f.kind() == GateAnalysis.Kind.SYSCALL_GATE ? "  (the caller's system call, number in %eax)"
                        : "  (number not a constant loaded just before)";
                // An entry in a local function this one calls is said where it is.
                String inHelper = g.via() != null && !g.instruction().startsWith("call ") ? "  in " + g.via()
                        + ", a local function it calls" : "";
                out.println(indent + "  0x" + Long.toHexString(g.address()) + "  " + g.instruction() + call + inHelper);
            }
            for (GateAnalysis.Site s : f.sites()) {
                printSite(out, s, indent + "  ");
            }
            story(f, where).ifPresent(line -> out.println(indent + "  " + line));
        }
        r.alternatives().ifPresent(a -> {
            out.println();
            out.println(indent + "Alternatives (.altinstructions: " + a.entries() + " entries, " + a.layout() + ", "
                    + a.sites().size() + " sites; those outside exported functions follow)");
            for (String note : a.notes()) {
                out.println(indent + "  Note: " + note);
            }
            for (GateAnalysis.Site s : a.sites()) {
                boolean shown = r.functions().stream().anyMatch(f -> f.sites().contains(s));
                if (!shown) {
                    printSite(out, s, indent + "  ");
                }
            }
        });
    }

    private static void printSite(PrintStream out, GateAnalysis.Site s, String indent) {
        out.println(indent + "0x" + Long.toHexString(s.address()) + (s.location().isEmpty() ? "" : " " + s.location())
                + ", " + s.length()
                + "-byte patch site");
        switch (s.linkedFrom()) {
            case IMAGE -> s.asLinked().ifPresent(c -> out.println(indent + "    as linked:  " + c.code()));
            case DEBUG_IMAGE -> s.asLinked().ifPresent(c -> out.println(indent + "    as linked:  " + c.code()
                    + "  (" + s.linkedFrom().description() + ")"));
            case INFERRED -> s.asLinked().ifPresent(c -> out.println(indent + "    as linked:  " + c.code() + "  ("
                    + s.linkedFrom().description() + ")"));
            case NOT_RECOVERABLE -> out.println(indent + "    as linked:  " + s.linkedFrom().description());
        }
        for (GateAnalysis.Choice c : s.replacements()) {
            out.println(indent + "    " + (c.inverted() ? "without " : "with ") + c.feature() + " (" + c.featureNumber()
                    + "):  " + c.code());
        }
        s.current().ifPresent(c -> out.println(indent + "    now:  " + c + "  <- " + s.applied().orElse("")));
    }

    /**
     * The story of the ABI's kernel-entry function (i386's {@code __kernel_vsyscall}) in an image,
     * when it has one and an alternative chooses its entry; empty when Capstone or the function is missing.
     */
    static Optional<String> entryStory(ElfFile image, boolean live) {
        try {
            GateAnalysis.Result r = GateAnalysis.analyse(image, live, Optional.empty());
            return r.functions().stream().filter(f -> f.kind() == GateAnalysis.Kind.SYSCALL_GATE)
                    .findFirst().flatMap(f -> story(f, live ? "on this machine" : "in this image"));
        } catch (CapstoneUnavailableException | UnsupportedInstructionSetException e) {
            return Optional.empty();
        }
    }

    /** One sentence for a function whose kernel entry an alternative changes: the three-way story. */
    private static Optional<String> story(GateAnalysis.FunctionGates f, String where) {
        List<String> parts = new ArrayList<>();
        for (GateAnalysis.Site s : f.sites()) {
            boolean changesEntry = s.replacements().stream().anyMatch(c -> c.gate().isPresent());
            if (!changesEntry) {
                continue;
            }
            // As linked: the site's own entry, or (padding there) the first entry after the site.
            Optional<String> linkedEntry = s.asLinked().flatMap(linked -> linked.gate().or(() -> f.gates().stream()
                    .filter(g -> g.feature().isEmpty() && g.address() >= s.address() + s.length())
                    .findFirst().map(GateAnalysis.Gate::instruction)));
            parts.add(linkedEntry.map(e -> e + " as linked" + (s.linkedFrom() == GateAnalysis.LinkedSource.INFERRED
                    ? " (inferred)" : "")).orElse("the code as linked is " + (s.asLinked().isPresent()
                    ? "no kernel entry" : "not recoverable from memory")));
            for (GateAnalysis.Choice c : s.replacements()) {
                c.gate().ifPresent(g -> parts.add(g + " when the CPU " + (c.inverted() ? "lacks " : "has ")
                        + c.feature()));
            }
            s.applied().ifPresent(a -> parts.add(where + ": " + patchedIn(s, a)));
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of("So: " + String.join("; ", parts) + ".");
    }

    /** What a patched site holds, said as what the kernel patched in: "syscall (X86_FEATURE_SYSCALL32)". */
    private static String patchedIn(GateAnalysis.Site s, String applied) {
        String prefix = "replacement for ";
        if (!applied.startsWith(prefix)) {
            return applied;
        }
        String feature = applied.substring(prefix.length());
        return s.replacements().stream().filter(c -> ((c.inverted() ? "NOT " : "") + c.feature()).equals(feature))
                .reduce((a, b) -> b).flatMap(GateAnalysis.Choice::gate)
                .map(gate -> "the kernel patched in " + gate + " (" + feature + ")").orElse(applied);
    }

    record JsonGate(String isa, String syscallTable, boolean live, List<JsonFunction> functions,
            JsonAlternatives alternatives, List<String> notes) implements ReportGate {}

    record JsonFunction(List<String> names, String address, long size, String kind, List<JsonEntry> entries,
            List<JsonSite> sites) {}

    record JsonEntry(String address, String instruction, String via, Long number, String syscall, String feature) {}

    record JsonSite(String address, int length, String location, String asLinked, String asLinkedFrom,
            List<JsonChoice> replacements, String current, String applied) {}

    record JsonChoice(String feature, String featureNumber, boolean inverted, String code, String entersKernelWith) {}

    record JsonAlternatives(String layout, int entries, List<String> notes, List<JsonSite> sites) {}

    static JsonGate json(GateAnalysis.Result r) {
        List<JsonFunction> functions = new ArrayList<>();
        for (GateAnalysis.FunctionGates f : r.functions()) {
            List<JsonEntry> entries = f.gates().stream().map(g -> new JsonEntry("0x" + Long.toHexString(g.address()),
                    g.instruction(), g.via(), g.number().isPresent() ? g.number().getAsLong() : null,
                    g.syscall().orElse(null), g.feature().orElse(null))).toList();
            functions.add(new JsonFunction(f.function().names(), "0x" + Long.toHexString(f.function().address()),
                    f.function().size(), f.kind().name().toLowerCase(), entries, sites(f.sites())));
        }
        JsonAlternatives alternatives = r.alternatives().map(a -> new JsonAlternatives(a.layout(), a.entries(),
                a.notes(), sites(a.sites()))).orElse(null);
        return new JsonGate(r.isa().name(), r.syscalls().name(), r.live(), functions, alternatives, r.notes());
    }

    private static List<JsonSite> sites(List<GateAnalysis.Site> sites) {
        return sites.stream().map(s -> new JsonSite("0x" + Long.toHexString(s.address()), s.length(), s.location(),
                s.asLinked().map(GateAnalysis.Choice::code).orElse(null),
                s.linkedFrom().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                s.replacements().stream().map(c -> new JsonChoice(c.feature(), c.featureNumber(), c.inverted(), c.code(),
                        c.gate().orElse(null))).toList(),
                s.current().orElse(null), s.applied().orElse(null))).toList();
    }
}
