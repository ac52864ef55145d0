package dev.vdsoscope.disasm;

/** No usable Capstone library: none found, or one whose version this binding does not speak. */
public final class CapstoneUnavailableException extends Exception {
    public CapstoneUnavailableException(String message) {
        super(message);
    }
}
