package dev.vdsoscope.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.compat.LddOutput;
import dev.vdsoscope.compat.LddScript;
import dev.vdsoscope.loader.Attempt;
import dev.vdsoscope.loader.BindMode;
import dev.vdsoscope.loader.BindingProblem;
import dev.vdsoscope.loader.Bindings;
import dev.vdsoscope.loader.CheckSummary;
import dev.vdsoscope.loader.ElfObject;
import dev.vdsoscope.loader.Hwcaps;
import dev.vdsoscope.loader.LoadResult;
import dev.vdsoscope.loader.LoadedLibrary;
import dev.vdsoscope.loader.Loader;
import dev.vdsoscope.loader.LoaderException;
import dev.vdsoscope.loader.LoaderOptions;
import dev.vdsoscope.loader.Verification;
import dev.vdsoscope.loader.VersionProblem;
import dev.vdsoscope.loader.VersionRequirement;
import dev.vdsoscope.loader.cpu.CpuProfile;
import dev.vdsoscope.loader.cpu.GlibcTunables;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ldd", mixinStandardHelpOptions = true,
        description = {"List the shared libraries a program would load, without running it or its loader.",
                "Follows glibc 2.36's search order (or musl's for ld-musl programs), and prints ldd's exact lines"
                        + " with --style=ldd."},
        exitCodeListHeading = Main.EXIT_CODE_HEADING,
        exitCodeList = {ExitCode.OK + ":every library found",
                ExitCode.FINDINGS + ":a library is missing, or ld.so would stop at or refuse a file; with --style=ldd, ldd's own: a file is"
                        + " not a dynamic executable, cannot be read, or makes ld.so stop or crash (a missing library is"
                        + " not a failure)",
                ExitCode.BAD_INPUT + ":bad input (a missing file, not ELF, a file ld.so would crash on); with --style=ldd: a file vdsoscope"
                        + " cannot follow ld.so into",
                ExitCode.PERMISSION + ":permission denied", Main.EXIT_MISSING_ENVIRONMENT, Main.EXIT_BROKEN_PIPE})
final class LddCommand implements Callable<Integer> {
    enum Style { clear, ldd }

    @Mixin
    CommonOptions common;

    @Option(names = "--style", paramLabel = "STYLE",
            description = "clear (default): names, paths and what they are; ldd: ldd's exact lines.")
    Style style = Style.clear;

    @Option(names = "--tree", description = "Show who pulled in whom (each library under the first object that needs it).")
    boolean tree;

    @Option(names = "--why", description = "Show which rule found each library, and every place searched for a missing one.")
    boolean why;

    @Option(names = {"-v", "--verbose"}, description = "Also the versions each object needs and where they are found"
            + " (ldd -v's \"Version information\").")
    boolean verbose;

    @Option(names = {"-r", "--function-relocs"}, description = {"Also bind every symbol of every object, data and"
            + " functions, as ld.so would (ldd -r): undefined symbols, copy relocations whose size changed.",
            "With many files, ends with a summary of what would fail to load or bind, and why."})
    boolean functionRelocs;

    @Option(names = {"-d", "--data-relocs"}, description = "The same for data relocations only (ldd -d): function"
            + " symbols are left for their first call, unless the object binds now.")
    boolean dataRelocs;

    @Option(names = "--root", paramLabel = "DIR", description = "Resolve inside a sysroot (its etc/ld.so.cache, etc/ld.so.conf, lib dirs).")
    Path root;

    @Option(names = "--library-path", paramLabel = "PATH", description = "Use PATH as LD_LIBRARY_PATH (default: the environment's).")
    String libraryPath;

    @Option(names = "--hwcaps", split = ",", paramLabel = "SUBDIR",
            description = "glibc-hwcaps subdirectories to search, best first, instead of this CPU's"
                    + " (e.g. x86-64-v3,x86-64-v2; empty for none).")
    List<String> hwcaps;

