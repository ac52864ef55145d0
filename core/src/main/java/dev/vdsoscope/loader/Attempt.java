package dev.vdsoscope.loader;

/**
 * One place the model looked while searching for a library, and why it did not stop there.
 *
 * @param place   a directory (every hwcaps subdirectory of it was tried too), a file, or the cache
 * @param outcome e.g. "no such file", "wrong ELF class (ELFCLASS32)", "DF_1_NODEFLIB"
 */
public record Attempt(SearchRule rule, String source, String place, String outcome) {}
