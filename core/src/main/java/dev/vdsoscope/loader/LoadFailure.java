package dev.vdsoscope.loader;

/**
 * ld.so stopping while it loads a program's libraries: it prints
 * {@code PROGRAM: error while loading shared libraries: OBJECT: MESSAGE} and exits with 127, and
 * ldd shows that line instead of the list.
 *
 * @param object  what ld.so names: the path of a file open_verify refused, or the requested name
 *                of one it refused while mapping
 * @param message ld.so's words
 */
public record LoadFailure(String object, String message) {
    /** A line ld.so prints as it is, whatever the program: one of its assertions. */
    static LoadFailure verbatim(String line) {
        return new LoadFailure("", line);
    }

    /** The line ld.so prints, for the program as ldd passed it. */
    public String line(String program) {
        return object.isEmpty() ? message : program + ": error while loading shared libraries: " + object + ": " + message;
    }
}
