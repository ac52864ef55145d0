package dev.vdsoscope.loader;

import java.util.Optional;

/**
 * One line of ldd -v's "Version information": a version an object needs from a file, and the
 * object found to define it.
 *
 * @param requiredBy the object that needs it (its path)
 * @param file       the dependency's name as the object's Verneed names it, e.g. {@code libc.so.6}
 * @param version    e.g. {@code GLIBC_2.34}
 * @param weak       whether the need is weak (VER_FLG_WEAK)
 * @param foundIn    the path of the object that defines it; empty when none does
 */
public record VersionRequirement(String requiredBy, String file, String version, boolean weak,
        Optional<String> foundIn) {}
