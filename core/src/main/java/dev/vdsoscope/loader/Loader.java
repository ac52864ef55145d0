package dev.vdsoscope.loader;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.vdsoscope.abi.GlibcLoader;
import dev.vdsoscope.abi.GlibcRelocations;
import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.elf.BatchReader;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.loader.cpu.CpuProfile;

/**
 * A static model of the dynamic loader: which file each DT_NEEDED name of a program would load, in
 * the order glibc 2.36's ld.so loads them (elf/dl-deps.c breadth first, elf/dl-load.c
 * {@code _dl_map_object} for each name), or by musl's rules (ldso/dynlink.c) for programs whose
 * interpreter is ld-musl. Nothing is executed, mapped for execution or dlopen()ed: files are only
 * read, and each one once per {@code Loader} (share one across a batch).
 */
public final class Loader {
    private static final Set<String> MISSING_DIRECTORY = Set.of();
    /** A directory that opens, whose names have not been read (compared by identity). */
    private static final Set<String> NOT_READ = Collections.unmodifiableSet(new HashSet<>());

    private final LoaderOptions options;
    private final Map<String, Set<String>> listings = new HashMap<>();
    private final Map<String, Candidate> candidates = new HashMap<>();
    /** Each path as the model asked for it (before the root is applied), and what is there. */
    private final Map<String, Candidate> checked = new HashMap<>();
    private final Map<Object, ElfObject> objectsByKey = new HashMap<>();
    /**
     * Each file's binding tables, read once and shared by every program that loads the file (empty:
     * unreadable); for one mode, the first asked for: a run binds in one mode.
     */
    private final Map<Object, Optional<BindingTables>> bindingTablesByKey = new HashMap<>();
    private BindMode bindingMode;
    private final BindingCache bindingCache = new BindingCache();
    /** By ABI: what its targets share. */
    private final Map<LinuxAbi, AbiSearch> searchesByAbi = new java.util.EnumMap<>(LinuxAbi.class);
    private final List<String> sessionWarnings = new ArrayList<>();
    private Optional<LdSoCache> cache;
    private BatchReader reader;
    private List<String> confDirectories;
    private boolean cacheAbsent;
    private final boolean systemRoot;
    /** LD_LIBRARY_PATH is unset or has no $ token, so it means the same directories for every target. */
    private final boolean fixedLibraryPath;

    /**
     * What ld.so makes of a path it tries: missing and unreadable (EACCES) files, and those open_verify
     * passes over (another ELF class or machine), let the search go on; a symbolic-link loop ends the
     * search of that list (open_path returns on an errno other than ENOENT and EACCES); a file that
     * open_verify refuses stops ld.so; a FIFO or device would make it wait or read a device.
     */
    enum Verdict {
        OK(""), MISSING("no such file"), UNREADABLE("permission denied"), PASSED_OVER("passed over"),
        LOOP("too many levels of symbolic links"), DIRECTORY("a directory"), REFUSED("refused"),
        SPECIAL("not a regular file");

        final String description;

        Verdict(String description) {
            this.description = description;
        }
    }

    /**
     * A path's verdict; the object when the file could be read, and for PASSED_OVER and REFUSED
     * ld.so's reason.
     */
    record Candidate(Verdict verdict, ElfObject elf, String reason) {
        Candidate(Verdict verdict, ElfObject elf) {
            this(verdict, elf, verdict.description);
        }
    }

    /** ld.so stopping: thrown out of a resolution, which then ends with this failure. */
    private static final class Stop extends RuntimeException {
        final LoadFailure failure;

        Stop(LoadFailure failure) {
            super(failure.message(), null, false, false);
            this.failure = failure;
        }
    }

    /** ld.so dying while it maps a library: the resolution ends there. */
    private static final class Crashed extends RuntimeException {
        final LdSoCrash crash;

        Crashed(LdSoCrash crash) {
            super(crash.explanation(), null, false, false);
            this.crash = crash;
        }
    }

    private record Found(String path, ElfObject elf, SearchRule rule, String source) {}

    /** A search's outcome (null when nothing was found) and the places it passed over. */
    private record Search(Found found, List<Attempt> attempts) {}

    /**
     * What the targets of one ABI share: the directories ld.so would search and the searches already
     * done that depend on the name alone (see {@link Resolution#dependsOnNameAlone}), so that a batch
     * looks up libc.so.6 once rather than once per program.
     */
    private final class AbiSearch {
        final LinuxAbi abi;
        final GlibcLoader glibc;
        final List<String> trustedDirectories;
        final String libToken;
        final Map<String, Search> byName = new HashMap<>();
        final LdSoBinary ldSo;
        /** Worked out when a search first needs them: most lookups end in ld.so.cache without. */
        private Hwcaps hwcaps;
        private List<String> subdirectories;

        AbiSearch(LinuxAbi abi, LdSoBinary ldSo) {
            this.abi = abi;
            this.glibc = abi.glibc().orElseThrow();
            this.ldSo = ldSo;
            this.trustedDirectories = ldSo.trustedDirectories().orElse(glibc.trustedDirectories());
            // $LIB is ld.so's own library directory, the first trusted one (lib/x86_64-linux-gnu, lib32, lib64).
            this.libToken = trustedDirectories.getFirst().substring(1);
        }

        Hwcaps hwcaps() {
            if (hwcaps == null) {
                Optional<String> glibcVersion = ldSo.version();
                Hwcaps computed = Hwcaps.compute(abi, options.cpu(), options.tunables(), glibcVersion);
                hwcaps = options.hwcaps().map(computed::withGlibcHwcaps).orElse(computed);
                subdirectories = hwcaps.searchSubdirectories();
            }
            return hwcaps;
        }

        List<String> subdirectories() {
            hwcaps();
            return subdirectories;
        }

