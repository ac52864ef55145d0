package dev.vdsoscope.disasm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.ZipFile;

import dev.vdsoscope.abi.InstructionSet;
import dev.vdsoscope.abi.LinuxAbi;

/**
 * The Capstone shared library, found and bound through FFM. The version is read first with
 * {@code cs_version()}, because the {@code cs_insn} layout differs between major versions (4 has 16
 * instruction bytes, 5 has 24) and version 6 renumbers the architectures, which this binding refuses.
 *
 * <p>Where it looks, in order: the search path named by the system property {@value #PATH_PROPERTY} or
 * the environment variable {@value #PATH_VARIABLE} (files or directories, separated by ':'; when set,
 * nothing else is searched, so an empty value simulates a machine without Capstone); else
 * {@code libcapstone.so.5} and {@code .so.4} through the dynamic loader (LD_LIBRARY_PATH, the ldconfig
 * cache, the default directories); else the native library for this platform inside the Maven
 * artifact com.github.zhkl0228:capstone:3.1.8 (on the class path or in ~/.m2), extracted once into
 * ~/.cache/vdsoscope and checked against its known SHA-256.
 */
public final class CapstoneLibrary {
    public static final String PATH_PROPERTY = "vdsoscope.capstone.path";
    public static final String PATH_VARIABLE = "VDSOSCOPE_CAPSTONE_PATH";

    /** How to get Capstone, in one line (the message of every "missing" failure). */
    public static final String INSTALL_HINT = "install it with `apt-get install libcapstone4` (Debian, Ubuntu) or"
            + " `dnf install capstone` (Fedora), or fetch the Maven artifact with"
            + " `mvn dependency:get -Dartifact=com.github.zhkl0228:capstone:3.1.8`";

    private static final String[] SONAMES = {"libcapstone.so.5", "libcapstone.so.4"};
    private static final String JAR_PATH = "com/github/zhkl0228/capstone/3.1.8/capstone-3.1.8.jar";
    /** The libraries inside capstone-3.1.8.jar, by platform directory, with their SHA-256. */
    private static final Map<String, String> JAR_LIBRARIES = Map.of(
            "linux-x86-64", "343d2018a15ddc2a35095287d2a73faa7aced87a70054001e6ede101aef4d53c",
            "linux-aarch64", "39449c25d671f1d6a9c22c1eab6f1285a52d1078502c1d0aaa7615479e8b250b");

    static final int CS_OPT_SYNTAX = 1;
    static final int CS_OPT_SYNTAX_INTEL = 1;
    static final int CS_OPT_SYNTAX_ATT = 2;

    /** The search path the cached answer below was found with (null: the default search). */
    private static String searchedWith;
    private static Optional<CapstoneLibrary> loaded;
    private static String unavailableReason;

    private final String origin;
    private final int major;
    private final int minor;
    final StructLayout insnLayout;
    final long bytesOffset;
    final long mnemonicOffset;
    final long operandsOffset;
    final MethodHandle open;
    final MethodHandle option;
    final MethodHandle disasmIter;
    final MethodHandle malloc;
    final MethodHandle free;
    final MethodHandle close;
    final MethodHandle strerror;
    private final MethodHandle support;

