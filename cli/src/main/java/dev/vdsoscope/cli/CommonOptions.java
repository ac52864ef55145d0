package dev.vdsoscope.cli;

import picocli.CommandLine.Option;

/** Options every command has. */
final class CommonOptions {
    @Option(names = "--json", description = "Write one JSON document instead of text: the same facts, addresses as hex strings, constants by their C names.")
    boolean json;
}
