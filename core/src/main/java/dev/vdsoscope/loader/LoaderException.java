package dev.vdsoscope.loader;

/** The model cannot answer for this file at all (an ELF file for a machine it does not know). */
public final class LoaderException extends RuntimeException {
    public LoaderException(String message) {
        super(message);
    }
}
