package dev.vdsoscope.cli;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.ToIntFunction;

import dev.vdsoscope.vdso.ImageTarget;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code vdsoscope} command line. */
@Command(name = "vdsoscope", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = {"Inspect the Linux vDSO and any ELF image.",
                "With no command it runs report on its own vDSO; a target alone (self, pid:N, compat:i386 or a FILE)"
                        + " is report's target."},
        exitCodeListHeading = Main.EXIT_CODE_HEADING, exitCodeList = {Main.EXIT_OK, Main.EXIT_FINDINGS, Main.EXIT_BAD_INPUT,
                Main.EXIT_PERMISSION, Main.EXIT_MISSING_ENVIRONMENT, Main.EXIT_BROKEN_PIPE},
        footer = {"", Main.ERRORS + " The manual: man vdsoscope, and man vdsoscope-COMMAND for each command."})
public final class Main implements Callable<Integer> {
    /** What every help ends with, before it names its man page (a help never names a file of the source tree). */
    static final String ERRORS = "Errors are one line on standard error: vdsoscope: FILE or PID: what is wrong (at offset 0x...).";

    /**
     * The exit codes every command shares (ExitCode's values), as picocli's "code:meaning" entries: --help
     * lists them, and the man pages' EXIT STATUS section is made from the same list. A command whose
     * codes mean something more precise declares its own list (ldd).
     */
    static final String EXIT_CODE_HEADING = "%nExit codes:%n";
    static final String EXIT_OK = ExitCode.OK + ":ok";
    static final String EXIT_FINDINGS = ExitCode.FINDINGS + ":a finding to act on (a time call that falls back, a missing library, images that differ)";
    static final String EXIT_BAD_INPUT = ExitCode.BAD_INPUT + ":bad input or usage";
    static final String EXIT_PERMISSION = ExitCode.PERMISSION + ":the operating system refused (permission)";
    static final String EXIT_MISSING_ENVIRONMENT = ExitCode.MISSING_ENVIRONMENT
            + ":something missing from the environment (Capstone for disasm, output that cannot be written)";
    static final String EXIT_BROKEN_PIPE = ExitCode.BROKEN_PIPE + ":standard output closed by its reader (a broken pipe)";

    /** The commands, in the order --help lists them. */
    private static final List<Class<?>> COMMANDS = List.of(ReportCommand.class, AuxvCommand.class, MapsCommand.class,
            DumpCommand.class, FileCommand.class, HeadersCommand.class, SymbolsCommand.class, DisasmCommand.class,
            GateCommand.class, DiffCommand.class, LddCommand.class, BenchCommand.class, DoctorCommand.class,
            VerifyCommand.class, VvarCommand.class);

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print a stack trace with errors.")
    void setDebug(boolean value) {
        Output.current().debug = value;
    }

    /** Whether this run prints a stack trace with its errors. */
    static boolean debug() {
        return Output.current().debug;
    }

    /** With no command, vdsoscope reports on its own vDSO: {@link #run} makes that line "report". */
    @Override
    public Integer call() {
        return run(Output.current(), "report");
    }

    /**
     * Runs a command line, writing to {@code output}, and returns its exit code without exiting. Runs
     * in different threads with different outputs do not meet.
     */
    public static int run(Output output, String... args) {
        return output.bind(() -> run(args));
    }

