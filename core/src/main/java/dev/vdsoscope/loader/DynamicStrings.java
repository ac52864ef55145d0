package dev.vdsoscope.loader;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The dynamic string tokens of glibc's elf/dl-load.c (_dl_dst_substitute): $ORIGIN, $PLATFORM and
 * $LIB, bare or in braces. A bare token must not run on into more name characters ($ORIGINX is not
 * $ORIGIN). Other '$' sequences are kept as written. ldd runs as an ordinary user, so glibc's
 * secure-mode restrictions for setuid programs (no $ORIGIN outside trusted directories) do not
 * apply to what ldd shows, and the model does not apply them either.
 */
final class DynamicStrings {
    private DynamicStrings() {}

    /**
     * Expands the tokens; empty when the text uses $ORIGIN and the origin is unknown, or $PLATFORM
     * and ld.so has no platform (glibc then drops the path element). The platform is asked for only
     * when the text uses it.
     */
    static Optional<String> expand(String text, String origin, Supplier<String> platform, String lib,
            boolean onlyOrigin) {
        if (text.indexOf('$') < 0) {
            return Optional.of(text);
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$') {
                out.append(c);
                i++;
                continue;
            }
            String rest = text.substring(i + 1);
            String[] names = onlyOrigin ? new String[] {"ORIGIN"} : new String[] {"ORIGIN", "PLATFORM", "LIB"};
            int used = 0;
            String value = null;
            for (String name : names) {
                if (rest.startsWith("{" + name + "}")) {
                    used = name.length() + 2;
                } else if (rest.startsWith(name) && (rest.length() == name.length()
                        || !isNameChar(rest.charAt(name.length())))) {
                    used = name.length();
                }
                if (used > 0) {
                    value = switch (name) {
                        case "ORIGIN" -> origin;
                        case "PLATFORM" -> platform.get();
                        default -> lib;
                    };
                    if (value == null) {
                        return Optional.empty();
                    }
                    break;
                }
            }
            if (used == 0) {
                out.append('$');
                i++;
            } else {
                out.append(value);
                i += 1 + used;
            }
        }
        return Optional.of(out.toString());
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    /** The directory part of a path as ld.so computes l_origin: textual, from the absolute name. */
    static String origin(String path, String workingDirectory) {
        String absolute = path.startsWith("/") ? path
                : workingDirectory + (workingDirectory.endsWith("/") ? "" : "/") + path;
        int slash = absolute.lastIndexOf('/');
        return slash <= 0 ? "/" : absolute.substring(0, slash);
    }
}