        /**
         * Whether working the capabilities out means executing cpuid through FFM, whose first use
         * costs some 30 ms of start-up: this CPU, for an x86 ABI. Recorded CPUs, saved diagnostics
         * and other ABIs cost nothing to work out.
         */
        boolean capabilitiesAreCostly() {
            return hwcaps == null && options.cpu() instanceof CpuProfile.Host
                    && glibc.capabilities().x86() != GlibcLoader.X86Rules.NONE;
        }
    }

    /** The subdirectories of a directory that holds no capability subdirectory at all. */
    private static final List<String> DIRECTORY_ONLY = List.of("");

    /** By directory (as the target system names it): whether it holds a name a capability subdirectory starts with. */
    private final Map<String, Boolean> holdsCapabilityRoots = new HashMap<>();

    /**
     * Whether some capability subdirectory could exist in the directory: one of the names they start
     * with is a directory there. When none is, every CPU's search of it tries the directory alone.
     */
    private boolean holdsCapabilityRoots(String directory, LinuxAbi abi) {
        Boolean known = holdsCapabilityRoots.get(directory);
        if (known == null) {
            known = false;
            for (String root : abi.glibc().orElseThrow().capabilities().subdirectoryRoots()) {
                if (Files.isDirectory(hostPath(join(directory, root)))) {
                    known = true;
                    break;
                }
            }
            holdsCapabilityRoots.put(directory, known);
        }
        return known;
    }

    public Loader(LoaderOptions options) {
        this.options = options;
        this.systemRoot = options.isSystemRoot();
        this.fixedLibraryPath = options.libraryPath().isEmpty() || options.libraryPath().get().indexOf('$') < 0;
    }

    /**
     * Warnings about the environment rather than one file (a corrupt cache, an ld.so.conf include
     * loop); each is given once, then cleared.
     */
    public List<String> drainWarnings() {
        List<String> copy = List.copyOf(sessionWarnings);
        sessionWarnings.clear();
        return copy;
    }

    /** The capability subdirectories and platform this loader uses for an ABI's programs. */
    public Hwcaps hwcaps(LinuxAbi abi) {
        return abiSearch(abi).hwcaps();
    }

