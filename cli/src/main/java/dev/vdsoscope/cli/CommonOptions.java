package dev.vdsoscope.cli;

import picocli.CommandLine.Option;

/** Options every command has. */
final class CommonOptions {
    @Option(names = "--json", description = "Write JSON (shape documented in docs/JSON.md).")
    boolean json;
}