    private CapstoneLibrary(String origin, SymbolLookup lookup) throws CapstoneUnavailableException {
        this.origin = origin;
        Linker linker = Linker.nativeLinker();
        MethodHandle version = bind(linker, lookup, "cs_version", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        try {
            // cs_version returns (major << 8) + minor and accepts NULL for its two out-parameters.
            int packed = (int) version.invokeExact(MemorySegment.NULL, MemorySegment.NULL);
            major = packed >> 8;
            minor = packed & 0xff;
        } catch (Throwable t) {
            throw new CapstoneUnavailableException(origin + ": cs_version() failed: " + t);
        }
        if (major < 4 || major > 5) {
            throw new CapstoneUnavailableException(origin + " is Capstone " + major + "." + minor
                    + "; vdsoscope speaks the ABI of Capstone 4 and 5 only" + (major >= 6
                    ? " (6 renumbers the architectures and changes cs_insn)" : "") + ": " + INSTALL_HINT);
        }
        // cs_insn: id, address, size, bytes[16 in v4, 24 in v5], mnemonic[32], op_str[160], detail.
        int byteCount = major == 4 ? 16 : 24;
        long afterText = 8 + 8 + 2 + byteCount + 32 + 160;
        insnLayout = MemoryLayout.structLayout(JAVA_INT.withName("id"), MemoryLayout.paddingLayout(4),
                JAVA_LONG.withName("address"), JAVA_SHORT.withName("size"),
                MemoryLayout.sequenceLayout(byteCount, JAVA_BYTE).withName("bytes"),
                MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("mnemonic"),
                MemoryLayout.sequenceLayout(160, JAVA_BYTE).withName("op_str"),
                MemoryLayout.paddingLayout((8 - afterText % 8) % 8), ADDRESS.withName("detail"));
        bytesOffset = insnLayout.byteOffset(MemoryLayout.PathElement.groupElement("bytes"));
        mnemonicOffset = insnLayout.byteOffset(MemoryLayout.PathElement.groupElement("mnemonic"));
        operandsOffset = insnLayout.byteOffset(MemoryLayout.PathElement.groupElement("op_str"));
        // csh is a size_t: this binding assumes a 64-bit platform, where it is a long.
        open = bind(linker, lookup, "cs_open", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
        option = bind(linker, lookup, "cs_option", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG));
        // bool cs_disasm_iter(csh, const uint8_t **code, size_t *size, uint64_t *address, cs_insn *insn):
        // decodes one instruction into a cs_insn from cs_malloc and advances the three cells past it.
        disasmIter = bind(linker, lookup, "cs_disasm_iter",
                FunctionDescriptor.of(JAVA_BOOLEAN, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        malloc = bind(linker, lookup, "cs_malloc", FunctionDescriptor.of(ADDRESS, JAVA_LONG));
        free = bind(linker, lookup, "cs_free", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG));
        close = bind(linker, lookup, "cs_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        strerror = bind(linker, lookup, "cs_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        support = bind(linker, lookup, "cs_support", FunctionDescriptor.of(JAVA_BOOLEAN, JAVA_INT));
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor descriptor)
            throws CapstoneUnavailableException {
        MemorySegment address = lookup.find(name).orElseThrow(
                () -> new CapstoneUnavailableException("the Capstone library has no " + name + ": " + INSTALL_HINT));
        return linker.downcallHandle(address, descriptor);
    }

    /** The library, loaded on first use; throws with a one-line reason and the install hint. */
    public static synchronized CapstoneLibrary require() throws CapstoneUnavailableException {
        String searchPath = searchPath();
        // Searched again when the search path changes, so that tests can hide Capstone and bring it back.
        if (loaded == null || !Objects.equals(searchPath, searchedWith)) {
            searchedWith = searchPath;
            unavailableReason = null;
            try {
                loaded = Optional.of(locate(searchPath));
            } catch (CapstoneUnavailableException e) {
                loaded = Optional.empty();
                unavailableReason = e.getMessage();
            }
        }
        if (loaded.isEmpty()) {
            throw new CapstoneUnavailableException(unavailableReason);
        }
        return loaded.get();
    }

    /** The library if there is one, for callers that can do without. */
    public static Optional<CapstoneLibrary> find() {
        try {
            return Optional.of(require());
        } catch (CapstoneUnavailableException e) {
            return Optional.empty();
        }
    }

    /** Where the library came from: a path or a soname resolved by the dynamic loader. */
    public String origin() {
        return origin;
    }

    /**
     * Whether this build decodes the instruction set: builds may leave architectures out (the one in
     * capstone-3.1.8.jar has only ARM and AArch64).
     */
    public boolean supports(InstructionSet isa) {
        if (!CapstoneTarget.knows(isa, major)) {
            return false;
        }
        try {
            return (boolean) support.invokeExact(CapstoneTarget.arch(isa));
        } catch (Throwable t) {
            throw new IllegalStateException("cs_support failed", t);
        }
    }

    public int major() {
        return major;
    }

    public String version() {
        return major + "." + minor;
    }

    private static String searchPath() {
        return System.getProperty(PATH_PROPERTY, System.getenv(PATH_VARIABLE));
    }

    private static CapstoneLibrary locate(String searchPath) throws CapstoneUnavailableException {
        if (searchPath != null) {
            for (String entry : searchPath.split(":")) {
                if (entry.isEmpty()) {
                    continue;
                }
                Path path = Path.of(entry);
                for (Path candidate : Files.isDirectory(path)
                        ? List.of(path.resolve(SONAMES[0]), path.resolve(SONAMES[1]), path.resolve("libcapstone.so"))
                        : List.of(path)) {
                    if (Files.isRegularFile(candidate)) {
                        return openPath(candidate);
                    }
                }
            }
            throw new CapstoneUnavailableException("Capstone not found in " + PATH_PROPERTY + "/" + PATH_VARIABLE
                    + " \"" + searchPath + "\": " + INSTALL_HINT);
        }
        for (String soname : SONAMES) {
            try {
                return new CapstoneLibrary(soname, SymbolLookup.libraryLookup(soname, Arena.global()));
            } catch (IllegalArgumentException notFound) {
                // dlopen did not find this soname; try the next one.
            }
        }
        Optional<Path> extracted = extractFromMavenArtifact(cacheDirectory());
        if (extracted.isPresent()) {
            return openPath(extracted.get());
        }
        throw new CapstoneUnavailableException("Capstone (libcapstone.so.5 or .so.4) not found: " + INSTALL_HINT);
    }

    private static CapstoneLibrary openPath(Path path) throws CapstoneUnavailableException {
        try {
            return new CapstoneLibrary(path.toString(), SymbolLookup.libraryLookup(path, Arena.global()));
        } catch (IllegalArgumentException e) {
            throw new CapstoneUnavailableException("cannot load " + path + ": " + e.getMessage() + ": " + INSTALL_HINT);
        }
    }

    /** The platform directory name used inside the jar, when the jar has one for this machine. */
    private static Optional<String> jarPlatform() {
        if (!System.getProperty("os.name", "").equals("Linux")) {
            return Optional.empty();
        }
        // The Maven artifact's directories are named by instruction set (JNA's platform names).
        return LinuxAbi.host().map(LinuxAbi::instructionSet).flatMap(isa -> switch (isa) {
            case X86_64 -> Optional.of("linux-x86-64");
            case AARCH64 -> Optional.of("linux-aarch64");
            default -> Optional.empty();
        });
    }

    /** Extracts the library for this platform into {@code cacheDirectory}, once; empty without the artifact. */
    static Optional<Path> extractFromMavenArtifact(Path cacheDirectory) throws CapstoneUnavailableException {
        Optional<String> platform = jarPlatform();
        if (platform.isEmpty()) {
            return Optional.empty();
        }
        String entry = platform.get() + "/libcapstone.so";
        String expected = JAR_LIBRARIES.get(platform.get());
        Path target = cacheDirectory.resolve("capstone-3.1.8-" + platform.get() + "-" + expected.substring(0, 12)
                + ".so");
        try {
            if (Files.isRegularFile(target) && sha256(Files.readAllBytes(target)).equals(expected)) {
                return Optional.of(target);
            }
            byte[] library = readFromClassPath(entry).or(() -> readFromLocalRepository(entry)).orElse(null);
            if (library == null) {
                return Optional.empty();
            }
            String actual = sha256(library);
            if (!actual.equals(expected)) {
                throw new CapstoneUnavailableException("the Capstone library in capstone-3.1.8.jar has SHA-256 "
                        + actual + ", not the expected " + expected + ": refusing it; " + INSTALL_HINT);
            }
            // Write beside the target and rename, so that concurrent runs never load a half-written file.
            Files.createDirectories(cacheDirectory);
            Path temporary = Files.createTempFile(cacheDirectory, "capstone-", ".part");
            try {
                Files.write(temporary, library);
                try {
                    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temporary);
            }
            return Optional.of(target);
        } catch (IOException e) {
            throw new CapstoneUnavailableException("cannot extract Capstone into " + cacheDirectory + ": " + e.getMessage()
                    + ": " + INSTALL_HINT);
        }
    }

    private static Path cacheDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("vdsoscope");
    }

    private static Optional<byte[]> readFromClassPath(String entry) {
        try (InputStream in = CapstoneLibrary.class.getClassLoader().getResourceAsStream(entry)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<byte[]> readFromLocalRepository(String entry) {
        List<Path> repositories = new ArrayList<>();
        String configured = System.getProperty("maven.repo.local");
        if (configured != null) {
            repositories.add(Path.of(configured));
        }
        repositories.add(Path.of(System.getProperty("user.home"), ".m2", "repository"));
        for (Path repository : repositories) {
            Path jar = repository.resolve(JAR_PATH);
            if (Files.isRegularFile(jar)) {
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    var zipEntry = zip.getEntry(entry);
                    if (zipEntry != null) {
                        try (InputStream in = zip.getInputStream(zipEntry)) {
                            return Optional.of(in.readAllBytes());
                        }
                    }
                } catch (IOException e) {
                    // An unreadable jar is the same as no jar: the caller reports Capstone missing.
                }
            }
        }
        return Optional.empty();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