    @Option(names = "--cpu", paramLabel = "PROFILE",
            description = {"Whose CPU decides the hwcaps subdirectories and $PLATFORM: host (the default:",
                    "this CPU, read with the cpuid instruction), ld.so (this machine's ld.so asked, by running",
                    "`ld.so --list-diagnostics`), a recorded CPU by name (--cpu list lists them), or a file:",
                    "a CPUID dump (AIDA64/InstLatx64 format) or another machine's `ld.so --list-diagnostics`."})
    String cpu;

    @Option(names = "--tunables", paramLabel = "VALUE",
            description = "GLIBC_TUNABLES as ld.so would see it (default: the environment's; empty for none).")
    String tunables;

    @Parameters(arity = "0..*", paramLabel = "FILE")
    List<String> files = List.of();

    /** ldd's output, made when the first file needs it (its script is read then). */
    private LddOutput lddOutput;
    /** Whether ldd has given up on the run ("exited with unknown exit code"): later files are not read. */
    private boolean lddGaveUp;

    /**
     * {@code ldd --style=ldd FILE...} without picocli (Main's fast path): every other option has its
     * default, as picocli would leave it.
     */
    static int lddStyle(List<String> files) {
        LddCommand command = new LddCommand();
        command.common = new CommonOptions();
        command.style = Style.ldd;
        command.files = files;
        return command.call();
    }

