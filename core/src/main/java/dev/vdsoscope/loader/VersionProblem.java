package dev.vdsoscope.loader;

import java.util.List;

/**
 * A version check that failed and that ld.so goes on after (in trace mode it prints the line and
 * still lists the libraries; a program run for real would not start on a NOT_FOUND).
 *
 * @param object     the object that should have the version (its path, as ld.so names it)
 * @param kind       what went wrong
 * @param version    the version needed (for UNSUPPORTED_VERDEF: the record's version number)
 * @param requiredBy the object that needs it
 * @param defined    the versions the object does define, in its table's order (its base version
 *                   left out): what a newer build of it would have to add
 */
public record VersionProblem(String object, Kind kind, String version, String requiredBy, List<String> defined) {
    /** How the required version is missing. */
    public enum Kind {
        /** The version is not defined by the object. */
        NOT_FOUND,
        /** A version marked weak (VER_FLG_WEAK) is not defined: reported, never fatal. */
        WEAK_NOT_FOUND,
        /** The object defines no versions at all (it was built without them). */
        NO_VERSION_INFORMATION,
        /** A Verdef record of a format ld.so does not know. */
        UNSUPPORTED_VERDEF
    }

    /** ld.so's words (elf/dl-version.c match_symbol). */
    public String message() {
        return switch (kind) {
            case NOT_FOUND -> "version `" + version + "' not found (required by " + requiredBy + ")";
            case WEAK_NOT_FOUND -> "weak version `" + version + "' not found (required by " + requiredBy + ")";
            case NO_VERSION_INFORMATION -> "no version information available (required by " + requiredBy + ")";
            case UNSUPPORTED_VERDEF -> "unsupported version " + version + " of Verdef record";
        };
    }

    /** The line ld.so prints for it, for the program as ldd passed it: {@code PROGRAM: OBJECT: MESSAGE}. */
    public String line(String program) {
        return program + ": " + object + ": " + message();
    }

    /** Whether a program run for real would stop here (ld.so's result), as opposed to a warning. */
    public boolean fatal() {
        return kind == Kind.NOT_FOUND || kind == Kind.UNSUPPORTED_VERDEF;
    }
}
