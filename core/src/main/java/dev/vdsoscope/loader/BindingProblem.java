package dev.vdsoscope.loader;

import java.util.Optional;

/**
 * What ld.so says while it relocates a traced program (ldd -r / -d): each goes on standard error,
 * which ldd shows with its standard output, and ld.so carries on.
 *
 * @param kind       what was found
 * @param symbol     the symbol's name
 * @param version    the version the reference asks for, if any (UNDEFINED only)
 * @param object     the object whose relocation it is (its path, the program as ldd named it)
 * @param definedIn  where the symbol was found (SIZE_CHANGED and the PROTECTED kinds)
 * @param relocation the relocation type's {@code <elf.h>} name
 */
public record BindingProblem(Kind kind, String symbol, Optional<String> version, String object,
        Optional<String> definedIn, String relocation) {

    /** What is wrong with the binding. */
    public enum Kind {
        /** No object in the search list defines the symbol (a strong reference): the program would not start, or would stop at its first call. */
        UNDEFINED,
        /** A copy relocation whose symbol's size in the library differs from the program's. */
        SIZE_CHANGED,
        /** An R_X86_64_32 value that does not fit in 32 bits. */
        OVERFLOW_32,
        /** An R_X86_64_PC32 distance that does not fit in 32 signed bits. */
        OVERFLOW_PC32,
        /** The program copies a protected data symbol of a library (glibc 2.36 warns). */
        PROTECTED_COPY,
        /** The program takes the address of a protected function of a library (glibc 2.36 warns). */
        PROTECTED_FUNCTION
    }

    /** The line ld.so prints, for the program as ldd passed it (RTLD_PROGNAME). */
    public String line(String program) {
        return switch (kind) {
            case UNDEFINED -> "undefined symbol: " + symbol + version.map(v -> ", version " + v).orElse("") + "\t("
                    + object + ")";
            case SIZE_CHANGED -> program + ": Symbol `" + symbol
                    + "' has different size in shared object, consider re-linking";
            case OVERFLOW_32 -> program + ": Symbol `" + symbol + "' causes overflow in R_X86_64_32 relocation";
            case OVERFLOW_PC32 -> program + ": Symbol `" + symbol + "' causes overflow in R_X86_64_PC32 relocation";
            case PROTECTED_COPY -> "warning: copy relocation against non-copyable protected symbol `" + symbol
                    + "' in `" + definedIn.orElse("") + "'";
            case PROTECTED_FUNCTION -> "warning: direct reference to protected function `" + symbol + "' in `"
                    + definedIn.orElse("") + "' may break pointer equality";
        };
    }

    /** Whether the program would fail because of it (a strong undefined symbol), as opposed to a warning. */
    public boolean fatal() {
        return kind == Kind.UNDEFINED;
    }
}
