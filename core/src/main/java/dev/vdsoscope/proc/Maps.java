package dev.vdsoscope.proc;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The parsed /proc/PID/maps of a process. */
public record Maps(List<Mapping> mappings) {
    /** Longest line accepted; the kernel writes paths up to PATH_MAX. */
    private static final int MAX_LINE = 8192;

    /** Parses the text of /proc/PID/maps; a malformed line is an error naming its number. */
    public static Maps parse(String text) {
        List<Mapping> list = new ArrayList<>();
        int lineNumber = 0;
        for (String line : text.split("\n")) {
            lineNumber++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.length() > MAX_LINE) {
                throw new IllegalArgumentException("line " + lineNumber + " is longer than " + MAX_LINE + " characters");
            }
            list.add(parseLine(line, lineNumber));
        }
        return new Maps(List.copyOf(list));
    }

    private static Mapping parseLine(String line, int lineNumber) {
        try {
            int dash = line.indexOf('-');
            int space1 = line.indexOf(' ', dash);
            int space2 = line.indexOf(' ', space1 + 1);
            int space3 = line.indexOf(' ', space2 + 1);
            int space4 = line.indexOf(' ', space3 + 1);
            int space5 = line.indexOf(' ', space4 + 1);
            long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
            long end = Long.parseUnsignedLong(line.substring(dash + 1, space1), 16);
            String perms = line.substring(space1 + 1, space2);
            long offset = Long.parseUnsignedLong(line.substring(space2 + 1, space3), 16);
            String device = line.substring(space3 + 1, space4);
            long inode;
            String path;
            if (space5 < 0) {
                inode = Long.parseLong(line.substring(space4 + 1).trim());
                path = "";
            } else {
                inode = Long.parseLong(line.substring(space4 + 1, space5));
                path = line.substring(space5 + 1).stripLeading();
            }
            if (perms.length() != 4 || Long.compareUnsigned(end, start) < 0) {
                throw new IllegalArgumentException("bad fields");
            }
            return new Mapping(start, end, perms, offset, device, inode, path);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("line " + lineNumber + " is not a maps line: "
                    + (line.length() > 80 ? line.substring(0, 80) + "..." : line));
        }
    }

    /**
     * In the text of /proc/PID/maps, the last mapping of one of the kernel's own (the [vdso], say),
     * parsing its line alone: parsing all of them, a JVM's four hundred, cost a millisecond of ldd's
     * start-up. These sit at the top of the address space, so the line is looked for from the end.
     */
    public static Optional<Mapping> findIn(String text, PseudoMapping pseudo) {
        if (!pseudo.kernelProvided()) {
            throw new IllegalArgumentException(pseudo + " is not one of the kernel's own mappings");
        }
        String suffix = pseudo.bracketedName();
        for (int hit = text.lastIndexOf(suffix); hit >= 0; hit = text.lastIndexOf(suffix, hit - 1)) {
            int end = hit + suffix.length();
            if (end == text.length() || text.charAt(end) == '\n') {
                int start = text.lastIndexOf('\n', hit) + 1;
                if (end - start > MAX_LINE) {
                    throw new IllegalArgumentException("line " + lineNumberAt(text, start) + " is longer than "
                            + MAX_LINE + " characters");
                }
                String line = text.substring(start, end);
                Mapping mapping;
                try {
                    mapping = parseLine(line, 0);
                } catch (IllegalArgumentException e) {
                    mapping = parseLine(line, lineNumberAt(text, start)); // throws again, saying which line
                }
                if (mapping.pseudo() == pseudo) { // not a file whose name merely ends so
                    return Optional.of(mapping);
                }
            }
        }
        return Optional.empty();
    }

    /** The number of the line starting at {@code start}, for messages (counted only for them). */
    private static int lineNumberAt(String text, int start) {
        int number = 1;
        for (int i = 0; i < start; i++) {
            if (text.charAt(i) == '\n') {
                number++;
            }
        }
        return number;
    }

    /** The first mapping with this bracketed name, e.g. the [vdso]. */
    public Optional<Mapping> find(PseudoMapping pseudo) {
        return mappings.stream().filter(m -> m.pseudo() == pseudo).findFirst();
    }

    /** The mapping that contains an address. */
    public Optional<Mapping> containing(long address) {
        return mappings.stream().filter(m -> m.contains(address)).findFirst();
    }
}