    /**
     * Resolves one file (a path on this machine, inside the root when one is given), deciding first,
     * as ldd's {@code ld.so --verify} does, whether ld.so takes it for a dynamic program at all.
     *
     * @throws LoaderException where vdsoscope's reader cannot follow ld.so into a file (its program
     *                         headers do not read, yet open_verify accepts it), or ld.so would wait on
     *                         a FIFO or read a device
     */
    public LoadResult resolve(String file) throws IOException {
        String shown = file.contains("/") ? file : "./" + file;
        Path target = Path.of(shown);
        ElfObject elf = ElfObject.read(target, Files.readAttributes(target, BasicFileAttributes.class), reader());
        String inRoot = pathInRoot(shown);
        LoadedLibrary main = new LoadedLibrary(LoadedLibrary.Kind.MAIN, shown, shown, elf, null, SearchRule.MAIN,
                "", List.of());
        List<String> warnings = new ArrayList<>(elf.warnings());
        byte[] head = elf.head().bytes();
        boolean magic = head.length >= 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
        if (!magic) {
            return notDynamic(file, Verification.NOT_ELF, Optional.empty(), main, warnings, "not an ELF file");
        }
        if (elf.header() == null) {
            return notDynamic(file, Verification.REFUSED, Optional.empty(), main, warnings, elf.unreadable().orElse("damaged"));
        }
        Optional<LinuxAbi> abi = LinuxAbi.of(elf.header()).filter(a -> a.glibc().isPresent());
        if (abi.isEmpty()) {
            // A class or byte order wrong for the machine: some ld.so here refuses or passes it over.
            Optional<OpenVerify.Verdict> nearest = OpenVerify.nearest(elf.head());
            if (nearest.isPresent()) {
                return notDynamic(file, Verification.REFUSED, Optional.of(nearest.get().abi()), main, warnings,
                        nearest.get().reason());
            }
            return notDynamic(file, Verification.NO_LOADER, abi, main, warnings, "no loader model for machine "
                    + elf.header().machine().cName() + " (" + elf.header().elfClass() + ", " + elf.header().data() + ")");
        }
        OpenVerify.Outcome verified = OpenVerify.check(elf.head(), abi.get());
        if (verified instanceof OpenVerify.Refused refused) {
            return notDynamic(file, Verification.REFUSED, abi, main, warnings, "ld.so refuses it: " + refused.message());
        }
        if (verified instanceof OpenVerify.PassedOver passed) {
            return notDynamic(file, Verification.REFUSED, abi, main, warnings, "no ld.so takes it: " + passed.why());
        }
        if (elf.refusal().asProgram().isPresent()) {
            return notDynamic(file, Verification.REFUSED, abi, main, warnings,
                    "ld.so refuses it: " + elf.refusal().asProgram().get());
        }
        if (elf.crash().isPresent()) {
            return new LoadResult(file, Verification.CRASHES, abi, false, main, List.of(), List.of(), warnings, Optional.empty(),
                    Optional.empty(), Optional.of(elf.crash().get().of(shown, true)), Optional.empty(),
                    LoadResult.Versions.NONE);
        }
        if (elf.unreadable().isPresent()) {
            throw new LoaderException(elf.unreadable().get());
        }
        boolean musl = elf.interpreter().map(i -> fileName(i).startsWith("ld-musl-")).orElse(false);
        if (!elf.hasDynamic()) {
            return new LoadResult(file, Verification.NOT_DYNAMIC, abi, musl, main, List.of(), List.of(), warnings,
                    Optional.of("no dynamic table"), Optional.empty(), Optional.empty(), Optional.empty(),
                    LoadResult.Versions.NONE);
        }
        if (elf.needed().isEmpty()) {
            return new LoadResult(file, Verification.STATICALLY_LINKED, abi, musl, main, List.of(), List.of(), warnings,
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), LoadResult.Versions.NONE);
        }
        Resolution resolution = new Resolution(main, inRoot, abi.get(), musl);
        List<LoadedLibrary> listing;
        Optional<LoadFailure> failure = Optional.empty();
        Optional<LdSoCrash> crash = Optional.empty();
        LoadResult.Versions versions = LoadResult.Versions.NONE;
        List<LoadedLibrary> searchList = List.of();
        try {
            listing = resolution.run();
            searchList = resolution.searchList();
            if (!musl) {
                // rtld.c checks the versions once everything is loaded (musl checks none).
                List<LoadedLibrary> chain = new ArrayList<>(listing.size() + 1);
                chain.add(main);
                chain.addAll(listing);
                VersionCheck.Outcome checked = VersionCheck.check(chain);
                failure = checked.stop();
                versions = new LoadResult.Versions(checked.problems());
            }
        } catch (Stop stop) {
            listing = resolution.listing();
            failure = Optional.of(stop.failure);
        } catch (Crashed crashed) {
            listing = resolution.listing();
            crash = Optional.of(crashed.crash);
        }
        AbiSearch search = abiSearch(abi.get());
        return new LoadResult(file, Verification.DYNAMIC, abi, musl, main, listing, searchList, warnings, Optional.empty(), failure,
                crash, Optional.ofNullable(search.hwcaps), versions);
    }

    /**
     * What ld.so says when ldd traces the file with {@code -d} or {@code -r}: each object's
     * relocations bound against the program's search list, in ld.so's order. Nothing for a file
     * ld.so does not get as far as relocating (not dynamic, a library missing or refused, a version
     * check that stops it), nor for musl, whose ldd has no such options.
     */
    public Bindings bind(LoadResult result, BindMode mode) {
        boolean alone = result.verification() == Verification.STATICALLY_LINKED;
        if (!alone && (result.verification() != Verification.DYNAMIC || result.failure().isPresent()
                || result.crash().isPresent() || result.searchList().isEmpty()) || result.musl()) {
            return Bindings.NONE;
        }
        if (bindingMode != null && bindingMode != mode) {
            bindingTablesByKey.clear();
        }
        bindingMode = mode;
        Optional<GlibcRelocations> rules = result.abi().flatMap(LinuxAbi::glibcRelocations);
        if (rules.isEmpty()) {
            return new Bindings(Optional.of(mode), List.of(), Optional.empty(), 0, List.of("relocation checks are not"
                    + " modelled for " + result.abi().map(LinuxAbi::displayName).orElse("this machine")));
        }
        List<LoadedLibrary> chain = new ArrayList<>(result.listing().size() + 1);
        chain.add(result.main());
        chain.addAll(result.listing());
        String program = result.main().name();
        List<String> unreadable = new ArrayList<>();
        Binder binder = new Binder(program, chain, rules.get(), library -> bindingTables(library, rules.get(), mode,
                unreadable), bindingCache);
        // Without DT_NEEDED ldd says "statically linked", and ld.so still relocates the file, alone.
        Bindings bindings = binder.bind(alone ? List.of(result.main()) : result.searchList(), mode);
        if (unreadable.isEmpty()) {
            return bindings;
        }
        List<String> notes = new ArrayList<>(unreadable);
        notes.addAll(bindings.notes());
        return new Bindings(bindings.mode(), bindings.problems(), bindings.stop(), bindings.lookups(), List.copyOf(notes));
    }

    /** A loaded object's binding tables, from the cache or read now; null where they cannot be read. */
    private BindingTables bindingTables(LoadedLibrary library, GlibcRelocations rules, BindMode mode,
            List<String> unreadable) {
        ElfObject elf = library.elfOrNull();
        String path = library.pathOrNull();
        if (elf == null || path == null) {
            return null;
        }
        Object key = elf.fileKey();
        Optional<BindingTables> known = key == null ? null : bindingTablesByKey.get(key);
        if (known == null) {
            Path file = library.kind() == LoadedLibrary.Kind.MAIN ? Path.of(path) : hostPath(path);
            try (ElfFile image = reader().next(file, Files.readAttributes(file, BasicFileAttributes.class))) {
                known = Optional.of(new BindingTables(path, image, elf, rules, mode));
            } catch (IOException | ElfFormatException | ArithmeticException e) {
                known = Optional.empty();
                unreadable.add(path + ": its symbol tables cannot be read (" + (e instanceof ElfFormatException f
                        ? f.problem() : String.valueOf(e.getMessage())) + "); its relocations are not checked and"
                        + " lookups pass over it");
            }
            if (key != null) {
                bindingTablesByKey.put(key, known);
            }
        }
        return known.orElse(null);
    }

    private static LoadResult notDynamic(String file, Verification verification, Optional<LinuxAbi> abi,
            LoadedLibrary main, List<String> warnings, String reason) {
        return new LoadResult(file, verification, abi, false, main, List.of(), List.of(), warnings, Optional.of(reason),
                Optional.empty(), Optional.empty(), Optional.empty(), LoadResult.Versions.NONE);
    }

    /** The path as the target system sees it: with --root, the part below the root. */
    private String pathInRoot(String hostPath) {
        if (systemRoot) {
            return hostPath;
        }
        String root = options.root().toAbsolutePath().normalize().toString();
        String absolute = Path.of(hostPath).toAbsolutePath().toString();
        return absolute.startsWith(root + "/") ? absolute.substring(root.length()) : hostPath;
    }

    /** Where a path of the target system is on this machine. */
    private Path hostPath(String path) {
        if (!path.startsWith("/")) {
            return Path.of(options.workingDirectory()).resolve(path);
        }
        return systemRoot ? Path.of(path) : options.root().resolve(path.substring(1));
    }

    /** One file's resolution: its link map, built breadth first. */
    private final class Resolution {
        private final LoadedLibrary main;
        private final String mainOrigin;
        private final LinuxAbi abi;
        private final boolean musl;
        private final List<LoadedLibrary> chain = new ArrayList<>();
        private final List<LoadedLibrary> searchOrder = new ArrayList<>();
        private final Set<LoadedLibrary> searched = new HashSet<>();
        private final LoadedLibrary interpreter;
        private final List<String> trustedDirectories;
        private final String libToken;
        private final AbiSearch search;
        /**
         * map()'s lookups, as _dl_map_object's walk of the link map: the first loaded object, in load
         * order, that answers to a name (one it was loaded or found under, or for glibc its soname),
         * and the first loaded from a file. Indexed rather than walked: a program of sixty libraries
         * walks the list some ten thousand times. A name only ever goes to an object when no object
         * answers to it yet, so the first entry stays the one the walk would find.
         */
        private final Map<String, LoadedLibrary> byName = new HashMap<>();
        private final Map<Object, LoadedLibrary> byFile = new HashMap<>();

        Resolution(LoadedLibrary main, String mainInRoot, LinuxAbi abi, boolean musl) {
            this.main = main;
            this.mainOrigin = DynamicStrings.origin(mainInRoot, options.workingDirectory());
            this.abi = abi;
            this.musl = musl;
            this.search = abiSearch(abi);
            this.trustedDirectories = search.trustedDirectories;
            this.libToken = search.libToken;
            load(main);
            if (abi.vdso().isPresent()) {
                LoadedLibrary library = new LoadedLibrary(LoadedLibrary.Kind.VDSO, abi.vdso().get().soname(), null,
                        null, null, SearchRule.VDSO, "", List.of());
                load(library);
                chain.add(library);
            }
            // ldd runs the system's ld.so for the ABI, never the one PT_INTERP names: that ld.so keeps
            // the PT_INTERP string as its first name and its own path as its file (rtld.c).
            Optional<String> programInterpreter = main.elfOrNull().interpreter();
            String interpreterName = programInterpreter.isPresent() ? programInterpreter.get() : search.glibc.interpreter();
            String interpreterPath = musl ? interpreterName : search.glibc.interpreter();
            ElfObject interpreterElf = readQuietly(interpreterPath);
            interpreter = new LoadedLibrary(LoadedLibrary.Kind.INTERPRETER, interpreterName, interpreterPath,
                    interpreterElf, null, SearchRule.INTERPRETER, "", List.of());
            interpreter.addName(interpreterElf != null && interpreterElf.soname().isPresent()
                    ? interpreterElf.soname().get() : fileName(interpreterPath));
            load(interpreter);
        }

        List<LoadedLibrary> run() {
            searchOrder.add(main);
            searched.add(main);
            ArrayDeque<LoadedLibrary> queue = new ArrayDeque<>();
            queue.add(main);
            while (!queue.isEmpty()) {
                LoadedLibrary object = queue.poll();
                ElfObject elf = object.elfOrNull();
                for (String needed : elf == null ? List.<String>of() : elf.needed()) {
                    // glibc expands the tokens of a DT_NEEDED name before anything else and names the
                    // object by the result; a token without a value drops the entry (dl-deps.c
                    // expand_dst, not fatal there). musl expands none.
                    String name = musl ? needed
                            : DynamicStrings.expand(needed, origin(object), this::platform, libToken, false).orElse(null);
                    if (name == null) {
                        continue;
                    }
                    LoadedLibrary dependency = map(name, object);
                    object.addNeed(dependency);
                    if (dependency.kind() != LoadedLibrary.Kind.NOT_FOUND && searched.add(dependency)) {
                        searchOrder.add(dependency);
                        if (dependency.kind() == LoadedLibrary.Kind.FILE) {
                            queue.add(dependency);
                        }
                    }
                }
            }
            return listing();
        }

        /**
         * The order ldd prints: the link map chain (vDSO first, then load order), with ld.so put back
         * after the object before it in the breadth-first search list, as rtld.c does when a DT_NEEDED
         * entry names it; it is not listed when nothing does.
         */
        List<LoadedLibrary> listing() {
            List<LoadedLibrary> listing = new ArrayList<>(chain);
            int position = searchOrder.indexOf(interpreter);
            if (musl) {
                listing.add(0, interpreter);
            } else if (position > 0) {
                LoadedLibrary before = searchOrder.get(position - 1);
                listing.add(before == main ? 0 : listing.indexOf(before) + 1, interpreter);
            }
            return List.copyOf(listing);
        }

        /** The program's search list (l_searchlist): the program, then its dependencies breadth first. */
        List<LoadedLibrary> searchList() {
            return List.copyOf(searchOrder);
        }

        /** Indexes an object loaded (not one NOT_FOUND: nothing answers to those). */
        private void load(LoadedLibrary library) {
            // musl compares the names objects were loaded by, never a soname, and never the vDSO's.
            if (musl && library.kind() == LoadedLibrary.Kind.VDSO) {
                return;
            }
            for (String name : library.names()) {
                byName.putIfAbsent(name, library);
            }
            ElfObject elf = library.elfOrNull();
            if (elf != null) {
                if (!musl && elf.soname().isPresent()) {
                    byName.putIfAbsent(elf.soname().get(), library);
                }
                // glibc compares file ids only with objects it opened as libraries: ld.so run as a
                // command zeroes the program's id (__RTLD_OPENEXEC in _dl_map_object_from_fd), and its
                // own link map never has one (rtld.c), so either file found again is loaded again.
                boolean hasFileId = musl || (library != main && library.kind() != LoadedLibrary.Kind.INTERPRETER);
                if (elf.fileKey() != null && hasFileId) {
                    byFile.putIfAbsent(elf.fileKey(), library);
                }
            }
        }

        private void addName(LoadedLibrary library, String name) {
            library.addName(name);
            byName.putIfAbsent(name, library);
        }

        /** _dl_map_object (or musl's load_library) for one DT_NEEDED name of {@code loader}. */
        private LoadedLibrary map(String requested, LoadedLibrary loader) {
            LoadedLibrary known = byName.get(requested);
            if (known != null) {
                // Found by its soname: ld.so adds that name to the object (add_name_to_object).
                known.addName(requested);
                return known;
            }
            if (musl && isMuslBuiltin(requested)) {
                addName(interpreter, requested);
                return interpreter;
            }
            List<Attempt> attempts = new ArrayList<>();
            Optional<Found> found = musl ? searchMusl(requested, loader, attempts) : search(requested, loader, attempts);
            if (found.isEmpty()) {
                SearchRule lastTried = attempts.isEmpty() ? SearchRule.PATH : attempts.getLast().rule();
                LoadedLibrary missing = new LoadedLibrary(LoadedLibrary.Kind.NOT_FOUND, requested, null, null, loader,
                        lastTried, "not found", attempts);
                chain.add(missing);
                return missing;
            }
            Found hit = found.get();
            Object fileKey = hit.elf().fileKey();
            LoadedLibrary sameFile = fileKey == null ? null : byFile.get(fileKey);
            if (sameFile != null) {
                // The same file under another name: ld.so adds the name to the loaded object.
                addName(sameFile, requested);
                return sameFile;
            }
            if (!musl) {
                // _dl_map_object_from_fd names the object by the name it was asked for.
                Optional<String> refusal = hit.elf().refusal().asLibrary();
                if (refusal.isPresent()) {
                    throw new Stop(new LoadFailure(requested, refusal.get()));
                }
                if (hit.elf().crash().isPresent()) {
                    throw new Crashed(hit.elf().crash().get().of(hit.path(), false));
                }
                if (hit.elf().unreadable().isPresent()) {
                    throw new LoaderException(hit.path() + ": " + hit.elf().unreadable().get());
                }
            }
            LoadedLibrary library = new LoadedLibrary(LoadedLibrary.Kind.FILE, requested, hit.path(), hit.elf(), loader,
                    hit.rule(), hit.source(), attempts);
            chain.add(library);
            load(library);
            return library;
        }

        private Optional<Found> search(String requested, LoadedLibrary loader, List<Attempt> attempts) {
            if (!dependsOnNameAlone(requested, loader)) {
                return searchFor(requested, loader, attempts);
            }
            Search known = search.byName.get(requested);
            if (known == null) {
                // Nothing was tried before this search for the name: the attempts are all its own.
                List<Attempt> tried = new ArrayList<>();
                known = new Search(searchFor(requested, loader, tried).orElse(null), List.copyOf(tried));
                search.byName.put(requested, known);
            }
            attempts.addAll(known.attempts());
            return Optional.ofNullable(known.found());
        }

        /**
         * Whether a search for this name would go the same way for any program of the ABI: a plain
         * name (no $ token, no slash), no RPATH anywhere up the chain nor RUNPATH on the loader, an
         * LD_LIBRARY_PATH without tokens, and no DF_1_NODEFLIB (whose attempts name the loader).
         * Everything else the search reads (ld.so.cache, the directories, the files) is read once per
         * Loader anyway.
         */
        private boolean dependsOnNameAlone(String requested, LoadedLibrary loader) {
            if (!fixedLibraryPath || requested.indexOf('$') >= 0 || requested.indexOf('/') >= 0) {
                return false;
            }
            ElfObject loaderElf = loader.elfOrNull();
            if (loaderElf.runpath().isPresent() || loaderElf.noDefaultLib()) {
                return false;
            }
            for (LoadedLibrary l = loader; l != null; l = l.loadedByOrNull()) {
                ElfObject elf = l.elfOrNull();
                if (elf != null && elf.effectiveRpath().isPresent()) {
                    return false;
                }
            }
            return main.elfOrNull().effectiveRpath().isEmpty();
        }

        private Optional<Found> searchFor(String requested, LoadedLibrary loader, List<Attempt> attempts) {
            String name = requested; // its tokens already expanded by run()
            if (name.contains("/")) {
                return tryFile(name, SearchRule.PATH, "", attempts);
            }
            ElfObject loaderElf = loader.elf().orElseThrow();
            if (loaderElf.runpath().isEmpty()) {
                boolean didMain = false;
                for (LoadedLibrary l = loader; l != null; l = l.loadedBy().orElse(null)) {
                    Optional<String> rpath = l.elf().flatMap(ElfObject::effectiveRpath);
                    if (rpath.isPresent()) {
                        Optional<Found> hit = searchList(name, rpath.get(), ":", l, SearchRule.RPATH, attempts);
                        if (hit.isPresent()) {
                            return hit;
                        }
                        didMain |= l == main;
                    }
                }
                Optional<String> mainRpath = main.elf().flatMap(ElfObject::effectiveRpath);
                if (!didMain && mainRpath.isPresent()) {
                    Optional<Found> hit = searchList(name, mainRpath.get(), ":", main, SearchRule.RPATH, attempts);
                    if (hit.isPresent()) {
                        return hit;
                    }
                }
            }
            if (options.libraryPath().isPresent()) {
                Optional<Found> hit = searchList(name, options.libraryPath().get(), ":;", main,
                        SearchRule.LD_LIBRARY_PATH, attempts);
                if (hit.isPresent()) {
                    return hit;
                }
            }
            if (loaderElf.runpath().isPresent()) {
                Optional<Found> hit = searchList(name, loaderElf.runpath().get(), ":", loader, SearchRule.RUNPATH,
                        attempts);
                if (hit.isPresent()) {
                    return hit;
                }
            }
            boolean noDefaultLib = loaderElf.noDefaultLib();
            Optional<LdSoCache> cache = cache();
            String cacheName = "ld.so.cache (/etc/ld.so.cache)";
            if (cache.isPresent()) {
                Optional<String> cached = cache.get().lookup(name, search.glibc.cacheFlags(), search::hwcaps);
                if (cached.isEmpty()) {
                    attempts.add(new Attempt(SearchRule.LD_SO_CACHE, cacheName, "/etc/ld.so.cache", "no entry for " + name));
                } else if (noDefaultLib && inTrustedDirectory(cached.get())) {
                    attempts.add(new Attempt(SearchRule.LD_SO_CACHE, cacheName, cached.get(),
                            "refused: DF_1_NODEFLIB of " + displayName(loader)));
                } else {
                    Optional<Found> hit = tryFile(cached.get(), SearchRule.LD_SO_CACHE, cacheName, attempts);
                    if (hit.isPresent()) {
                        return hit;
                    }
                }
            } else if (cacheAbsent && !systemRoot && !noDefaultLib) {
                List<String> conf = confDirectories();
                Optional<Found> hit = searchDirectories(name, conf, SearchRule.LD_SO_CONF, "/etc/ld.so.conf", attempts);
                if (hit.isPresent()) {
                    return hit;
                }
            }
            if (noDefaultLib) {
                attempts.add(new Attempt(SearchRule.DEFAULT_DIRECTORIES, "", String.join(":", trustedDirectories),
                        "skipped: DF_1_NODEFLIB of " + displayName(loader)));
                return Optional.empty();
            }
            return searchDirectories(name, trustedDirectories, SearchRule.DEFAULT_DIRECTORIES, "", attempts);
        }

        private boolean inTrustedDirectory(String path) {
            for (String directory : trustedDirectories) {
                if (path.startsWith(directory) && path.startsWith("/", directory.length())) {
                    return true;
                }
            }
            return false;
        }

        /** An RPATH, RUNPATH or LD_LIBRARY_PATH value, with its tokens expanded for {@code owner}. */
        private Optional<Found> searchList(String name, String value, String separators, LoadedLibrary owner,
                SearchRule rule, List<Attempt> attempts) {
            List<String> directories = new ArrayList<>();
            for (String element : split(value, separators)) {
                Optional<String> expanded = DynamicStrings.expand(element, origin(owner), this::platform,
                        libToken, false);
                if (expanded.isEmpty()) {
                    continue;
                }
                String directory = expanded.get();
                while (directory.length() > 1 && directory.endsWith("/")) {
                    directory = directory.substring(0, directory.length() - 1);
                }
                // An empty element stays empty: ld.so then opens the bare name, relative to the working directory.
                directories.add(directory);
            }
            String source = switch (rule) {
                case LD_LIBRARY_PATH -> "LD_LIBRARY_PATH: " + value;
                default -> rule.description() + " of " + displayName(owner) + ": " + value;
            };
            return searchDirectories(name, directories.stream().distinct().toList(), rule, source, attempts);
        }

        /** $PLATFORM, or null where ld.so has no platform (a path that uses it is then dropped). */
        private String platform() {
            return search.hwcaps().platform().orElse(null);
        }

        /**
         * open_path: each directory with every hwcaps subdirectory, best first. A file that open_verify
         * refuses stops ld.so there and then. A failed open other than ENOENT and EACCES ends the list
         * only when it is the last one tried in the directory (the directory itself), since open_path
         * looks at errno once the directory is done, and only when the directory exists: open_path
         * stat()s a directory whose open failed, and one that does not stat as a directory (a
         * symbolic link loop itself) counts as missing.
         */
        private Optional<Found> searchDirectories(String name, List<String> directories, SearchRule rule,
                String source, List<Attempt> attempts) {
            for (String directory : directories) {
                List<String> subdirectories = musl ? DIRECTORY_ONLY
                        : search.capabilitiesAreCostly() && !holdsCapabilityRoots(directory, abi) ? DIRECTORY_ONLY
                        : search.subdirectories();
                boolean rejected = false;
                for (String subdirectory : subdirectories) {
                    String path = join(directory, subdirectory.concat(name));
                    Candidate candidate = check(path);
                    if (candidate.verdict() == Verdict.OK) {
                        return Optional.of(new Found(path, candidate.elf(), rule, source));
                    }
                    stopIfFatal(path, candidate);
                    if (candidate.verdict() == Verdict.LOOP && subdirectory.isEmpty() && isDirectory(directory)) {
                        attempts.add(new Attempt(rule, source, path, candidate.reason()
                                + "; the rest of this list is not searched"));
                        return Optional.empty();
                    }
                    if (candidate.verdict() != Verdict.MISSING) {
                        attempts.add(new Attempt(rule, source, path, candidate.reason()));
                        rejected = true;
                    }
                }
                if (!rejected) {
                    attempts.add(new Attempt(rule, source, directory.isEmpty() ? "." : directory,
                            Verdict.MISSING.description));
                }
            }
            return Optional.empty();
        }

        /** stat(2) and S_ISDIR, as open_path asks of a directory. */
        private boolean isDirectory(String directory) {
            return Files.isDirectory(hostPath(directory.isEmpty() ? "." : directory));
        }

        private Optional<Found> tryFile(String path, SearchRule rule, String source, List<Attempt> attempts) {
            Candidate candidate = check(path);
            if (candidate.verdict() == Verdict.OK) {
                return Optional.of(new Found(path, candidate.elf(), rule, source));
            }
            stopIfFatal(path, candidate);
            attempts.add(new Attempt(rule, source, path, candidate.reason()));
            return Optional.empty();
        }

        /**
         * What stops ld.so at a candidate: a file open_verify refuses, a directory (read() fails with
         * EISDIR, which ld.so's own strerror prints as "Error 21"). A FIFO or a device ld.so would
         * open and wait on or read; vdsoscope does neither and says so.
         */
        private void stopIfFatal(String path, Candidate candidate) {
            if (musl) {
                return; // musl stops its search quietly; see searchMuslList
            }
            switch (candidate.verdict()) {
                case REFUSED -> throw new Stop(new LoadFailure(path, candidate.reason()));
                case DIRECTORY -> throw new Stop(new LoadFailure(path, "cannot read file data: Error 21"));
                case SPECIAL -> throw new LoaderException(path + ": " + candidate.reason()
                        + ": ld.so would open it and wait on it or read a device; vdsoscope does not");
                default -> { }
            }
        }

        /**
         * musl: LD_LIBRARY_PATH, then the RUNPATH or else RPATH of the loader and each object up its
         * chain, then the system path; the first file that opens ends the search.
         */
        private Optional<Found> searchMusl(String name, LoadedLibrary loader, List<Attempt> attempts) {
            if (name.contains("/")) {
                return tryFile(name, SearchRule.PATH, "", attempts);
            }
            if (options.libraryPath().isPresent()) {
                Optional<Found> hit = searchMuslList(name, options.libraryPath().get(), null, SearchRule.LD_LIBRARY_PATH,
                        "LD_LIBRARY_PATH: " + options.libraryPath().get(), attempts);
                if (hit.isPresent() || stopped(attempts)) {
                    return hit;
                }
            }
            for (LoadedLibrary l = loader; l != null; l = l.loadedBy().orElse(null)) {
                Optional<ElfObject> elf = l.elf();
                Optional<String> path = elf.flatMap(ElfObject::runpath).or(() -> elf.flatMap(ElfObject::rpath));
                if (path.isPresent()) {
                    SearchRule rule = elf.get().runpath().isPresent() ? SearchRule.RUNPATH : SearchRule.RPATH;
                    Optional<Found> hit = searchMuslList(name, path.get(), l, rule,
                            rule.description() + " of " + displayName(l) + ": " + path.get(), attempts);
                    if (hit.isPresent() || stopped(attempts)) {
                        return hit;
                    }
                }
            }
            String arch = fileName(interpreter.name()).replaceFirst("^ld-musl-", "").replaceFirst("\\.so.*$", "");
            String pathFile = "/etc/ld-musl-" + arch + ".path";
            String system = "/lib:/usr/local/lib:/usr/lib";
            try {
                system = Files.readString(hostPath(pathFile));
            } catch (IOException e) {
                // No path file: musl uses its built-in default.
            }
            return searchMuslList(name, system, null, SearchRule.MUSL_SYSTEM_PATH, pathFile, attempts);
        }

        private boolean stopped(List<Attempt> attempts) {
            return !attempts.isEmpty() && attempts.getLast().outcome().startsWith("musl stops here");
        }

        private Optional<Found> searchMuslList(String name, String value, LoadedLibrary owner, SearchRule rule,
                String source, List<Attempt> attempts) {
            for (String element : split(value, ":\n")) {
                if (element.isEmpty()) {
                    continue;
                }
                Optional<String> directory = owner == null ? Optional.of(element)
                        : DynamicStrings.expand(element, origin(owner), () -> null, null, true);
                if (directory.isEmpty()) {
                    continue;
                }
                String path = directory.get() + "/" + name;
                Candidate candidate = check(path);
                if (candidate.verdict() == Verdict.OK) {
                    return Optional.of(new Found(path, candidate.elf(), rule, source));
                }
                if (candidate.verdict() == Verdict.MISSING || candidate.verdict() == Verdict.UNREADABLE) {
                    attempts.add(new Attempt(rule, source, directory.get(), candidate.reason()));
                    continue;
                }
                attempts.add(new Attempt(rule, source, path, "musl stops here: " + candidate.reason()));
                return Optional.empty();
            }
            return Optional.empty();
        }

        private String origin(LoadedLibrary library) {
            if (library == main) {
                return mainOrigin;
            }
            String path = library.pathOrNull();
            return path == null ? null : DynamicStrings.origin(path, options.workingDirectory());
        }

        /** open_verify: whether a file could be loaded into a process of this ABI. */
        private Candidate check(String path) {
            Candidate candidate = checkPath(path);
            if (candidate.verdict() != Verdict.OK) {
                return candidate;
            }
            // instanceof rather than a pattern switch, whose bootstrap costs milliseconds of start-up.
            OpenVerify.Outcome outcome = OpenVerify.check(candidate.elf().head(), abi);
            if (outcome instanceof OpenVerify.PassedOver passed) {
                return new Candidate(Verdict.PASSED_OVER, null, passed.why());
            }
            if (outcome instanceof OpenVerify.Refused refused) {
                return new Candidate(Verdict.REFUSED, null, refused.message());
            }
            return candidate;
        }

        private ElfObject readQuietly(String path) {
            return checkPath(path).elf();
        }
    }

    /** The search context of an ABI, made for its first target. */
    private AbiSearch abiSearch(LinuxAbi abi) {
        AbiSearch search = searchesByAbi.get(abi);
        if (search == null) {
            search = new AbiSearch(abi, LdSoBinary.at(hostPath(abi.glibc().orElseThrow().interpreter())));
            searchesByAbi.put(abi, search);
        }
        return search;
    }

    private static String displayName(LoadedLibrary library) {
        return library.path().orElse(library.name());
    }

    private static String join(String directory, String rest) {
        return directory.isEmpty() || directory.endsWith("/") ? directory.concat(rest)
                : new StringBuilder(directory.length() + 1 + rest.length()).append(directory).append('/').append(rest)
                        .toString();
    }

    /**
     * The pieces of a search path between any of the separator characters, empty ones included (as
     * {@code String.split} with a negative limit gives them), without compiling a pattern per call.
     */
    static List<String> split(String value, String separators) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < value.length(); i++) {
            if (separators.indexOf(value.charAt(i)) >= 0) {
                pieces.add(value.substring(start, i));
                start = i + 1;
            }
        }
        pieces.add(value.substring(start));
        return pieces;
    }

    private static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static boolean isMuslBuiltin(String name) {
        if (!name.startsWith("lib")) {
            return false;
        }
        for (String reserved : List.of("c.", "pthread.", "rt.", "m.", "dl.", "util.", "xnet.")) {
            if (name.startsWith(reserved, 3)) {
                return true;
            }
        }
        return false;
    }

    /** {@link #check(Path)} for a path of the target system, remembered by its text. */
    private Candidate checkPath(String path) {
        Candidate candidate = checked.get(path);
        if (candidate == null) {
            candidate = check(hostPath(path));
            checked.put(path, candidate);
        }
        return candidate;
    }

    /**
     * Reads a candidate file once per loader. Its directory decides first: a name it does not list is
     * missing, and a directory that is missing answers for every name in it without a system call.
     * Reading a directory of a thousand libraries to find one of them costs more than a stat,
     * though, so a directory is first only opened, and its names are read the first time one is
     * missing from it: until then, a file that is there is simply read (a name that stats is one
     * the directory lists).
     */
    private Candidate check(Path file) {
        String key = file.toString();
        Candidate candidate = candidates.get(key);
        if (candidate != null) {
            return candidate;
        }
        Path parent = file.getParent();
        String fileName = file.getFileName() == null ? "" : file.getFileName().toString();
        BasicFileAttributes attributes = null;
        if (parent != null) {
            String directory = parent.toString();
            Set<String> listing = openDirectory(directory);
            if (listing == NOT_READ && !fileName.equals(".") && !fileName.equals("..")) {
                try {
                    attributes = Files.readAttributes(file, BasicFileAttributes.class);
                } catch (NoSuchFileException e) {
                    listing(directory);
                    return new Candidate(Verdict.MISSING, null);
                } catch (IOException e) {
                    // Not a plain answer: let the directory's names decide, as for any other name.
                }
            }
            if (attributes == null) {
                listing = listing(directory);
                if (listing == MISSING_DIRECTORY || (listing != null && !listing.contains(fileName))) {
                    return new Candidate(Verdict.MISSING, null);
                }
            }
        }
        candidate = read(file, attributes);
        candidates.put(key, candidate);
        return candidate;
    }

    /**
     * What is known of a directory, opening it the first time: NOT_READ when it opens,
     * MISSING_DIRECTORY when it is not a directory, null when it cannot be listed.
     */
    private Set<String> openDirectory(String directory) {
        if (listings.containsKey(directory)) {
            return listings.get(directory);
        }
        Set<String> state = NOT_READ;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of(directory))) {
            // Opened; its names are read when one is needed.
        } catch (IOException e) {
            state = unlistable(directory, e);
        }
        listings.put(directory, state);
        return state;
    }

    /** A directory's names; MISSING_DIRECTORY when it is not a directory, null when it cannot be listed. */
    private Set<String> listing(String directory) {
        Set<String> known = openDirectory(directory);
        if (known != NOT_READ) {
            return known;
        }
        Set<String> names;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of(directory))) {
            names = new HashSet<>();
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        } catch (IOException e) {
            names = unlistable(directory, e);
        }
        listings.put(directory, names);
        return names;
    }

    private Set<String> unlistable(String directory, IOException e) {
        if (e instanceof NoSuchFileException || e instanceof NotDirectoryException) {
            return MISSING_DIRECTORY;
        }
        if (e instanceof AccessDeniedException) {
            // Searchable but not listable (mode 711) still lets ld.so open files by name.
            sessionWarnings.add(directory + ": cannot list the directory (permission denied); trying each name in it");
        }
        return null;
    }

    /** The candidate at a path; {@code attributes} are the file's when already read, else null. */
    private Candidate read(Path file, BasicFileAttributes known) {
        try {
            BasicFileAttributes attributes = known != null ? known
                    : Files.readAttributes(file, BasicFileAttributes.class);
            if (attributes.isDirectory()) {
                return new Candidate(Verdict.DIRECTORY, null);
            }
            if (!attributes.isRegularFile()) {
                return new Candidate(Verdict.SPECIAL, null, attributes.isOther() ? "a FIFO, socket or device"
                        : "not a regular file");
            }
            Object key = attributes.fileKey();
            ElfObject elf = key == null ? null : objectsByKey.get(key);
            if (elf == null) {
                elf = ElfObject.read(file, attributes, reader());
                if (key != null) {
                    objectsByKey.put(key, elf);
                }
            }
            return new Candidate(Verdict.OK, elf);
        } catch (NoSuchFileException e) {
            return new Candidate(Verdict.MISSING, null);
        } catch (AccessDeniedException e) {
            return new Candidate(Verdict.UNREADABLE, null);
        } catch (FileSystemException e) {
            // Neither ENOENT nor EACCES (a symbolic-link loop, a name too long): open_path gives up on
            // the list when this is the last file it tries in a directory.
            return new Candidate(Verdict.LOOP, null, e.getReason() == null ? "cannot be opened" : e.getReason());
        } catch (IOException e) {
            return new Candidate(Verdict.UNREADABLE, null, String.valueOf(e.getMessage()));
        }
    }

    /** The reader files are read with, one per loader (a loader runs on one thread). */
    private BatchReader reader() {
        if (reader == null) {
            reader = BatchReader.forParts();
        }
        return reader;
    }

    /** ld.so.cache of the root, read once; empty (with a warning) when missing or corrupt. */
    private Optional<LdSoCache> cache() {
        if (cache == null) {
            cache = readCache();
        }
        return cache;
    }

    private Optional<LdSoCache> readCache() {
        Path file = hostPath("/etc/ld.so.cache");
        try {
            return Optional.of(LdSoCache.read(file));
        } catch (NoSuchFileException e) {
            cacheAbsent = true;
            if (!systemRoot) {
                sessionWarnings.add(file + ": no ld.so.cache in the root; using the directories of its ld.so.conf");
            }
            return Optional.empty();
        } catch (IOException e) {
            sessionWarnings.add(file + ": cannot read ld.so.cache (" + e.getClass().getSimpleName()
                    + "); searching the directories only");
            return Optional.empty();
        } catch (LdSoCache.CorruptCacheException e) {
            sessionWarnings.add(file + ": corrupt ld.so.cache (" + e.getMessage()
                    + "); searching the directories only, as ld.so does");
            return Optional.empty();
        }
    }

    private List<String> confDirectories() {
        if (confDirectories == null) {
            LdSoConf conf = LdSoConf.read(options.root());
            sessionWarnings.addAll(conf.warnings());
            confDirectories = conf.directories();
        }
        return confDirectories;
    }
}
