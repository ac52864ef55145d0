package dev.vdsoscope.btf;

/**
 * One constant of an enum. For an unsigned 64-bit enum ({@code BTF_KIND_ENUM64} without its signed
 * flag) {@code value} holds the 64 bits: read it with {@link Long#toUnsignedString(long)}.
 */
public record Enumerator(String name, long value) {}