    private static int run(String... args) {
        for (BatchLine line : BATCH_LINES) {
            List<String> files = styleFastPath(args, line.command(), line.style());
            if (files != null) {
                try {
                    return withWriteCheck(line.run().applyAsInt(files));
                } catch (RuntimeException e) {
                    return withWriteCheck(failed(e));
                }
            }
        }
        if (args.length == 0) {
            args = new String[] {"report"};
        } else if (isReportOption(args[0]) || isReportTarget(args[0])) {
            args = java.util.stream.Stream.concat(java.util.stream.Stream.of("report"), java.util.Arrays.stream(args))
                    .toArray(String[]::new);
        }
        CommandLine commandLine = commandLine(args);
        commandLine.setOut(new java.io.PrintWriter(Output.out(), true));
        commandLine.setErr(new java.io.PrintWriter(Output.err(), true));
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> failed(e));
        commandLine.setParameterExceptionHandler((e, parsed) -> {
            Optional<String> suggestion = misspeltCommand(e);
            if (suggestion.isPresent()) {
                Output.err().println("vdsoscope: " + suggestion.get());
                Output.err().println("Try 'vdsoscope --help'.");
                return ExitCode.BAD_INPUT;
            }
            Output.err().println("vdsoscope: " + e.getMessage() + misspeltOption(e).map(near -> "; did you mean "
                    + String.join(" or ", near) + "?").orElse(""));
            Output.err().println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return ExitCode.BAD_INPUT;
        });
        return withWriteCheck(commandLine.execute(args));
    }

    /**
     * For a first argument that is no command, file or target: which commands it may have meant
     * (one edit or two away, or a prefix of one), as one line; empty for other parse errors.
     */
    private static Optional<String> misspeltCommand(CommandLine.ParameterException e) {
        if (!(e instanceof CommandLine.UnmatchedArgumentException u) || u.getUnmatched().isEmpty()
                || e.getCommandLine().getParent() != null) {
            return Optional.empty();
        }
        String typed = u.getUnmatched().getFirst();
        List<String> near = COMMANDS.stream().map(Main::name)
                .filter(name -> name.startsWith(typed) || editDistance(typed, name) <= 2).toList();
        return Optional.of("'" + typed + "' is not a command" + (near.isEmpty() ? " (the commands: "
                + String.join(", ", COMMANDS.stream().map(Main::name).toList()) + ")"
                : "; did you mean " + String.join(" or ", near) + "?"));
    }

    /**
     * For an option the command does not have: its options one or two edits away (or that it is a
     * prefix of), as they are spelt; empty when none is near or the error is another.
     */
    private static Optional<List<String>> misspeltOption(CommandLine.ParameterException e) {
        if (!(e instanceof CommandLine.UnmatchedArgumentException u) || u.getUnmatched().isEmpty()
                || !u.getUnmatched().getFirst().startsWith("-")) {
            return Optional.empty();
        }
        String typed = u.getUnmatched().getFirst().split("=", 2)[0];
        List<String> near = e.getCommandLine().getCommandSpec().options().stream().filter(o -> !o.hidden())
                .flatMap(o -> java.util.Arrays.stream(o.names())).filter(name -> name.length() > 2)
                .filter(name -> name.startsWith(typed) || editDistance(typed, name) <= 2).distinct().toList();
        return near.isEmpty() ? Optional.empty() : Optional.of(near);
    }

    /** Levenshtein distance, for the suggestions above (command and option names are short). */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** A command that failed as a whole: its one-line message, and the exit code it means. */
    private static int failed(Exception e) {
        Failure failure = Failure.of(null, e);
        Output.out().flush();
        Output.err().println(failure.line());
        if (debug()) {
            e.printStackTrace(Output.err());
        }
        return failure.exitCode();
    }

    /**
     * `vdsoscope self`, `vdsoscope pid:42`, `vdsoscope compat:i386` and `vdsoscope FILE` are the report's target given without
     * its name. A FILE is told from a mistyped command by what no command name has: a '/' or a '.',
     * or a file of that name (a file called like a command is ./NAME). Anything else is left to
     * picocli, which suggests the command meant.
     */
    private static boolean isReportTarget(String arg) {
        if (arg.equals(ImageTarget.SELF) || arg.startsWith(ImageTarget.PID_PREFIX) || arg.equals(ImageTarget.COMPAT_I386)) {
            return true;
        }
        if (arg.isEmpty() || arg.startsWith("-") || arg.startsWith("@") || arg.equals("help")
                || COMMANDS.stream().anyMatch(c -> name(c).equals(arg))) {
            return false;
        }
        if (arg.indexOf('/') >= 0 || arg.indexOf('.') >= 0) {
            return true;
        }
        try {
            return Files.exists(Path.of(arg), LinkOption.NOFOLLOW_LINKS);
        } catch (InvalidPathException e) {
            return true; // the report says why it cannot be a file name here
        }
    }

    /** `vdsoscope --pid 42` and `vdsoscope --json` are the report's options given without its name. */
    private static boolean isReportOption(String arg) {
        return arg.equals("--json") || arg.equals("--pid") || arg.equals("-p") || arg.startsWith("--pid=")
                || (arg.startsWith("-p") && arg.length() > 2 && Character.isDigit(arg.charAt(2)));
    }

    /** Flushes standard output; a write that failed (a full disk) turns the exit code into 4. */
    private static int withWriteCheck(int code) {
        Output.flush();
        String writeFailure = Output.writeFailure();
        if (writeFailure != null) {
            Output.err().println("vdsoscope: standard output: " + writeFailure);
            return Math.max(code, ExitCode.MISSING_ENVIRONMENT);
        }
        return code;
    }

    /**
     * The command line with only the subcommand that {@code args} names, when it names one: picocli
     * builds a command's model by reflection, and building all of them costs more start-up time than
     * most commands take to run. Anything else (no command, --help, a typo) gets them all.
     */
    private static CommandLine commandLine(String[] args) {
        CommandLine commandLine = new CommandLine(new Main());
        String first = args.length > 0 ? args[0] : null;
        boolean named = COMMANDS.stream().anyMatch(c -> name(c).equals(first));
        if (args.length == 0) {
            return commandLine;
        }
        for (Class<?> command : COMMANDS) {
            if (!named || name(command).equals(first)) {
                commandLine.addSubcommand(name(command), command);
            }
        }
        if (!named) {
            commandLine.addSubcommand("help", CommandLine.HelpCommand.class);
        }
        String[] version = commandLine.getCommandSpec().version();
        CommandLine.Model.UsageMessageSpec top = commandLine.getCommandSpec().usageMessage();
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            CommandLine.Model.UsageMessageSpec usage = sub.getCommandSpec().usageMessage();
            if (usage.exitCodeList().isEmpty()) {
                usage.exitCodeListHeading(top.exitCodeListHeading()).exitCodeList(top.exitCodeList());
            }
            if (!(sub.getCommand() instanceof CommandLine.HelpCommand)) {
                usage.footer("", ERRORS + " The manual: man " + ManPages.pageName(sub.getCommandSpec()) + ".");
            }
            sub.getCommandSpec().version(version);
        }
        return commandLine;
    }

    /**
     * The whole command model, every command in it, as --help sees it (exit codes, footers and version
     * included): the one source of the man pages and the shell completion.
     */
    static CommandLine model() {
        return commandLine(new String[] {"--help"});
    }

    private static String name(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    /**
     * A batch line that skips picocli, {@code COMMAND --style=STYLE FILE...}: it means the same with or
     * without picocli, whose model of a command costs some 50 ms of start-up, and whose parser tries
     * every file name as a number (two exceptions each) before taking it as a positional parameter.
     * These lines race objdump and ldd over whole directories. (The launcher picks their start-up
     * cache by the same rule, and StartupTraining trains it on them.)
     */
    record BatchLine(String command, String style, ToIntFunction<List<String>> run) {}

    static final List<BatchLine> BATCH_LINES = List.of(
            new BatchLine("symbols", "objdump", files -> ObjdumpBatch.run(Targets.warnShadowed(files), false)),
            new BatchLine("ldd", "ldd", LddCommand::lddStyle));

    /**
     * The commands that read a file or /proc and are done in well under a second, before the
     * optimizing compiler would pay for itself: the launcher runs them with C1 alone. (The report,
     * doctor and bench time calls against C, so they keep C2; disasm keeps it because its work grows
     * with the code it lists: a 117 MB library takes 18.6 s of CPU under C1 alone and 10.5 s with C2,
     * a vDSO 0.2 s more with C2.)
     */
    static final List<String> QUICK_COMMANDS = List.of("auxv", "maps", "dump", "file", "headers", "symbols",
            "gate", "diff", "ldd");

    /**
     * What ./vdsoscope needs to know about the command line before it starts Java, as bash
     * assignments: the batch lines ({@code command=style}) and the quick commands. The build writes it
     * to cli/target/launcher-facts (cli/src/build/java/WriteLauncherFacts.java), so that the launcher and this
     * class cannot disagree.
     */
    public static String launcherFacts() {
        StringBuilder facts = new StringBuilder("# Written by the build from dev.vdsoscope.cli.Main; ./vdsoscope sources it.\n");
        facts.append("batch_lines=(");
        for (BatchLine line : BATCH_LINES) {
            facts.append(line == BATCH_LINES.getFirst() ? "" : " ").append(line.command()).append('=').append(line.style());
        }
        facts.append(")\nquick_commands=' ").append(String.join(" ", QUICK_COMMANDS)).append(" '\n");
        return facts.toString();
    }

    /**
     * The files of {@code COMMAND --style=STYLE FILE...} when that is the whole command line (the
     * style given as {@code --style=STYLE} or {@code --style STYLE}, anywhere after the command, no
     * other option, no {@code @argfile}), else null.
     */
    static List<String> styleFastPath(String[] args, String command, String styleName) {
        if (args.length < 3 || !args[0].equals(command)) {
            return null;
        }
        List<String> files = new ArrayList<>(args.length);
        boolean style = false;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (!style && arg.equals("--style=" + styleName)) {
                style = true;
            } else if (!style && arg.equals("--style") && i + 1 < args.length && args[i + 1].equals(styleName)) {
                style = true;
                i++;
            } else if (arg.isEmpty() || arg.charAt(0) == '-' || arg.charAt(0) == '@') {
                return null;
            } else {
                files.add(arg);
            }
        }
        return style && !files.isEmpty() ? files : null;
    }

    /**
     * Ends with Runtime.halt rather than System.exit, whose Runtime.exit first looks up and starts
     * the System.Logger machinery to log the exit (some 10 ms of every run, measured on a
     * hello-world). The tool registers no shutdown hook, and run() has flushed what it wrote.
     */
    public static void main(String[] args) {
        Runtime.getRuntime().halt(run(Output.standard(), args));
    }
}
