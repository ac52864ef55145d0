package dev.vdsoscope.compat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;

import dev.vdsoscope.loader.BindingProblem;
import dev.vdsoscope.loader.Bindings;
import dev.vdsoscope.loader.ElfObject;
import dev.vdsoscope.loader.LoadResult;
import dev.vdsoscope.loader.LoadedLibrary;
import dev.vdsoscope.loader.Verification;
import dev.vdsoscope.loader.VersionProblem;
import dev.vdsoscope.loader.VersionRequirement;
import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.proc.Mapping;
import dev.vdsoscope.proc.ProcessException;
import dev.vdsoscope.proc.PseudoMapping;
import dev.vdsoscope.vdso.Vdso;

/**
 * What glibc's ldd prints for each file, byte for byte: its own checks and messages, the outcome of
 * its RTLDLIST loop ({@link LddScript}), and ld.so's trace of the model's answer. Load addresses are
 * laid out as the kernel would place the objects in this process, since ldd's own are random.
 */
public final class LddOutput {
    private static final long PAGE = 4096;
    /** The vvar pages the kernel maps below the vDSO, which library mappings then sit under. */
    private static final long VVAR_SIZE = 4 * PAGE;

    /** One file's part of the output. */
    public record Block(String out, Optional<String> err, boolean failed, boolean endsRun) {}

    private final LddScript script;
    /** This process's vDSO, looked for once (by the first target of this tool's ABI); null until then. */
    private Optional<VdsoPlace> vdso;

    /** Where the vDSO is mapped and how many bytes its pages span. */
    private record VdsoPlace(long base, long size) {}

    public LddOutput(LddScript script) {
        this.script = script;
    }

    /**
     * The checks ldd's script makes before it runs ld.so: empty when it goes on, else its message for
     * standard error (a name that does not exist, is not a regular file, or cannot be read), for which
     * it fails the file with status 1.
     */
    public static Optional<String> precheck(String file) {
        String shown = file.contains("/") ? file : "./" + file;
        Path path = Path.of(shown);
        try {
            if (!Files.readAttributes(path, BasicFileAttributes.class).isRegularFile()) {
                return Optional.of("ldd: " + shown + ": not regular file");
            }
            if (!Files.isReadable(path)) {
                return Optional.of("ldd: error: you do not have read permission for `" + shown + "'");
            }
            return Optional.empty();
        } catch (IOException e) {
            // test -e: whatever stat cannot see does not exist for ldd (a dangling link, a loop).
            return Optional.of("ldd: " + shown + ": No such file or directory");
        }
    }

    /** The "FILE:" line ldd prints before each file when it is given several. */
    public static String header(String file) {
        return file + ":\n";
    }

    /**
     * ldd's lines for one resolved file (after the header): "not a dynamic executable" on standard
     * error; giving up the run; or what ld.so prints when it traces the file: the version check's
     * complaints, then one tab-indented line per object, with {@code -d} or {@code -r} what binding
     * the relocations found ({@code bindings}), and with {@code -v} the versions each object needs.
     * Where ld.so stops, its one error line takes the list's place (ldd shows what ld.so printed, on
     * standard output), or follows the relocation complaints; where it dies loading a library, it
     * printed nothing.
     */
    public Block render(LoadResult result, Bindings bindings, boolean versionInformation) {
        LddScript.Verdict verdict = script.verify(result);
        // (instanceof, not a pattern switch: a type switch spins method handles at start-up, which
        // ldd's batch line cannot afford.)
        if (verdict instanceof LddScript.UnknownExitCode unknown) {
            return new Block("", Optional.of(unknown.line()), true, true);
        }
        if (!(verdict instanceof LddScript.Trace)) {
            return new Block("", Optional.of("\tnot a dynamic executable"), true, false);
        }
        if (result.crash().isPresent()) {
            return new Block("", Optional.empty(), true, false); // ld.so died before printing its list
        }
        String program = result.file().contains("/") ? result.file() : "./" + result.file();
        StringBuilder text = new StringBuilder(256);
        if (result.verification() == Verification.STATICALLY_LINKED) {
            text.append("\tstatically linked\n");
            return relocated(text, bindings, program, false, result);
        }
        for (VersionProblem problem : result.versions().problems()) {
            text.append(problem.line(program)).append('\n');
        }
        if (result.failure().isPresent()) {
            text.append(result.failure().get().line(program)).append('\n');
            return new Block(text.toString(), Optional.empty(), true, false);
        }
        long[] addresses = addresses(result);
        int digits = result.abi().isPresent() ? result.abi().get().elfClass().wordSize() * 2 : 16;
        List<LoadedLibrary> listing = result.listing();
        for (int i = 0; i < listing.size(); i++) {
            line(text.append('\t'), listing.get(i), addresses == null ? 0 : addresses[i], digits);
        }
        return relocated(text, bindings, program, versionInformation, result);
    }

