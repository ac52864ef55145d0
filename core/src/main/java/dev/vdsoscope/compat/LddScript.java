package dev.vdsoscope.compat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.linux.ChildProcess;
import dev.vdsoscope.loader.LoadResult;

/**
 * glibc's ldd script (elf/ldd.bash.in) deciding what to do with a file before ld.so traces it: each
 * ld.so of its RTLDLIST that exists, is executable and runs here ({@code --version} exits 0) is asked
 * {@code --verify FILE}, in order, until one answers 0 or 2. An ld.so of another ABI answers 1; the
 * file's own answers as its loader would, or dies with a signal. The last status decides: 0 or 2,
 * trace with that ld.so; 1, "not a dynamic executable"; anything else, ldd gives up on the whole run
 * ("exited with unknown exit code"), since no later ld.so replaced the status.
 */
public final class LddScript {
    /** Debian's list when the script cannot be read: the x86-64 multilib set, in the script's order. */
    private static final String DEFAULT_LIST = "/lib/ld-linux.so.2 /lib64/ld-linux-x86-64.so.2 /libx32/ld-linux-x32.so.2";
    private static final String RTLDLIST = "\nRTLDLIST=";
    private static final int MAX_SCRIPT = 64 * 1024;

    /** What the loop over RTLDLIST ends with. */
    public sealed interface Verdict {}

    /** An ld.so verified the file: ldd traces it with that ld.so. */
    public record Trace(String ldSo) implements Verdict {}

    /** The last status was 1: "\tnot a dynamic executable" on standard error, status 1 for the file. */
    public record NotDynamic() implements Verdict {}

    /**
     * The last ld.so that ran died (or answered oddly): ldd prints
     * {@code ldd: exited with unknown exit code (STATUS)} and exits 1 at once, files after it unread.
     */
    public record UnknownExitCode(int status) implements Verdict {
        /** ldd's line: RTLD is still empty when no ld.so verified the file, so only the status shows. */
        public String line() {
            return "ldd: exited with unknown exit code (" + status + ")";
        }
    }

    private record LdSo(String path, Optional<LinuxAbi> abi) {}

    private final List<LdSo> list;
    private final Map<String, Boolean> runs = new HashMap<>();

    private LddScript(List<LdSo> list) {
        this.list = List.copyOf(list);
    }

    /** The system's ldd (/usr/bin/ldd), its RTLDLIST read from the script. */
    public static LddScript system() {
        return of(readList(Path.of("/usr/bin/ldd")));
    }

    /** A script with this RTLDLIST (paths separated by blanks). */
    public static LddScript of(String rtldList) {
        List<LdSo> list = new ArrayList<>();
        // The shell splits the unquoted ${RTLDLIST} at blanks (split by hand: a regex costs start-up).
        int start = 0;
        for (int i = 0; i <= rtldList.length(); i++) {
            if (i == rtldList.length() || Character.isWhitespace(rtldList.charAt(i))) {
                if (i > start) {
                    String path = rtldList.substring(start, i);
                    list.add(new LdSo(path, abiOf(Path.of(path))));
                }
                start = i + 1;
            }
        }
        return new LddScript(list);
    }

    /** The value of the script's {@code RTLDLIST=} line, quotes removed. */
    private static String readList(Path script) {
        try (InputStream in = Files.newInputStream(script)) {
            String text = "\n" + new String(in.readNBytes(MAX_SCRIPT), StandardCharsets.ISO_8859_1);
            int at = text.indexOf(RTLDLIST);
            if (at < 0) {
                return DEFAULT_LIST;
            }
            int start = at + RTLDLIST.length();
            int end = text.indexOf('\n', start);
            return text.substring(start, end < 0 ? text.length() : end).replace("\"", "");
        } catch (IOException e) {
            return DEFAULT_LIST;
        }
    }

    /** The ABI of an ld.so file, from its ELF header; empty when it is missing or not ELF. */
    private static Optional<LinuxAbi> abiOf(Path ldSo) {
        try (InputStream in = Files.newInputStream(ldSo)) {
            return LinuxAbi.of(ElfFile.of(ldSo.toString(), ByteBuffer.wrap(in.readNBytes(64))).header());
        } catch (IOException | ElfFormatException e) {
            return Optional.empty();
        }
    }

    /** The loop for one file, as the model resolved it. */
    public Verdict verify(LoadResult result) {
        int fileStatus = result.crash().filter(c -> c.mappingProgram()).map(c -> c.shellStatus())
                .orElse(result.verification().verifies() ? 0 : 1);
        int status = 1;
        for (LdSo ldSo : list) {
            boolean itsOwn = ldSo.abi().isPresent() && ldSo.abi().equals(result.abi());
            if (itsOwn) {
                if (!runs(ldSo)) {
                    continue;
                }
                if (fileStatus == 0 || fileStatus == 2) {
                    return new Trace(ldSo.path());
                }
                status = fileStatus;
            } else if (status != 1 && runs(ldSo)) {
                status = 1; // an ld.so of another ABI passes the file over; only then does it matter
            }
        }
        return status == 1 ? new NotDynamic() : new UnknownExitCode(status);
    }

    /**
     * test -x, then {@code --version}: an ld.so of this machine's own ABI runs; one of another ABI
     * runs only where the kernel runs its programs (IA32 emulation, x32), which only running it tells.
     */
    private boolean runs(LdSo ldSo) {
        return runs.computeIfAbsent(ldSo.path(), path -> {
            if (!Files.isExecutable(Path.of(path)) || ldSo.abi().isEmpty()) {
                return false;
            }
            if (ldSo.abi().get().isHost()) {
                return true;
            }
            try {
                return ChildProcess.run(List.of(path, "--version"), Map.of(), Duration.ofSeconds(10)).succeeded();
            } catch (ChildProcess.ChildException e) {
                return false;
            }
        });
    }
}
