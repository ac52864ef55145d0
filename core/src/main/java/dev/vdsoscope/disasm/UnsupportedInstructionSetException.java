package dev.vdsoscope.disasm;

/** An image whose machine has no decoder here, not even the gate-only one. */
public final class UnsupportedInstructionSetException extends RuntimeException {
    UnsupportedInstructionSetException(String message) {
        super(message);
    }
}