    /** After the list: what binding the relocations said (ldd -r, -d), then ldd -v's section, unless ld.so stopped. */
    private static Block relocated(StringBuilder text, Bindings bindings, String program, boolean versionInformation,
            LoadResult result) {
        for (BindingProblem problem : bindings.problems()) {
            text.append(problem.line(program)).append('\n');
        }
        if (bindings.stop().isPresent()) {
            text.append(bindings.stop().get().line(program)).append('\n');
            return new Block(text.toString(), Optional.empty(), true, false);
        }
        if (versionInformation) {
            versionInformation(text, result.versionRequirements());
        }
        return new Block(text.toString(), Optional.empty(), false, false);
    }

    /** rtld.c's "Version information" section, after the list. */
    private static void versionInformation(StringBuilder text, List<VersionRequirement> requirements) {
        String object = null;
        for (VersionRequirement r : requirements) {
            if (object == null) {
                text.append("\n\tVersion information:\n");
            }
            if (!r.requiredBy().equals(object)) {
                object = r.requiredBy();
                text.append('\t').append(object).append(":\n");
            }
            text.append("\t\t").append(r.file()).append(" (").append(r.version()).append(") ")
                    .append(r.weak() ? "[WEAK] " : "").append("=> ").append(r.foundIn().orElse("not found")).append('\n');
        }
    }

    private static void line(StringBuilder text, LoadedLibrary library, long address, int digits) {
        String name = library.name();
        text.append(name);
        if (library.kind() == LoadedLibrary.Kind.NOT_FOUND) {
            text.append(" => not found\n");
            return;
        }
        String path = library.path().orElse(name);
        if (!path.equals(name)) {
            text.append(" => ").append(path);
        }
        String hex = Long.toHexString(address);
        text.append(" (0x").repeat('0', Math.max(0, digits - hex.length())).append(hex).append(")\n");
    }

    /**
     * Load addresses are per process and randomised, so ldd's own differ on every run. For targets of
     * this tool's ABI the vDSO's is this process's real one; ld.so sits just above the vDSO and each
     * library is placed below the previous one, top down, as the kernel's mmap does. Other targets
     * get zeros: the result is null for them (and when this process has no vDSO), else the address
     * of each object of the listing, at its index (0 for a library not found).
     */
    public long[] addresses(LoadResult result) {
        if (result.abi().isEmpty() || !result.abi().get().isHost()) {
            return null;
        }
        if (vdso == null) {
            vdso = findVdso();
        }
        if (vdso.isEmpty()) {
            return null;
        }
        long vdsoBase = vdso.get().base();
        long vdsoSize = (vdso.get().size() + PAGE - 1) & -PAGE;
        long next = vdsoBase - VVAR_SIZE;
        List<LoadedLibrary> listing = result.listing();
        long[] addresses = new long[listing.size()];
        for (int i = 0; i < addresses.length; i++) {
            LoadedLibrary library = listing.get(i);
            switch (library.kind()) {
                case VDSO -> addresses[i] = vdsoBase;
                case INTERPRETER -> addresses[i] = vdsoBase + vdsoSize;
                case FILE -> {
                    next -= library.elf().map(ElfObject::mapSpan).orElse(PAGE);
                    addresses[i] = next;
                }
                default -> { }
            }
        }
        return addresses;
    }

    /**
     * This process's vDSO as {@link Vdso#find()} sees it (its address and the size of its mapping),
     * from the [vdso] line of /proc/self/maps: binding getauxval() through FFM, as Vdso.find() does,
     * costs some 50 ms of start-up, more than ldd takes for a file. Without a readable
     * /proc/self/maps, Vdso.find() answers.
     */
    private static Optional<VdsoPlace> findVdso() {
        if (Boolean.getBoolean(Vdso.HIDE_PROPERTY)) {
            return Optional.empty();
        }
        try {
            Optional<Mapping> mapping = LinuxProcess.self().mapping(PseudoMapping.VDSO);
            if (mapping.isPresent()) {
                return Optional.of(new VdsoPlace(mapping.get().start(), mapping.get().size()));
            }
        } catch (ProcessException e) {
            // Fall through to Vdso.find().
        }
        return Vdso.find().map(found -> new VdsoPlace(found.base(), found.image().input().size()));
    }
}