    @Override
    public Integer call() {
        LoaderOptions options = LoaderOptions.system();
        if (root != null) {
            if (!Files.isDirectory(root)) {
                throw new Failure(root.toString(), "--root is not a directory", ExitCode.BAD_INPUT);
            }
            options = options.withRoot(root);
        }
        if (libraryPath != null) {
            options = options.withLibraryPath(Optional.of(libraryPath));
        }
        options = options.withHwcaps(Optional.ofNullable(hwcaps)
                .map(list -> list.stream().filter(name -> !name.isBlank()).toList()));
        if (cpu != null && cpu.equals("list")) {
            for (String name : CpuProfile.recordedNames()) {
                Output.out().println(name);
            }
            return ExitCode.OK;
        }
        if (files.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "Missing required parameter: 'FILE'");
        }
        if (cpu != null) {
            try {
                options = options.withCpu(CpuProfile.load(cpu));
            } catch (CpuProfile.ProfileException e) {
                throw new Failure(null, "--cpu " + e.getMessage(), ExitCode.BAD_INPUT, e);
            } catch (IOException e) {
                throw Failure.of("--cpu " + cpu, e);
            }
        }
        if (tunables != null) {
            options = options.withTunables(GlibcTunables.parse(tunables, System.getenv("LD_HWCAP_MASK")));
        }
        Loader loader = new Loader(options);
        List<Object> documents = new ArrayList<>();
        Batch batch = common.json ? new Batch().recordingFailuresIn(documents) : new Batch();
        CheckSummary summary = new CheckSummary();
        boolean[] lddFailed = {false};
        batch.each(files, file -> {
            if (lddGaveUp) {
                return;
            }
            if (style == Style.ldd && !common.json) {
                Optional<String> refused = LddOutput.precheck(file);
                if (refused.isPresent()) {
                    if (files.size() > 1) {
                        Output.out().print(LddOutput.header(file));
                    }
                    Output.out().flush();
                    Output.err().println(Failure.oneLine(refused.get()));
                    lddFailed[0] = true;
                    return;
                }
            }
            LoadResult result;
            try {
                result = resolve(loader, file, style == Style.ldd && !common.json);
            } catch (Failure failure) {
                if (style == Style.ldd && !common.json && failure.exitCode() == ExitCode.FINDINGS) {
                    // ldd fails such a file with status 1; a crash of ld.so (BAD_INPUT) stays 2.
                    lddFailed[0] = true;
                    Output.out().flush();
                    Output.err().println(failure.line());
                    return;
                }
                throw failure;
            }
            Bindings bindings = bindMode().map(mode -> loader.bind(result, mode)).orElse(Bindings.NONE);
            if (result.verification() != Verification.NOT_ELF && result.verification() != Verification.NO_LOADER) {
                summary.add(result, bindings);
            }
            List<String> warnings = new ArrayList<>(loader.drainWarnings());
            if (style != Style.ldd || common.json) {
                warnings.addAll(bindings.notes());
            }
            if (common.json) {
                documents.add(json(result, loader, bindings));
            } else if (style == Style.ldd) {
                lddFailed[0] |= !ldd(result, bindings);
            } else if (tree) {
                tree(result);
            } else {
                clear(result, loader, bindings);
            }
            if (style != Style.ldd || common.json) {
                try {
                    findings(batch, result, bindings);
                } catch (Failure answered) {
                    batch.failAnswered(answered);
                    return;
                }
            }
            warnings.addAll(result.warnings());
            Batch.warn(file, warnings);
        });
        if (common.json) {
            Output.json(new JsonDocument("ldd", 2, documents, json(summary, files.size())));
        } else if (style == Style.clear && !tree && files.size() > 1) {
            printSummary(summary, files.size());
        }
        if (style == Style.ldd && !common.json) {
            int unfollowed = batch.exitCode() == ExitCode.OK ? ExitCode.OK : ExitCode.BAD_INPUT;
            return Math.max(unfollowed, lddFailed[0] ? ExitCode.FINDINGS : ExitCode.OK);
        }
        return batch.exitCode();
    }

    /**
     * The default style's exit status: a missing library, a file ld.so refuses or stops at is a
     * finding; a file that is not ELF, or for a machine without a loader model, is bad input.
     */
    private static void findings(Batch batch, LoadResult result, Bindings bindings) {
        if (result.crash().isPresent()) {
            throw new Failure(result.file(), result.crash().get().describe(), ExitCode.BAD_INPUT);
        }
        switch (result.verification()) {
            case NOT_ELF -> throw new Failure(result.file(), "not an ELF file", ExitCode.BAD_INPUT);
            case NO_LOADER -> throw new Failure(result.file(), result.reason().orElse("no loader model"),
                    ExitCode.BAD_INPUT);
            case REFUSED -> batch.finding();
            default -> {
                if (!result.missing().isEmpty() || result.failure().isPresent()
                        || result.versions().problems().stream().anyMatch(VersionProblem::fatal)
                        || bindings.undefined() > 0 || bindings.stop().isPresent()) {
                    batch.finding();
                }
            }
        }
    }

    private static LoadResult resolve(Loader loader, String file, boolean lddStyle) throws IOException {
        try {
            return loader.resolve(file);
        } catch (LoaderException e) {
            // vdsoscope cannot follow ld.so here (or ld.so would hang): no answer of ldd's says that.
            throw new Failure(file, e.getMessage(), ExitCode.BAD_INPUT, e);
        } catch (IOException e) {
            Failure failure = symbolicLinkLoop(file, e) ? new Failure(file, "too many levels of symbolic links",
                    ExitCode.BAD_INPUT, e) : Failure.of(file, e);
            throw lddStyle ? new Failure(file, failure.getMessage(), ExitCode.FINDINGS, e) : failure;
        }
    }

    /**
     * Whether opening failed because of a loop of symbolic links: the name is a link (lstat works)
     * that cannot be followed for a reason other than a missing target or a permission.
     */
    private static boolean symbolicLinkLoop(String file, IOException e) {
        return e instanceof java.nio.file.FileSystemException && !(e instanceof java.nio.file.NoSuchFileException)
                && !(e instanceof java.nio.file.AccessDeniedException) && Files.isSymbolicLink(Path.of(file));
    }

    /**
     * ldd's output for one file: the "FILE:" header when there are several files, then ldd's lines,
     * standard output in one piece. Returns false where ldd fails the file (status 1).
     */
    private boolean ldd(LoadResult result, Bindings bindings) {
        LddOutput.Block block = lddOutput().render(result, bindings, verbose);
        String text = files.size() > 1 ? LddOutput.header(result.file()) + block.out() : block.out();
        // As bytes: the same UTF-8 the stream would encode, without its per-call encoder.
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Output.out().write(bytes, 0, bytes.length);
        if (block.err().isPresent()) {
            Output.out().flush();
            Output.err().println(block.err().get());
        }
        lddGaveUp |= block.endsRun();
        return !block.failed();
    }

    /** -r or -d: which relocations ld.so is to process (ldd's script: -r wins). */
    private Optional<BindMode> bindMode() {
        return functionRelocs ? Optional.of(BindMode.FUNCTIONS) : dataRelocs ? Optional.of(BindMode.DATA) : Optional.empty();
    }

    private LddOutput lddOutput() {
        if (lddOutput == null) {
            lddOutput = new LddOutput(LddScript.system());
        }
        return lddOutput;
    }

    /** How many of each thing a summary line names before "and N more". */
    private static final int SUMMARY_NAMES = 5;

    /** The relocations checked, as JSON's {@code bindings.relocations} says them: "functions" (-r, all), "data" (-d), or null. */
    private String relocationsChecked() {
        return bindMode().map(mode -> mode == BindMode.FUNCTIONS ? "functions" : "data").orElse(null);
    }

    private JsonSummary json(CheckSummary s, int arguments) {
        return new JsonSummary(arguments, s.files(), relocationsChecked(), s.clean(), s.cleanWithWarnings(),
                s.staticallyLinked(), s.notDynamic(), s.failing(), s.missingLibrary(), s.loadStops(),
                s.missingVersion(), s.undefinedSymbols(), s.undefinedReferences(), s.relocationStops(), s.crashes(),
                s.libraries(), s.versions(), s.symbols());
    }

    /** The batch's account for a packager, after the files: what would fail, and the names most files share. */
    private void printSummary(CheckSummary s, int arguments) {
        PrintStream out = Output.out();
        out.println();
        String checked = bindMode().map(mode -> mode == BindMode.FUNCTIONS
                ? "libraries, versions and all relocations checked"
                : "libraries, versions and data relocations checked")
                .orElse("libraries and versions checked; -r also binds symbols");
        out.println("Summary: " + s.files() + " ELF " + (s.files() == 1 ? "file" : "files") + " (" + checked + ")");
        int width = Integer.toString(Math.max(arguments, 1)).length();
        String bound = bindMode().isPresent() ? "load and bind" : "load";
        summaryLine(out, width, "  ", s.clean(), bound + " cleanly" + (s.cleanWithWarnings() == 0 ? ""
                : " (" + s.cleanWithWarnings() + " with warnings)"), List.of(), true);
        summaryLine(out, width, "  ", s.staticallyLinked(), "statically linked", List.of(), false);
        summaryLine(out, width, "  ", s.notDynamic(), "not dynamic programs (no dynamic table, or refused by ld.so)",
                List.of(), false);
        summaryLine(out, width, "  ", s.failing(), "would fail to start or to run" + (s.failing() > 0 ? ":" : ""),
                List.of(), true);
        summaryLine(out, width, "    ", s.missingLibrary(), "miss a library", s.libraries(), false);
        summaryLine(out, width, "    ", s.loadStops(), "stop ld.so while it loads them", List.of(), false);
        summaryLine(out, width, "    ", s.missingVersion(), "need a version no library defines", s.versions(), false);
        summaryLine(out, width, "    ", s.undefinedSymbols(), "have undefined symbols (" + s.undefinedReferences()
                + " references)", s.symbols(), false);
        summaryLine(out, width, "    ", s.relocationStops(), "stop ld.so while it relocates them", List.of(), false);
        summaryLine(out, width, "    ", s.crashes(), "make ld.so die", List.of(), false);
        summaryLine(out, width, "  ", arguments - s.files(), "other arguments not checked (see the errors)",
                List.of(), false);
    }

    private static void summaryLine(PrintStream out, int width, String indent, long count, String what,
            List<CheckSummary.Tally> names, boolean evenIfNone) {
        if (count == 0 && !evenIfNone) {
            return;
        }
        StringBuilder line = new StringBuilder(indent).append(String.format("%" + width + "d ", count)).append(what);
        for (int i = 0; i < names.size() && i < SUMMARY_NAMES; i++) {
            CheckSummary.Tally t = names.get(i);
            line.append(i == 0 ? ": " : ", ").append(t.name()).append(" (").append(t.files())
                    .append(t.files() == 1 ? " file)" : " files)");
        }
        if (names.size() > SUMMARY_NAMES) {
            line.append(" and ").append(names.size() - SUMMARY_NAMES).append(" more");
        }
        out.println(line);
    }

    /** The default view: one aligned line per object, saying what it is, and why with --why. */
    private void clear(LoadResult result, Loader loader, Bindings bindings) {
        if (result.verification() == Verification.NOT_ELF || result.verification() == Verification.NO_LOADER) {
            return; // an error, said by findings()
        }
        PrintStream out = Output.out();
        out.println(result.file() + ": " + summary(result, bindings));
        if (result.verification() != Verification.DYNAMIC) {
            return;
        }
        int width = result.listing().stream().mapToInt(l -> l.name().length()).max().orElse(0);
        for (LoadedLibrary library : result.listing()) {
            String name = library.name() + " ".repeat(width - library.name().length());
            out.println("  " + name + "  " + describe(library));
            if (why) {
                explain(out, library, "      ");
            }
        }
        for (VersionProblem p : result.versions().problems()) {
            out.println("  " + (p.fatal() ? "version missing: " : "version warning: ") + p.object() + ": " + p.message());
            if (why && !p.defined().isEmpty()) {
                out.println("      it defines " + definedVersions(p.defined()));
            }
        }
        result.failure().ifPresent(f -> out.println("  ld.so stops here: " + f.object() + ": " + f.message()));
        result.crash().ifPresent(c -> out.println("  ld.so dies here: " + c.object() + ": " + c.signal() + ", "
                + c.explanation()));
        for (BindingProblem p : bindings.problems()) {
            out.println("  " + describe(p));
        }
        bindings.stop().ifPresent(f -> out.println("  ld.so stops relocating: " + (f.object().isEmpty() ? f.message()
                : f.object() + ": " + f.message())));
        if (verbose) {
            versions(out, result);
        }
        if (why && result.abi().isPresent()) {
            explainCapabilities(out, loader.hwcaps(result.abi().get()));
        }
    }

    /** The versions an object defines, the newest (last) ones when there are many. */
    private static String definedVersions(List<String> defined) {
        int shown = Math.min(defined.size(), 6);
        String last = String.join(", ", defined.subList(defined.size() - shown, defined.size()));
        return shown == defined.size() ? last : defined.size() + " versions, the last " + last;
    }

    /** -v: the versions each object needs, grouped by object, and where each is found. */
    private static void versions(PrintStream out, LoadResult result) {
        String object = null;
        for (VersionRequirement r : result.versionRequirements()) {
            if (!r.requiredBy().equals(object)) {
                object = r.requiredBy();
                out.println("  " + object + " needs:");
            }
            out.println("      " + r.file() + " " + r.version() + (r.weak() ? " (weak)" : "") + "  "
                    + r.foundIn().map(f -> "in " + f).orElse("NOT FOUND"));
        }
    }

    /** --why: the CPU facts the search used, and the subdirectories they give. */
    private static void explainCapabilities(PrintStream out, Hwcaps hwcaps) {
        out.println("  capabilities: " + hwcaps.source());
        out.println("      $PLATFORM: " + hwcaps.platform().orElse("(none: paths that use it are dropped)"));
        out.println("      glibc-hwcaps subdirectories: "
                + (hwcaps.glibcHwcaps().isEmpty() ? "none" : String.join(", ", hwcaps.glibcHwcaps())));
        out.println("      legacy subdirectories: " + (hwcaps.legacy().isEmpty() ? "none (not searched by this glibc)"
                : "every combination of " + String.join(", ", hwcaps.legacy())));
        for (String note : hwcaps.notes()) {
            out.println("      note: " + note);
        }
    }

    /** A binding problem in the default view's words. */
    private static String describe(BindingProblem p) {
        return switch (p.kind()) {
            case UNDEFINED -> "undefined symbol: " + p.symbol() + p.version().map(v -> " (version " + v + ")").orElse("")
                    + ", referenced by " + p.object() + " (" + p.relocation() + ")";
            case SIZE_CHANGED -> "size changed: " + p.symbol() + ", copied by " + p.object() + " from "
                    + p.definedIn().orElse("?") + " (relink the program)";
            case OVERFLOW_32, OVERFLOW_PC32 -> "relocation overflow: " + p.symbol() + " in " + p.object() + " does not fit "
                    + p.relocation();
            case PROTECTED_COPY -> "protected symbol copied: " + p.symbol() + " of " + p.definedIn().orElse("?");
            case PROTECTED_FUNCTION -> "protected function's address taken: " + p.symbol() + " of "
                    + p.definedIn().orElse("?");
        };
    }

    private static String summary(LoadResult result, Bindings bindings) {
        String abi = result.abi().map(LinuxAbi::displayName).orElse("unknown machine");
        return switch (result.verification()) {
            case NOT_DYNAMIC -> "not a dynamic executable (" + abi + ", no dynamic table)";
            case REFUSED, NOT_ELF, NO_LOADER -> "not a dynamic executable (" + abi + ", "
                    + result.reason().orElse("refused") + ")";
            case STATICALLY_LINKED -> "statically linked (" + abi + ", needs no libraries)";
            case CRASHES -> "ld.so dies mapping it (" + abi + ", " + result.crash().map(c -> c.signal().name())
                    .orElse("a signal") + ")";
            case DYNAMIC -> abi + ", " + (result.musl() ? "musl" : "glibc") + " rules, "
                    + count(result.listing().stream().filter(l -> l.kind() == LoadedLibrary.Kind.FILE).count())
                    + (result.missing().isEmpty() ? "" : ", " + result.missing().size() + " missing")
                    + versionSummary(result)
                    + (result.failure().isPresent() ? ", ld.so stops" : "")
                    + (bindings.undefined() == 0 ? "" : ", " + bindings.undefined() + " undefined "
                            + (bindings.undefined() == 1 ? "symbol" : "symbols"))
                    + (bindings.stop().isPresent() ? ", ld.so stops relocating" : "");
        };
    }

    private static String versionSummary(LoadResult result) {
        long missing = result.versions().problems().stream().filter(VersionProblem::fatal).count();
        return missing == 0 ? "" : ", " + missing + (missing == 1 ? " version" : " versions") + " missing";
    }

    private static String count(long libraries) {
        return libraries + (libraries == 1 ? " library" : " libraries");
    }

    private static String describe(LoadedLibrary library) {
        return switch (library.kind()) {
            case VDSO -> "[kernel vDSO: provided by the kernel, not a file]";
            case INTERPRETER -> library.path().filter(p -> !p.equals(library.name())).map(p -> p + "  ")
                    .orElse("") + "[interpreter]";
            case NOT_FOUND -> "NOT FOUND (needed by " + library.loadedBy().map(LddCommand::label).orElse("?") + ")";
            default -> library.path().orElse("");
        };
    }

    private static String label(LoadedLibrary library) {
        return library.path().orElse(library.name());
    }

    private static void explain(PrintStream out, LoadedLibrary library, String indent) {
        switch (library.kind()) {
            case FILE -> {
                out.println(indent + "found by " + library.reason());
                for (Attempt attempt : library.attempts()) {
                    if (!attempt.outcome().equals("no such file")) {
                        out.println(indent + "passed over " + attempt.place() + ": " + attempt.outcome());
                    }
                }
            }
            case NOT_FOUND -> {
                if (library.attempts().isEmpty()) {
                    out.println(indent + "searched nowhere");
                }
                for (Attempt attempt : library.attempts()) {
                    String source = attempt.source().isEmpty() ? attempt.rule().description() : attempt.source();
                    out.println(indent + "searched " + source + ": " + attempt.place() + " (" + attempt.outcome() + ")");
                }
            }
            default -> out.println(indent + library.reason());
        }
    }

    /** lddtree's view: each library indented under the first object that needs it. */
    private void tree(LoadResult result) {
        if (result.verification() == Verification.NOT_ELF || result.verification() == Verification.NO_LOADER) {
            return; // an error, said by findings()
        }
        PrintStream out = Output.out();
        String interpreter = result.main().elf().flatMap(ElfObject::interpreter)
                .map(i -> " (interpreter => " + i + ")").orElse("");
        out.println(result.file() + interpreter);
        if (result.verification() != Verification.DYNAMIC) {
            out.println("    " + summary(result, Bindings.NONE));
            return;
        }
        branch(out, result.main(), 1, new HashSet<>());
        result.failure().ifPresent(f -> out.println("    ld.so stops here: " + f.object() + ": " + f.message()));
        result.crash().ifPresent(c -> out.println("    ld.so dies here: " + c.object() + ": " + c.signal() + ", "
                + c.explanation()));
    }

    private void branch(PrintStream out, LoadedLibrary parent, int depth, Set<LoadedLibrary> shown) {
        for (LoadedLibrary child : parent.needs()) {
            boolean firstHere = child.loadedBy().orElse(null) == parent && shown.add(child);
            if (!firstHere && child.kind() != LoadedLibrary.Kind.NOT_FOUND) {
                continue;
            }
            String indent = "    ".repeat(depth);
            String target = switch (child.kind()) {
                case NOT_FOUND -> "not found";
                case VDSO -> "[kernel vDSO]";
                default -> label(child);
            };
            out.println(indent + child.name() + " => " + target);
            if (why) {
                explain(out, child, indent + "  # ");
            }
            if (child.kind() == LoadedLibrary.Kind.FILE) {
                branch(out, child, depth + 1, shown);
            }
        }
    }

    /** JSON gives only the vDSO's address, the one real address (this process's). */
    private JsonFile json(LoadResult result, Loader loader, Bindings bindings) {
        long[] addresses = lddOutput().addresses(result);
        List<JsonLibrary> libraries = new ArrayList<>();
        List<LoadedLibrary> listing = result.listing();
        for (int i = 0; i < listing.size(); i++) {
            LoadedLibrary library = listing.get(i);
            List<JsonAttempt> searched = library.attempts().stream()
                    .map(a -> new JsonAttempt(a.rule().name(), a.source(), a.place(), a.outcome())).toList();
            libraries.add(new JsonLibrary(library.name(), library.kind().name().toLowerCase().replace('_', '-'),
                    library.path().orElse(null), library.rule().name(), library.reason(),
                    library.loadedBy().map(LddCommand::label).orElse(null),
                    library.needs().stream().map(LoadedLibrary::name).toList(),
                    addresses != null && library.kind() == LoadedLibrary.Kind.VDSO
                            ? "0x" + Long.toHexString(addresses[i]) : null,
                    searched));
        }
        JsonCapabilities capabilities = null;
        if (result.verification() == Verification.DYNAMIC && result.abi().isPresent()) {
            Hwcaps hwcaps = loader.hwcaps(result.abi().get());
            capabilities = new JsonCapabilities(hwcaps.source(), hwcaps.platform().orElse(null), hwcaps.glibcHwcaps(),
                    hwcaps.legacy(), hwcaps.notes());
        }
        return new JsonFile(result.file(), result.verification().name().toLowerCase().replace('_', '-'),
                result.abi().map(LinuxAbi::displayName).orElse(null), result.musl() ? "musl" : "glibc",
                result.main().elf().flatMap(ElfObject::interpreter).orElse(null),
                result.main().elf().map(ElfObject::needed).orElse(List.of()), libraries, result.reason().orElse(null),
                result.failure().map(f -> new JsonFailure(f.object(), f.message())).orElse(null),
                result.crash().map(c -> new JsonCrash(c.object(), c.signal().name(), c.explanation(),
                        c.mappingProgram())).orElse(null),
                result.versions().problems().stream().map(p -> new JsonVersionProblem(p.object(),
                        p.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'), p.version(), p.requiredBy(),
                        p.message(), p.defined())).toList(),
                result.versionRequirements().stream().map(r -> new JsonVersionRequirement(r.requiredBy(), r.file(),
                        r.version(), r.weak(), r.foundIn().orElse(null))).toList(),
                bindings.mode().isEmpty() ? null : new JsonBindings(relocationsChecked(),
                        bindings.problems().stream().map(p -> new JsonBindingProblem(
                                p.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'), p.symbol(),
                                p.version().orElse(null), p.object(), p.definedIn().orElse(null), p.relocation(),
                                p.line(result.main().name()))).toList(),
                        bindings.stop().map(f -> new JsonFailure(f.object(), f.message())).orElse(null),
                        bindings.lookups(), bindings.notes()),
                capabilities, result.warnings());
    }

    /** Each entry is a {@link JsonFile}, or a {@link JsonFailedInput} for an input that could not be resolved. */
    record JsonDocument(String command, int schemaVersion, List<Object> files, JsonSummary summary) {}

    record JsonSummary(int arguments, int files, String relocations, int clean, int cleanWithWarnings,
            int staticallyLinked, int notDynamic, int failing, int missingLibrary, int loadStops, int missingVersion,
            int undefinedSymbols, long undefinedReferences, int relocationStops, int crashes,
            List<CheckSummary.Tally> libraries, List<CheckSummary.Tally> versions, List<CheckSummary.Tally> symbols) {}

    record JsonFile(String file, String linkage, String abi, String rules, String interpreter, List<String> needed,
            List<JsonLibrary> libraries, String reason, JsonFailure failure, JsonCrash crash,
            List<JsonVersionProblem> versionProblems, List<JsonVersionRequirement> versionRequirements,
            JsonBindings bindings, JsonCapabilities capabilities, List<String> warnings) {}

    record JsonBindings(String relocations, List<JsonBindingProblem> problems, JsonFailure stop, long lookups,
            List<String> notes) {}

    record JsonBindingProblem(String kind, String symbol, String version, String object, String definedIn,
            String relocation, String message) {}

    record JsonVersionProblem(String object, String kind, String version, String requiredBy, String message,
            List<String> defined) {}

    record JsonVersionRequirement(String requiredBy, String file, String version, boolean weak, String foundIn) {}

    record JsonFailure(String object, String message) {}

    record JsonCrash(String object, String signal, String explanation, boolean mappingProgram) {}

    record JsonCapabilities(String source, String platform, List<String> glibcHwcaps, List<String> legacy,
            List<String> notes) {}

    record JsonLibrary(String name, String kind, String path, String rule, String reason, String neededBy,
            List<String> needs, String address, List<JsonAttempt> searched) {}

    record JsonAttempt(String rule, String source, String place, String outcome) {}
}
