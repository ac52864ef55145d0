package dev.vdsoscope.proc;

/** One entry of the auxiliary vector; {@code string} holds the text an address points to, if read. */
public record AuxvEntry(AuxvType type, long value, String string) {}
