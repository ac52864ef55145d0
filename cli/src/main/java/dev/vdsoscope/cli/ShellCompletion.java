package dev.vdsoscope.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Shell completion for vdsoscope, made from picocli's model of the command line ({@link Main#model}),
 * so that it offers exactly the commands, options and option values --help lists.
 * <ul>
 * <li>bash: picocli's own generator ({@link AutoComplete#bash}), whose entry point is
 * {@code _complete_vdsoscope}, registered with {@code complete -o default}: where the model offers
 * nothing (a FILE), bash completes file names.
 * <li>zsh: a completion function of its own, {@code _vdsoscope}, on zsh's {@code _arguments}, with
 * each option's description. (picocli's bash script also runs in zsh through bashcompinit, but only
 * when sourced from .zshrc; a file in zsh's fpath must be a zsh function.)
 * </ul>
 */
final class ShellCompletion {
    /** The tool's name, as the completion is registered for it. */
    static final String COMMAND = "vdsoscope";

    /**
     * The parameter labels whose values are paths (a TARGET or IMAGE is a file unless it is self,
     * pid:N or compat:i386), for zsh, which completes nothing it is not told to.
     */
    private static final Set<String> FILE_LABELS = Set.of("FILE", "FILE.svg", "TARGET", "IMAGE");
    private static final Set<String> DIRECTORY_LABELS = Set.of("DIR");

    private ShellCompletion() {}

    /**
     * The bash completion script, for /usr/share/bash-completion/completions/vdsoscope: picocli's,
     * without its "#!" line (bash-completion sources the file; it is never run as a program).
     */
    static String bash(CommandLine model) {
        String script = AutoComplete.bash(COMMAND, model);
        return script.startsWith("#!") ? script.substring(script.indexOf('\n') + 1) : script;
    }

    /** The zsh completion function, for a file named _vdsoscope in zsh's fpath. */
    static String zsh(CommandLine model) {
        StringBuilder script = new StringBuilder();
        script.append("#compdef ").append(COMMAND).append('\n');
        script.append("# Made by vdsoscope from its command model (dev.vdsoscope.cli.ShellCompletion):"
                + " change the command, not this file.\n\n");
        script.append("_").append(COMMAND).append("() {\n");
        script.append("  local curcontext=$curcontext state state_descr line\n");
        script.append("  local -A opt_args\n");
        script.append("  _arguments -C -s -S \\\n");
        for (String spec : argumentSpecs(model.getCommandSpec())) {
            script.append("    ").append(spec).append(" \\\n");
        }
        script.append("    '1: :->command' \\\n");
        script.append("    '*:: :->argument'\n");
        script.append("  case $state in\n");
        script.append("  (command)\n");
        script.append("    local -a commands=(\n");
        for (CommandLine command : ManPages.documented(model)) {
            script.append("      ").append(quote(command.getCommandName().replace(":", "\\:") + ":"
                    + summary(command.getCommandSpec().usageMessage().description()))).append('\n');
        }
        script.append("    )\n");
        script.append("    _describe -t commands 'vdsoscope command' commands\n");
        script.append("    ;;\n");
        script.append("  (argument)\n");
        script.append("    curcontext=${curcontext%:*:*}:").append(COMMAND).append("-$words[1]:\n");
        script.append("    case $words[1] in\n");
        for (CommandLine command : ManPages.documented(model)) {
            script.append("    (").append(command.getCommandName()).append(")\n");
            script.append("      _arguments -s -S");
            for (String spec : argumentSpecs(command.getCommandSpec())) {
                script.append(" \\\n        ").append(spec);
            }
            script.append("\n      ;;\n");
        }
        script.append("    esac\n");
        script.append("    ;;\n");
        script.append("  esac\n");
        script.append("}\n\n");
        script.append("_").append(COMMAND).append(" \"$@\"\n");
        return script.toString();
    }

    /** A command's options and positional parameters, as _arguments specifications (each quoted). */
    private static List<String> argumentSpecs(CommandSpec spec) {
        List<String> specs = new ArrayList<>();
        for (OptionSpec option : ManPages.sortedOptions(spec)) {
            boolean takesValue = option.arity().max() > 0;
            List<String> names = new ArrayList<>();
            for (String name : option.names()) {
                // -o+ and --output=: the value in the same word or the next one.
                names.add(takesValue ? name + (name.startsWith("--") ? "=" : "+") : name);
            }
            String exclusion = option.isMultiValue() ? "*" : names.size() > 1 ? "(" + String.join(" ", option.names()) + ")" : "";
            String rest = "[" + bracketed(summary(option.renderedDescription())) + "]"
                    + (takesValue ? ":" + colonFree(option.paramLabel()) + ":" + action(option) : "");
            // Several names: the shell's brace expansion makes one specification per name.
            specs.add(names.size() > 1 ? quote(exclusion) + "{" + String.join(",", names) + "}" + quote(rest)
                    : quote(exclusion + names.getFirst() + rest));
        }
        int position = 1;
        for (PositionalParamSpec positional : spec.positionalParameters()) {
            if (positional.hidden()) {
                continue;
            }
            String message = colonFree(positional.paramLabel());
            if (positional.arity().max() > 1) {
                specs.add(quote("*:" + message + ":" + action(positional)));
            } else {
                specs.add(quote(position + ":" + (positional.arity().min() == 0 ? ":" : "") + message + ":" + action(positional)));
                position++;
            }
        }
        return specs;
    }

    /** What zsh offers for a value: its fixed candidates, file or directory names, or nothing. */
    private static String action(ArgSpec arg) {
        List<String> candidates = new ArrayList<>();
        if (arg.completionCandidates() != null) {
            arg.completionCandidates().forEach(candidates::add);
        }
        if (!candidates.isEmpty()) {
            return "(" + String.join(" ", candidates.stream().map(ShellCompletion::colonFree).toList()) + ")";
        }
        if (FILE_LABELS.contains(arg.paramLabel())) {
            return "_files";
        }
        if (DIRECTORY_LABELS.contains(arg.paramLabel())) {
            return "_files -/";
        }
        return " ";
    }

    /** The first line of a description: what zsh shows beside a candidate. */
    private static String summary(String[] description) {
        return description.length > 0 ? description[0].strip() : "";
    }

    /** Text inside an _arguments [description]: its brackets and backslashes escaped. */
    private static String bracketed(String text) {
        return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]");
    }

    /** A message or value in an _arguments specification, where a colon would end the field. */
    private static String colonFree(String text) {
        return text.replace("\\", "\\\\").replace(":", "\\:");
    }

    /** A shell word in single quotes. */
    private static String quote(String text) {
        return text.isEmpty() ? "" : "'" + text.replace("'", "'\\''") + "'";
    }
}
