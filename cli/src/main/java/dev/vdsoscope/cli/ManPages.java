package dev.vdsoscope.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The man pages, troff source with the man(7) macros, made from picocli's model of the command line
 * ({@link Main#model}): vdsoscope(1), and vdsoscope-COMMAND(1) for each command. The synopsis, the
 * descriptions, the options with their parameter labels, the exit codes and the list of commands are
 * the ones --help prints, so a page cannot say something the tool no longer does.
 */
final class ManPages {
    /** User commands. */
    static final String SECTION = "1";

    private ManPages() {}

    /** The name of a command's page: "vdsoscope" for the tool, "vdsoscope-ldd" for a command. */
    static String pageName(CommandSpec spec) {
        return spec.qualifiedName("-");
    }

    /** Every page, by name, the tool's first: the help command has none (it is --help itself). */
    static Map<String, String> all(CommandLine model, String date, String version) {
        Map<String, String> pages = new LinkedHashMap<>();
        pages.put(pageName(model.getCommandSpec()), page(model.getCommandSpec(), date, version));
        for (CommandLine command : documented(model)) {
            pages.put(pageName(command.getCommandSpec()), page(command.getCommandSpec(), date, version));
        }
        return pages;
    }

    /** The commands that get a page, in the order --help lists them. */
    static List<CommandLine> documented(CommandLine model) {
        return model.getSubcommands().values().stream().filter(c -> !(c.getCommand() instanceof CommandLine.HelpCommand))
                .distinct().toList();
    }

    /** One command's page; {@code date} (YYYY-MM-DD) and {@code version} go in its title line. */
    static String page(CommandSpec spec, String date, String version) {
        Troff page = new Troff();
        page.comment("Made by vdsoscope from its command model (dev.vdsoscope.cli.ManPages): change the command, not this page.");
        // Options and file names are typed, not read: the man macros never hyphenate them (HY 0), and
        // set the lines ragged right rather than stretched (AD l, which groff reads from 1.23 on).
        page.requestLine(".nr HY 0");
        page.requestLine(".ds AD l");
        page.request("TH", pageName(spec).toUpperCase(java.util.Locale.ROOT), SECTION, date, "vdsoscope " + version, "User Commands");

        UsageMessageSpec usage = spec.usageMessage();
        String[] description = usage.description();
        page.request("SH", "NAME");
        page.text(pageName(spec) + " - " + stripFullStop(description.length > 0 ? description[0] : spec.name()));

        page.request("SH", "SYNOPSIS");
        page.request("SY", spec.qualifiedName(" "));
        for (OptionSpec option : sortedOptions(spec)) {
            page.line("[" + Troff.bold(option.longestName()) + parameterLabel(spec, option) + "]"
                    + (option.isMultiValue() ? "..." : ""));
        }
        for (PositionalParamSpec positional : spec.positionalParameters()) {
            if (!positional.hidden()) {
                page.line(Troff.italic(parameterLabel(spec, positional)));
            }
        }
        if (!documented(spec.commandLine()).isEmpty()) {
            page.line("[" + Troff.italic("COMMAND") + "]");
        }
        page.request("YS");

        if (description.length > 1) {
            page.request("SH", "DESCRIPTION");
            page.paragraphs(List.of(description).subList(1, description.length), "PP");
        }

        page.request("SH", "OPTIONS");
        for (PositionalParamSpec positional : spec.positionalParameters()) {
            if (!positional.hidden() && positional.renderedDescription().length > 0) {
                page.request("TP");
                page.line(Troff.italic(parameterLabel(spec, positional)));
                page.paragraphs(List.of(positional.renderedDescription()), "IP");
            }
        }
        for (OptionSpec option : sortedOptions(spec)) {
            page.request("TP");
            // As --help lists it: every name, then the value's label once ("-p, --pid=PID").
            page.line(String.join(", ", List.of(option.names()).stream().map(Troff::bold).toList())
                    + parameterLabel(spec, option));
            page.paragraphs(List.of(option.renderedDescription()), "IP");
        }

        List<CommandLine> commands = documented(spec.commandLine());
        if (!commands.isEmpty()) {
            page.request("SH", "COMMANDS");
            for (CommandLine command : commands) {
                page.request("TP");
                page.line(Troff.bold(command.getCommandName()) + " (" + seeAlso(command.getCommandSpec()) + ")");
                String[] summary = command.getCommandSpec().usageMessage().description();
                page.text(summary.length > 0 ? summary[0] : "");
            }
        }

        page.request("SH", "EXIT STATUS");
        for (Map.Entry<String, String> code : usage.exitCodeList().entrySet()) {
            page.request("TP");
            page.line(Troff.bold(code.getKey().strip()));
            page.text(code.getValue());
        }

        page.request("SH", "DIAGNOSTICS");
        page.text(Main.ERRORS + " With --debug, a stack trace follows it.");

        page.request("SH", "SEE ALSO");
        List<String> others = new ArrayList<>();
        if (spec.parent() != null) {
            others.add(seeAlso(spec.root()));
        }
        for (CommandLine command : commands) {
            others.add(seeAlso(command.getCommandSpec()));
        }
        page.line(String.join(",\n", others) + (others.isEmpty() ? "" : "."));
        page.text("The project's documentation (README.md, and docs/ in the source tree), which the Debian package"
                + " installs in /usr/share/doc/vdsoscope, has the JSON of every command, every error and exit code,"
                + " and every known difference from file(1), objdump(1), readelf(1) and ldd(1).");
        return page.toString();
    }

    /** "vdsoscope-ldd(1)", in bold as man(7) cross references are. */
    private static String seeAlso(CommandSpec spec) {
        return Troff.bold(pageName(spec)) + "(" + SECTION + ")";
    }

    /**
     * The options as --help orders them where it sorts them: by their shortest name without its
     * dashes, ignoring case; hidden options are left out as --help leaves them out.
     */
    static List<OptionSpec> sortedOptions(CommandSpec spec) {
        List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden()).toList();
        if (!spec.usageMessage().sortOptions()) {
            return options;
        }
        return options.stream().sorted(Comparator.comparing((OptionSpec o) -> o.shortestName().replaceFirst("^-+", ""),
                String.CASE_INSENSITIVE_ORDER)).toList();
    }

    /**
     * An option's or a parameter's label as --help prints it ("=PROFILE", "=SUBDIR[,SUBDIR...]",
     * "[FILE...]"), in italics; empty for an option that takes no value.
     */
    private static String parameterLabel(CommandSpec spec, ArgSpec arg) {
        String label = spec.commandLine().getHelp().parameterLabelRenderer()
                .renderParameterLabel(arg, CommandLine.Help.Ansi.OFF, List.of()).toString();
        if (label.isEmpty() || !(arg instanceof OptionSpec)) {
            return Troff.escape(label);
        }
        return Troff.escape(label.substring(0, 1)) + Troff.italic(label.substring(1));
    }

    private static String stripFullStop(String line) {
        return line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
    }

    /** troff source, built a line at a time, with text escaped so that it prints as given. */
    static final class Troff {
        private final StringBuilder source = new StringBuilder();

        void comment(String text) {
            source.append(".\\\" ").append(text).append('\n');
        }

        /** A macro call, every argument quoted. */
        void request(String macro, String... arguments) {
            source.append('.').append(macro);
            for (String argument : arguments) {
                source.append(" \"").append(escape(argument).replace("\"", "\\(dq")).append('"');
            }
            source.append('\n');
        }

        /** A line of plain text. */
        void text(String text) {
            line(escape(text));
        }

        /** A request line as it is written. */
        void requestLine(String request) {
            source.append(request).append('\n');
        }

        /** A line already escaped (or holding font changes): guarded only against reading as a request. */
        void line(String escaped) {
            for (String line : escaped.split("\n", -1)) {
                if (line.startsWith(".") || line.startsWith("'")) {
                    source.append("\\&");
                }
                source.append(line).append('\n');
            }
        }

        /**
         * Description lines as --help has them: the lines of a paragraph are filled together (--help's
         * lines break where the source's did), and an empty line starts a new paragraph with
         * {@code breakMacro} (PP in a section, IP in an option's indented text).
         */
        void paragraphs(List<String> lines, String breakMacro) {
            boolean written = false;
            boolean pendingBreak = false;
            for (String text : lines) {
                if (text.isBlank()) {
                    pendingBreak = written;
                    continue;
                }
                if (pendingBreak) {
                    request(breakMacro);
                    pendingBreak = false;
                }
                text(text.strip());
                written = true;
            }
        }

        static String bold(String text) {
            return "\\fB" + escape(text) + "\\fR";
        }

        static String italic(String text) {
            return "\\fI" + escape(text) + "\\fR";
        }

        /**
         * Text as troff prints it literally: a backslash is the escape character, "-" is a minus
         * sign (options and code are typed, so no hyphen), and characters beyond ASCII are named by
         * their code point, so that the page does not depend on the encoding groff assumes.
         */
        static String escape(String text) {
            StringBuilder escaped = new StringBuilder(text.length() + 16);
            text.codePoints().forEach(c -> {
                switch (c) {
                    case '\\' -> escaped.append("\\e");
                    case '-' -> escaped.append("\\-");
                    default -> {
                        if (c < 0x80) {
                            escaped.append((char) c);
                        } else {
                            escaped.append(String.format("\\[u%04X]", c));
                        }
                    }
                }
            });
            return escaped.toString();
        }

        @Override
        public String toString() {
            return source.toString();
        }
    }
}
