package dev.vdsoscope.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.vdsoscope.disasm.ImageDiff;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.vdso.ImageTarget;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Compare two images: identity, symbols, versions, sections and code.",
                "Soname, build-id, exported symbols (added, removed, moved, resized), version definitions, "
                        + "sections, and per function whether the code changed. An image is a FILE, pid:N (that "
                        + "process's vDSO) or self (vdsoscope's own vDSO). With one image, the other is --pid N, "
                        + "or else vdsoscope's own vDSO. Exit code 0: no difference; 1: the images differ.",
                Targets.SHADOWED})
final class DiffCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ProcessOptions pidOption;

    @Parameters(arity = "1..2", paramLabel = "IMAGE", description = "FILE, pid:N or self.")
    List<String> images;

    @picocli.CommandLine.Option(names = "--code", description = "Under each changed function, its instructions as a"
            + " diff: '- ' only in A, '+ ' only in B, branch targets and PC-relative displacements normalised.")
    boolean code;

    @Override
    public Integer call() throws Exception {
        if (images.size() > 2) {
            throw new Failure(null, "diff compares two images, not " + images.size(), ExitCode.BAD_INPUT);
        }
        if (images.size() == 2 && pidOption.pid != null) {
            throw new Failure(null, "give two images, or one image and --pid, not both", ExitCode.BAD_INPUT);
        }
        ImageTarget first = Targets.of(images.get(0), null);
        ImageTarget second = images.size() == 2 ? Targets.of(images.get(1), null) : Targets.of(null, pidOption.pid);
        try (ImageTarget.Opened a = Targets.open(first); ImageTarget.Opened b = Targets.open(second)) {
            ImageDiff.Result r;
            try {
                r = ImageDiff.compare(a.elf(), a.description(), b.elf(), b.description());
            } catch (ImageDiff.UnreadableImageException e) {
                throw Failure.of(e.image(), e.getCause());
            } catch (ElfFormatException e) {
                throw Failure.of(first.label() + " or " + second.label(), e);
            }
            if (common.json) {
                Output.json(json(r));
            } else {
                text(Output.out(), r, code);
            }
            return r.differs() ? ExitCode.FINDINGS : ExitCode.OK;
        }
    }

    private static void text(PrintStream out, ImageDiff.Result r, boolean code) {
        out.println("A: " + r.a().name());
        out.println("B: " + r.b().name());
        out.println();
        row(out, "machine", r.a().machine(), r.b().machine());
        row(out, "soname", r.a().soname().orElse("(none)"), r.b().soname().orElse("(none)"));
        row(out, "build-id", r.a().buildId().orElse("(none)"), r.b().buildId().orElse("(none)"));
        out.println();
        out.println("Symbols");
        list(out, "added", r.added());
        list(out, "removed", r.removed());
        for (ImageDiff.Change<Long> c : r.moved()) {
            out.println("  moved    " + String.join(" = ", c.names()) + "  0x" + Long.toHexString(c.before()) + " -> 0x"
                    + Long.toHexString(c.after()));
        }
        for (ImageDiff.Change<Long> c : r.resized()) {
            out.println("  resized  " + String.join(" = ", c.names()) + "  " + c.before() + " -> " + c.after() + " bytes");
        }
        for (ImageDiff.Change<String> c : r.versionChanged()) {
            out.println("  version  " + String.join(" = ", c.names()) + "  " + c.before() + " -> " + c.after());
        }
        if (r.added().isEmpty() && r.removed().isEmpty() && r.moved().isEmpty() && r.resized().isEmpty()
                && r.versionChanged().isEmpty()) {
            out.println("  no difference");
        }
        out.println();
        out.println("Versions");
        list(out, "added", r.versionsAdded());
        list(out, "removed", r.versionsRemoved());
        if (r.versionsAdded().isEmpty() && r.versionsRemoved().isEmpty()) {
            out.println("  no difference");
        }
        out.println();
        out.println("Sections");
        list(out, "added", r.sectionsAdded());
        list(out, "removed", r.sectionsRemoved());
        for (ImageDiff.Change<Long> c : r.sectionsResized()) {
            out.println("  resized  " + String.join(" = ", c.names()) + "  " + c.before() + " -> " + c.after() + " bytes");
        }
        if (r.sectionsAdded().isEmpty() && r.sectionsRemoved().isEmpty() && r.sectionsResized().isEmpty()) {
            out.println("  no difference");
        }
        out.println();
        out.println("Code of the functions in both");
        if (!r.codeCompared()) {
            out.println("  not compared: the two images are of different instruction sets");
        } else if (r.functions().isEmpty()) {
            out.println("  no exported function in both");
        }
        for (ImageDiff.FunctionCode f : r.functions()) {
            String detail = f.verdict() == ImageDiff.CodeVerdict.CHANGED
                    ? "changed " + f.changed() + " of " + f.compared() + " instructions (" + f.instructionsBefore()
                            + " -> " + f.instructionsAfter() + ")"
                    : f.verdict().description() + (f.compared() > 0 ? " (" + f.compared() + " instructions)" : "");
            out.printf("  %-28s %s%n", f.name(), detail);
            if (code) {
                for (String line : f.changes()) {
                    out.println("      " + line);
                }
            }
        }
        for (String note : r.notes()) {
            out.println("Note: " + note);
        }
    }

    private static void row(PrintStream out, String what, String a, String b) {
        out.printf("  %-9s %s%n", what, a.equals(b) ? a + " (same)" : a + " -> " + b);
    }

    private static void list(PrintStream out, String what, List<String> names) {
        if (!names.isEmpty()) {
            out.println("  " + what + (what.length() < 7 ? " ".repeat(7 - what.length()) : "") + "  "
                    + String.join(", ", names));
        }
    }

    record JsonDiff(String command, int schemaVersion, boolean differs, JsonIdentity a, JsonIdentity b,
            JsonSymbols symbols, JsonNames versions, JsonSections sections, boolean codeCompared,
            List<JsonFunction> functions, List<String> notes) {}

    record JsonIdentity(String image, String machine, String soname, String buildId) {}

    record JsonChange(List<String> names, Object before, Object after) {}

    record JsonSymbols(List<String> added, List<String> removed, List<JsonChange> moved, List<JsonChange> resized,
            List<JsonChange> versionChanged) {}

    record JsonNames(List<String> added, List<String> removed) {}

    record JsonSections(List<String> added, List<String> removed, List<JsonChange> resized) {}

    record JsonFunction(String name, String verdict, int instructionsBefore, int instructionsAfter, int changed,
            int compared, List<String> changes) {}

    private static JsonDiff json(ImageDiff.Result r) {
        List<JsonFunction> functions = new ArrayList<>();
        for (ImageDiff.FunctionCode f : r.functions()) {
            functions.add(new JsonFunction(f.name(), f.verdict().name().toLowerCase(), f.instructionsBefore(),
                    f.instructionsAfter(), f.changed(), f.compared(), f.changes()));
        }
        return new JsonDiff("diff", 1, r.differs(), identity(r.a()), identity(r.b()),
                new JsonSymbols(r.added(), r.removed(), addresses(r.moved()), changes(r.resized()),
                        changes(r.versionChanged())),
                new JsonNames(r.versionsAdded(), r.versionsRemoved()),
                new JsonSections(r.sectionsAdded(), r.sectionsRemoved(), changes(r.sectionsResized())),
                r.codeCompared(), functions, r.notes());
    }

    private static JsonIdentity identity(ImageDiff.Identity i) {
        return new JsonIdentity(i.name(), i.machine(), i.soname().orElse(null), i.buildId().orElse(null));
    }

    private static <T> List<JsonChange> changes(List<ImageDiff.Change<T>> list) {
        return list.stream().map(c -> new JsonChange(c.names(), c.before(), c.after())).toList();
    }

    private static List<JsonChange> addresses(List<ImageDiff.Change<Long>> list) {
        return list.stream().map(c -> new JsonChange(c.names(), "0x" + Long.toHexString(c.before()),
                "0x" + Long.toHexString(c.after()))).toList();
    }
}
