package dev.vdsoscope.loader.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The tunables that change which libraries ld.so finds, read from {@code GLIBC_TUNABLES} as glibc
 * 2.36's parse_tunables (elf/dl-tunables.c) reads it: {@code name=value} pairs separated by
 * {@code :}, a name without {@code =} skipped, the last value of a name winning. Two of them
 * matter here: {@code glibc.cpu.hwcaps} (CPU features switched off, sysdeps/x86/cpu-tunables.c) and
 * {@code glibc.cpu.hwcap_mask} (which AT_HWCAP bits name legacy subdirectories; its older spelling
 * is the variable {@code LD_HWCAP_MASK}, which a value in GLIBC_TUNABLES overrides). Every other
 * tunable (cache sizes, {@code glibc.cpu.x86_ibt}, malloc ...) is recorded as having no effect on
 * the search, so that a user can be told which were honoured.
 *
 * @param hwcaps     the value of glibc.cpu.hwcaps, if given
 * @param hwcapMask  the value of glibc.cpu.hwcap_mask (or LD_HWCAP_MASK), if given
 * @param ignored    the other tunables named, as {@code name=value}, in order
 */
public record GlibcTunables(Optional<String> hwcaps, OptionalLong hwcapMask, List<String> ignored) {
    public static final String HWCAPS = "glibc.cpu.hwcaps";
    public static final String HWCAP_MASK = "glibc.cpu.hwcap_mask";

    public GlibcTunables {
        ignored = List.copyOf(ignored);
    }

    /**
     * A GLIBC_TUNABLES value that gives ld.so these tunables (the hwcap mask as glibc.cpu.hwcap_mask,
     * which outranks LD_HWCAP_MASK).
     */
    public String asEnvironmentValue() {
        List<String> parts = new ArrayList<>();
        hwcaps.ifPresent(v -> parts.add(HWCAPS + "=" + v));
        hwcapMask.ifPresent(v -> parts.add(HWCAP_MASK + "=0x" + Long.toHexString(v)));
        parts.addAll(ignored);
        return String.join(":", parts);
    }

    /** No tunables. */
    public static GlibcTunables none() {
        return new GlibcTunables(Optional.empty(), OptionalLong.empty(), List.of());
    }

    /** This process's environment, as the ld.so that ldd runs would see it. */
    public static GlibcTunables fromEnvironment() {
        return parse(System.getenv("GLIBC_TUNABLES"), System.getenv("LD_HWCAP_MASK"));
    }

    /**
     * The tunables of a GLIBC_TUNABLES value and an LD_HWCAP_MASK value (either may be null).
     */
    public static GlibcTunables parse(String glibcTunables, String ldHwcapMask) {
        Optional<String> hwcaps = Optional.empty();
        OptionalLong mask = ldHwcapMask == null ? OptionalLong.empty() : OptionalLong.of(strtoul(ldHwcapMask));
        List<String> ignored = new ArrayList<>();
        String text = glibcTunables == null ? "" : glibcTunables;
        int p = 0;
        while (p < text.length()) {
            int nameEnd = p;
            while (nameEnd < text.length() && text.charAt(nameEnd) != '=' && text.charAt(nameEnd) != ':') {
                nameEnd++;
            }
            if (nameEnd == text.length()) {
                break; // a name with no value at the end: parse_tunables stops
            }
            if (text.charAt(nameEnd) == ':') {
                p = nameEnd + 1; // a name without a value is skipped
                continue;
            }
            String name = text.substring(p, nameEnd);
            int valueEnd = text.indexOf(':', nameEnd + 1);
            if (valueEnd < 0) {
                valueEnd = text.length();
            }
            String value = text.substring(nameEnd + 1, valueEnd);
            switch (name) {
                case HWCAPS -> hwcaps = Optional.of(value);
                case HWCAP_MASK -> mask = OptionalLong.of(strtoul(value));
                default -> ignored.add(name + "=" + value);
            }
            p = valueEnd + 1;
        }
        return new GlibcTunables(hwcaps, mask, ignored);
    }

    /**
     * glibc's _dl_strtoul (elf/dl-misc.c): blanks skipped, an optional sign, then hexadecimal after
     * 0x, octal after 0, else decimal, up to the first character that is not a digit of that base; 0
     * when no digit starts it, all ones when the value overflows 64 bits.
     */
    static long strtoul(String value) {
        int i = 0;
        while (i < value.length() && (value.charAt(i) == ' ' || value.charAt(i) == '\t')) {
            i++;
        }
        boolean negative = false;
        if (i < value.length() && (value.charAt(i) == '-' || value.charAt(i) == '+')) {
            negative = value.charAt(i) == '-';
            i++;
        }
        if (i >= value.length() || value.charAt(i) < '0' || value.charAt(i) > '9') {
            return 0;
        }
        int base = 10;
        if (value.charAt(i) == '0') {
            if (value.startsWith("x", i + 1) || value.startsWith("X", i + 1)) {
                base = 16;
                i += 2;
            } else {
                base = 8;
            }
        }
        long result = 0;
        for (; i < value.length(); i++) {
            int digit = Character.digit(value.charAt(i), base);
            if (digit < 0 || value.charAt(i) > 'f') {
                break;
            }
            if (Long.compareUnsigned(result, Long.divideUnsigned(-1L - digit, base)) >= 0) {
                return -1L;
            }
            result = result * base + digit;
        }
        return negative ? -result : result;
    }

    /** The words of glibc.cpu.hwcaps, as set_hwcaps splits them at commas. */
    public List<String> hwcapsWords() {
        if (hwcaps.isEmpty()) {
            return List.of();
        }
        List<String> words = new ArrayList<>();
        String value = hwcaps.get();
        int start = 0;
        while (start <= value.length()) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? value.length() : comma;
            words.add(value.substring(start, end));
            if (comma < 0) {
                break;
            }
            start = comma + 1;
        }
        return List.copyOf(words);
    }

    /** Whether any tunable is set at all. */
    public boolean isEmpty() {
        return hwcaps.isEmpty() && hwcapMask.isEmpty() && ignored.isEmpty();
    }
}
