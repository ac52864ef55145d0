package dev.vdsoscope.loader;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The directories an ld.so.conf names, with its {@code include} globs, as ldconfig reads them. ld.so
 * never reads this file; the model uses it only for a sysroot whose ld.so.cache is missing, to
 * stand in for the cache that {@code ldconfig -r ROOT} would write.
 */
public final class LdSoConf {
    private final Path root;
    private final List<String> directories = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final Set<Path> open = new HashSet<>();

    private static final long MAX_FILE_BYTES = 1 << 20;
    private static final int MAX_FILES = 1024;
    private int filesRead;

    private LdSoConf(Path root) {
        this.root = root;
    }

    /** Reads ROOT/etc/ld.so.conf; the directories are in the sysroot's view (not prefixed by root). */
    public static LdSoConf read(Path root) {
        LdSoConf conf = new LdSoConf(root);
        conf.readFile(root.resolve("etc/ld.so.conf"), "/etc/ld.so.conf");
        return conf;
    }

    public List<String> directories() {
        return List.copyOf(directories);
    }

    /** Include loops, unreadable files: one line each. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    private void readFile(Path file, String shownName) {
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            if (!shownName.equals("/etc/ld.so.conf")) {
                warnings.add(shownName + ": cannot read (" + e.getClass().getSimpleName() + ")");
            }
            return;
        }
        if (!open.add(real)) {
            warnings.add(shownName + ": include loop, not read again");
            return;
        }
        // A configuration is a small regular file; a device, a FIFO or a huge file is not read, and the
        // whole tree of includes is bounded, since a hostile sysroot chooses what they match.
        try {
            if (!Files.isRegularFile(real) || Files.size(real) > MAX_FILE_BYTES || ++filesRead > MAX_FILES) {
                warnings.add(shownName + ": not a regular file of at most " + MAX_FILE_BYTES
                        + " bytes, or more than " + MAX_FILES + " files included; not read");
                open.remove(real);
                return;
            }
        } catch (IOException e) {
            open.remove(real);
            return;
        }
        try {
            for (String raw : Files.readAllLines(real)) {
                String line = raw.contains("#") ? raw.substring(0, raw.indexOf('#')) : raw;
                line = line.strip();
                if (line.isEmpty() || line.startsWith("hwcap ")) {
                    continue;
                }
                if (line.indexOf('\0') >= 0) {
                    // No path can hold a NUL byte: ldconfig would stop the name there; we skip the line.
                    warnings.add(shownName + ": a line holds a NUL byte, ignored");
                    continue;
                }
                if (line.startsWith("include ") || line.startsWith("include\t")) {
                    for (String pattern : line.substring("include".length()).strip().split("\\s+")) {
                        include(pattern, shownName);
                    }
                    continue;
                }
                for (String entry : line.split("[\\s,:]+")) {
                    String dir = entry.contains("=") ? entry.substring(0, entry.indexOf('=')) : entry;
                    while (dir.length() > 1 && dir.endsWith("/")) {
                        dir = dir.substring(0, dir.length() - 1);
                    }
                    if (!dir.isEmpty() && !directories.contains(dir)) {
                        directories.add(dir);
                    }
                }
            }
        } catch (IOException e) {
            warnings.add(shownName + ": cannot read (" + e.getClass().getSimpleName() + ")");
        } finally {
            open.remove(real);
        }
    }

    /** An include pattern is a glob, relative to the including file's directory unless absolute. */
    private void include(String pattern, String includedFrom) {
        try {
            includeMatches(pattern, includedFrom);
        } catch (IllegalArgumentException e) {
            // An unclosed bracket or brace is no glob (PatternSyntaxException is one of these).
            warnings.add(includedFrom + ": include pattern '" + pattern + "' is not a valid glob, ignored");
        }
    }

    private void includeMatches(String pattern, String includedFrom) {
        String absolute = pattern.startsWith("/") ? pattern
                : Path.of(includedFrom).resolveSibling(pattern).toString();
        Path shown = Path.of(absolute);
        Path parent = shown.getParent() == null ? Path.of("/") : shown.getParent();
        Path inRoot = root.resolve(parent.toString().substring(1)).normalize();
        if (!inRoot.startsWith(root.normalize())) {
            // "include /../*" must not climb out of the sysroot.
            warnings.add(includedFrom + ": include pattern '" + pattern + "' leaves the root, ignored");
            return;
        }
        String glob = shown.getFileName() == null ? "*" : shown.getFileName().toString();
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        Set<String> matches = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(inRoot)) {
            for (Path entry : entries) {
                if (matcher.matches(entry.getFileName())) {
                    matches.add(entry.getFileName().toString());
                }
            }
        } catch (IOException e) {
            return;
        }
        for (String match : matches) {
            readFile(inRoot.resolve(match), parent.resolve(match).toString());
        }
    }
}
