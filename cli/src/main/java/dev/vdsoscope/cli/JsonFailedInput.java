package dev.vdsoscope.cli;

import java.util.Locale;

import dev.vdsoscope.elf.ElfFormatException;

/**
 * The JSON entry of a batch's input that failed (docs/JSON.md, "Conventions"): the input as given
 * and what went wrong, so that a consumer gets one entry per input, in order.
 *
 * @param file  the input as given on the command line (a file, {@code self}, {@code pid:N})
 * @param error the failure
 */
record JsonFailedInput(String file, Error error) {
    /**
     * @param code     what kind of failure: {@code bad-input}, {@code permission}, {@code missing-environment},
     *                 or for a damaged ELF file the reader's kind ({@code truncated}, {@code not-elf}, ...)
     * @param exitCode the exit code it counts for (docs/ERRORS.md)
     * @param message  the one-line message printed on standard error, without the "vdsoscope: FILE: " prefix
     * @param offset   the byte offset at fault in the file, where the reader knows it
     */
    record Error(String code, int exitCode, String message, String offset) {}

    static JsonFailedInput of(Failure failure) {
        String code = switch (failure.exitCode()) {
            case ExitCode.PERMISSION -> "permission";
            case ExitCode.MISSING_ENVIRONMENT -> "missing-environment";
            default -> "bad-input";
        };
        String offset = null;
        if (failure.getCause() instanceof ElfFormatException e) {
            code = e.kind().name().toLowerCase(Locale.ROOT).replace('_', '-');
            offset = e.offset() >= 0 ? "0x" + Long.toHexString(e.offset()) : null;
        }
        return new JsonFailedInput(failure.subject(), new Error(code, failure.exitCode(),
                Failure.oneLine(failure.getMessage()), offset));
    }
}
