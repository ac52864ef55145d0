package dev.vdsoscope.loader.cpu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Which CPU the library search is worked out for: this machine's (by executing cpuid), this
 * machine's ld.so describing it ({@code ld.so --list-diagnostics}, run as a child), a recorded one
 * (a CPUID dump replayed through glibc's CPU model), or the ld.so of another machine as it described
 * itself.
 */
public sealed interface CpuProfile {
    /** For messages: where the CPU facts come from. */
    String description();

    /** This machine's CPU. */
    record Host() implements CpuProfile {
        @Override
        public String description() {
            return "this CPU";
        }
    }

    /**
     * This machine's CPU as this machine's ld.so of the file's ABI sees it: vdsoscope runs
     * {@code ld.so --list-diagnostics} (never the file). The answer when cpuid cannot run in this
     * process.
     */
    record SystemLoader() implements CpuProfile {
        public static final String NAME = "ld.so";

        @Override
        public String description() {
            return "this machine's ld.so --list-diagnostics";
        }
    }

    /** A CPU recorded as a CPUID dump. */
    record Recorded(RecordedCpu cpu) implements CpuProfile {
        @Override
        public String description() {
            return "the recorded CPU " + cpu.description();
        }
    }

    /** Another machine's ld.so, from its own diagnostics. */
    record Diagnostics(LdSoDiagnostics diagnostics) implements CpuProfile {
        @Override
        public String description() {
            return "ld.so --list-diagnostics of " + diagnostics.description();
        }
    }

    /** A profile that cannot be read: its name and what is wrong. */
    final class ProfileException extends Exception {
        public ProfileException(String message) {
            super(message);
        }
    }

    /** A profile file above this size is refused before it is read. */
    long MAX_FILE_SIZE = 4 * 1024 * 1024;
    String RECORDED = "/dev/vdsoscope/loader/cpu/recorded/";

    static CpuProfile host() {
        return new Host();
    }

    /** The recorded CPUs vdsoscope ships, by name (e.g. {@code intel-haswell}, {@code amd-zen4}). */
    static List<String> recordedNames() {
        try (InputStream in = CpuProfile.class.getResourceAsStream(RECORDED + "INDEX")) {
            if (in == null) {
                return List.of();
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * {@code host}; {@code ld.so} (this machine's ld.so asked); the name of a recorded CPU; or a file
     * holding a CPUID dump or ld.so's diagnostics, told apart by their contents.
     */
    static CpuProfile load(String spec) throws ProfileException, IOException {
        if (spec.equals("host")) {
            return host();
        }
        if (spec.equals(SystemLoader.NAME)) {
            return new SystemLoader();
        }
        if (!spec.contains("/") && recordedNames().contains(spec)) {
            try (InputStream in = CpuProfile.class.getResourceAsStream(RECORDED + spec + ".txt")) {
                if (in == null) {
                    throw new ProfileException(spec + ": the recorded CPU is missing from this build");
                }
                return parse(spec, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        Path file = Path.of(spec);
        if (!Files.exists(file)) {
            throw new ProfileException(spec + ": no such file, and not a recorded CPU (those are: "
                    + String.join(", ", recordedNames()) + ")");
        }
        if (!Files.isRegularFile(file)) {
            throw new ProfileException(spec + ": not a regular file");
        }
        if (Files.size(file) > MAX_FILE_SIZE) {
            throw new ProfileException(spec + ": " + Files.size(file) + " bytes is too large for a CPU profile");
        }
        return parse(spec, Files.readString(file, StandardCharsets.ISO_8859_1));
    }

    /** A profile from its text: a CPUID dump, or ld.so --list-diagnostics output. */
    static CpuProfile parse(String name, String text) throws ProfileException {
        try {
            if (LdSoDiagnostics.looksLikeDiagnostics(text)) {
                return new Diagnostics(LdSoDiagnostics.parse(name, text));
            }
            if (RecordedCpu.looksLikeDump(text)) {
                return new Recorded(RecordedCpu.parse(name, text));
            }
        } catch (LdSoDiagnostics.FormatException | RecordedCpu.FormatException e) {
            throw new ProfileException(name + ": " + e.getMessage());
        }
        throw new ProfileException(name + ": neither a CPUID dump (\"CPUID 00000000: ...\" lines)"
                + " nor ld.so --list-diagnostics output");
    }
}
