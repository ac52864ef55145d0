package dev.vdsoscope.loader.cpu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import dev.vdsoscope.linux.ChildProcess;
import dev.vdsoscope.loader.cpu.GlibcCpuFeature.CpuidIndex;

/**
 * The output of glibc's {@code ld.so --list-diagnostics} (elf/dl-diagnostics.c, glibc 2.33 and
 * later): {@code label=0xHEX} and {@code label="string"} lines. It says what that machine's ld.so
 * computed: its platform, AT_HWCAP, the glibc-hwcaps subdirectories it searches, its trusted
 * directories, its version, and on x86 the whole {@code cpu_features}. A saved copy lets vdsoscope
 * resolve libraries as ld.so would on the machine it came from.
 *
 * @param numbers the labels printed with a 0x-hexadecimal value, and the value
 * @param strings the labels printed with a quoted string, and the string unquoted; a label that
 *                appears twice keeps its first value
 */
public record LdSoDiagnostics(String description, Map<String, Long> numbers, Map<String, String> strings) {
    /** Output of a few kilobytes; a file far larger than this is not ld.so's. */
    private static final int MAX_LINES = 100_000;

    public LdSoDiagnostics {
        numbers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(numbers));
        strings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(strings));
    }

    /** A line of the output that cannot be read. */
    public static final class FormatException extends Exception {
        public FormatException(String message) {
            super(message);
        }
    }

    /**
     * Runs an ld.so with {@code --list-diagnostics} (glibc 2.33 and later) and reads what it says,
     * with GLIBC_TUNABLES set to these tunables and LD_HWCAP_MASK unset (the tunables carry it).
     */
    public static LdSoDiagnostics run(String ldSo, GlibcTunables tunables)
            throws FormatException, ChildProcess.ChildException {
        Map<String, String> environment = new java.util.HashMap<>();
        environment.put("GLIBC_TUNABLES", tunables.asEnvironmentValue());
        environment.put("LD_HWCAP_MASK", null);
        ChildProcess.Result result = ChildProcess.run(List.of(ldSo, "--list-diagnostics"), environment,
                java.time.Duration.ofSeconds(10));
        if (!result.succeeded()) {
            throw new ChildProcess.ChildException(ldSo + " --list-diagnostics exited with status " + result.status());
        }
        return parse(ldSo, result.out());
    }

    /** Whether the text looks like ld.so --list-diagnostics output. */
    public static boolean looksLikeDiagnostics(String text) {
        return text.contains("dl_platform=") || text.contains("dl_hwcap=");
    }

    /**
     * Reads the output. Lines that are neither {@code label=0x...} nor {@code label="..."} are
     * rejected with their number, since a damaged file would otherwise be taken for another CPU.
     */
    public static LdSoDiagnostics parse(String description, String text) throws FormatException {
        Map<String, Long> numbers = new LinkedHashMap<>();
        Map<String, String> strings = new LinkedHashMap<>();
        List<String> lines = text.lines().limit(MAX_LINES + 1L).toList();
        if (lines.size() > MAX_LINES) {
            throw new FormatException("more than " + MAX_LINES + " lines: not ld.so --list-diagnostics output");
        }
        for (int lineNumber = 1; lineNumber <= lines.size(); lineNumber++) {
            String line = lines.get(lineNumber - 1);
            if (line.isBlank()) {
                continue;
            }
            int equals = line.indexOf('=');
            if (equals <= 0) {
                throw new FormatException("line " + lineNumber + ": expected label=value");
            }
            String label = line.substring(0, equals);
            String raw = line.substring(equals + 1);
            if (numbers.containsKey(label) || strings.containsKey(label)) {
                continue;
            }
            if (raw.startsWith("\"")) {
                strings.put(label, unquote(raw, lineNumber));
            } else if (raw.startsWith("0x") && raw.length() > 2 && raw.length() <= 18 && isHex(raw.substring(2))) {
                numbers.put(label, Long.parseUnsignedLong(raw.substring(2), 16));
            } else {
                throw new FormatException("line " + lineNumber + ": value of " + label
                        + " is neither 0x-hexadecimal nor a quoted string");
            }
        }
        if (!numbers.containsKey("dl_hwcap") && !strings.containsKey("dl_platform")
                && !numbers.containsKey("dl_platform")) {
            throw new FormatException("no dl_hwcap or dl_platform line: not ld.so --list-diagnostics output");
        }
        return new LdSoDiagnostics(description, numbers, strings);
    }

    private static boolean isHex(String digits) {
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), 16) < 0 || digits.charAt(i) > 'f') {
                return false;
            }
        }
        return !digits.isEmpty();
    }

    /**
     * A quoted string as print_quoted_char writes it: {@code \\} and {@code \"} escaped, other bytes
     * outside the printable range as a backslash and three octal digits.
     */
    private static String unquote(String raw, int lineNumber) throws FormatException {
        StringBuilder out = new StringBuilder();
        int i = 1;
        while (i < raw.length()) {
            char c = raw.charAt(i);
            if (c == '"') {
                if (i != raw.length() - 1) {
                    throw new FormatException("line " + lineNumber + ": text after the closing quote");
                }
                return out.toString();
            }
            if (c == '\\') {
                if (i + 1 < raw.length() && (raw.charAt(i + 1) == '\\' || raw.charAt(i + 1) == '"')) {
                    out.append(raw.charAt(i + 1));
                    i += 2;
                    continue;
                }
                if (i + 3 < raw.length() && isOctal(raw, i + 1, 3)) {
                    out.append((char) Integer.parseInt(raw.substring(i + 1, i + 4), 8));
                    i += 4;
                    continue;
                }
                throw new FormatException("line " + lineNumber + ": bad escape in a quoted string");
            }
            out.append(c);
            i++;
        }
        throw new FormatException("line " + lineNumber + ": unterminated string");
    }

    private static boolean isOctal(String s, int from, int count) {
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }

    /** A value printed as 0x-hexadecimal. */
    public OptionalLong number(String label) {
        Long value = numbers.get(label);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /** Every label, in the order printed. */
    public List<String> labels() {
        List<String> labels = new ArrayList<>(numbers.keySet());
        labels.addAll(strings.keySet());
        return List.copyOf(labels);
    }

    /** dl_platform: empty where ld.so had none (printed as 0x0). */
    public Optional<String> platform() {
        return Optional.ofNullable(strings.get("dl_platform"));
    }

    public long hwcap() {
        return number("dl_hwcap").orElse(0);
    }

    /** HWCAP_IMPORTANT of that ld.so: the AT_HWCAP bits that can name legacy subdirectories. */
    public long hwcapImportant() {
        return number("dl_hwcap_important").orElse(0);
    }

    /** The glibc-hwcaps subdirectories that ld.so searches, best first. */
    public List<String> glibcHwcaps() {
        String all = strings.getOrDefault("dl_hwcaps_subdirs", "");
        long active = number("dl_hwcaps_subdirs_active").orElse(0);
        List<String> result = new ArrayList<>();
        int bit = 0;
        for (String name : all.split(":")) {
            if (!name.isEmpty() && bit < 64 && (active & (1L << bit)) != 0) {
                result.add(name);
            }
            bit++;
        }
        return List.copyOf(result);
    }

    /** version.version, e.g. "2.36". */
    public Optional<String> version() {
        return Optional.ofNullable(strings.get("version.version"));
    }

    /** The file name ld.so knows itself by (dso.ld), e.g. "ld-linux-x86-64.so.2". */
    public Optional<String> loaderName() {
        return Optional.ofNullable(strings.get("dso.ld"));
    }

    /** path.system_dirs: the trusted directories, without their trailing slash. */
    public List<String> systemDirectories() {
        List<String> result = new ArrayList<>();
        for (int i = 0; strings.containsKey("path.system_dirs[0x" + Integer.toHexString(i) + "]"); i++) {
            String directory = strings.get("path.system_dirs[0x" + Integer.toHexString(i) + "]");
            result.add(directory.length() > 1 && directory.endsWith("/")
                    ? directory.substring(0, directory.length() - 1) : directory);
        }
        return List.copyOf(result);
    }

    /**
     * The GLIBC_TUNABLES and LD_HWCAP_MASK that ld.so ran with, from the environment it printed
     * (both are among the variables it prints unfiltered).
     */
    public GlibcTunables tunables() {
        String glibcTunables = null;
        String hwcapMask = null;
        for (Map.Entry<String, String> entry : strings.entrySet()) {
            if (entry.getKey().startsWith("env[")) {
                String assignment = entry.getValue();
                if (assignment.startsWith("GLIBC_TUNABLES=")) {
                    glibcTunables = assignment.substring("GLIBC_TUNABLES=".length());
                } else if (assignment.startsWith("LD_HWCAP_MASK=")) {
                    hwcapMask = assignment.substring("LD_HWCAP_MASK=".length());
                }
            }
        }
        return GlibcTunables.parse(glibcTunables, hwcapMask);
    }

    /**
     * The x86 {@code cpu_features} as that ld.so printed them, or empty on other machines (or for
     * output without them).
     */
    public Optional<X86CpuFeatures> x86() {
        OptionalLong kind = number("x86.cpu_features.basic.kind");
        if (kind.isEmpty()) {
            return Optional.empty();
        }
        int count = CpuidIndex.values().length;
        int[][] cpuid = new int[count][4];
        int[][] active = new int[count][4];
        for (int index = 0; index < count; index++) {
            for (int register = 0; register < 4; register++) {
                String at = "x86.cpu_features.features[0x" + Integer.toHexString(index) + "].";
                String reg = "[0x" + Integer.toHexString(register) + "]";
                cpuid[index][register] = (int) number(at + "cpuid" + reg).orElse(0);
                active[index][register] = (int) number(at + "active" + reg).orElse(0);
            }
        }
        X86CpuFeatures.Kind[] kinds = X86CpuFeatures.Kind.values();
        long k = kind.getAsLong();
        X86CpuFeatures.Kind parsedKind = k >= 0 && k < kinds.length ? kinds[(int) k] : X86CpuFeatures.Kind.arch_kind_other;
        return Optional.of(new X86CpuFeatures(parsedKind, (int) number("x86.cpu_features.basic.max_cpuid").orElse(0),
                (int) number("x86.cpu_features.basic.family").orElse(0),
                (int) number("x86.cpu_features.basic.model").orElse(0),
                (int) number("x86.cpu_features.basic.stepping").orElse(0), cpuid, active,
                (int) number("x86.cpu_features.isa_1").orElse(0),
                number("x86.cpu_features.preferred.I586").orElse(0) != 0,
                number("x86.cpu_features.preferred.I686").orElse(0) != 0, List.of()));
    }
}
