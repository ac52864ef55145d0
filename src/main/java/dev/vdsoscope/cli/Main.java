package dev.vdsoscope.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code vdsoscope} command line. */
@Command(name = "vdsoscope", mixinStandardHelpOptions = true, version = "vdsoscope 0.1.0",
        description = "Inspect the Linux vDSO and any ELF image.",
        subcommands = {HeadersCommand.class, SymbolsCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 findings, 2 bad input or usage, 3 permission, 4 missing environment.",
                "See docs/ERRORS.md."})
public final class Main implements Callable<Integer> {
    private static boolean debug;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print a stack trace with errors.")
    void setDebug(boolean value) {
        debug = value;
    }

    static boolean debug() {
        return debug;
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(Output.out());
        return ExitCode.OK;
    }

    /** Runs a command line and returns its exit code, without exiting (for tests). */
    public static int run(String... args) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setOut(new java.io.PrintWriter(Output.out(), true));
        commandLine.setErr(new java.io.PrintWriter(Output.err(), true));
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Failure failure = Failure.of(null, e);
            Output.out().flush();
            Output.err().println(failure.line());
            if (debug) {
                e.printStackTrace(Output.err());
            }
            return failure.exitCode();
        });
        commandLine.setParameterExceptionHandler((e, parsed) -> {
            Output.err().println("vdsoscope: " + e.getMessage());
            Output.err().println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return ExitCode.BAD_INPUT;
        });
        int code = commandLine.execute(args);
        Output.flush();
        String writeFailure = Output.writeFailure();
        if (writeFailure != null) {
            Output.err().println("vdsoscope: standard output: " + writeFailure);
            return Math.max(code, ExitCode.MISSING_ENVIRONMENT);
        }
        return code;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
