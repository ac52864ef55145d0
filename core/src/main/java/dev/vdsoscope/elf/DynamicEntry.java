package dev.vdsoscope.elf;

/** One entry of the dynamic table. */
public record DynamicEntry(DynamicTag tag, long value) {}
