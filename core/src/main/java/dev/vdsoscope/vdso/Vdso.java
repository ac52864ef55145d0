package dev.vdsoscope.vdso;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;

import dev.vdsoscope.abi.LinuxAbi;
import dev.vdsoscope.abi.VdsoFunction;
import dev.vdsoscope.abi.VdsoNames;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.HashTable;
import dev.vdsoscope.elf.ProgramHeader;
import dev.vdsoscope.elf.SectionIndex;
import dev.vdsoscope.elf.SegmentType;
import dev.vdsoscope.elf.Symbol;
import dev.vdsoscope.elf.SymbolBinding;
import dev.vdsoscope.elf.SymbolTable;
import dev.vdsoscope.elf.SymbolType;
import dev.vdsoscope.elf.SymbolVersions;
import dev.vdsoscope.linux.Libc;
import dev.vdsoscope.proc.AuxvType;
import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.proc.Mapping;
import dev.vdsoscope.proc.PseudoMapping;

/**
 * A vDSO image and the loader's view of it: symbols found through the dynamic table and the hash
 * table, checked against their version definition, exactly as the kernel's
 * tools/testing/selftests/vDSO/parse_vdso.c does. {@link #current()} is this JVM's own vDSO, whose
 * functions can be called (see {@link VdsoCalls}).
 */
public final class Vdso {
    private static volatile Vdso current;

    private final ElfFile image;
    private final long base;
    private final long loadOffset;
    private final Optional<LinuxAbi> abi;
    private final SymbolTable symbols;
    private final SymbolVersions versions;
    private final Optional<HashTable> hash;

    private Vdso(ElfFile image, long base) {
        this.image = image;
        this.base = base;
        ProgramHeader load = image.segment(SegmentType.PT_LOAD).orElseThrow(
                () -> new IllegalArgumentException(image.name() + ": the vDSO has no PT_LOAD segment"));
        // parse_vdso.c: load_offset = base + p_offset - p_vaddr of the first PT_LOAD.
        this.loadOffset = base + load.offset() - load.vaddr();
        this.abi = LinuxAbi.of(image.header());
        this.symbols = image.loaderSymbols().orElseThrow(
                () -> new IllegalArgumentException(image.name() + ": no dynamic symbol table in the dynamic table"));
        this.versions = image.loaderVersions();
        this.hash = image.hashTable();
    }

    /**
     * One exported function: every name bound to one address (clock_gettime and its alias
     * __vdso_clock_gettime), shortest first, with the version of the first.
     */
    public record ExportedFunction(long address, long size, List<String> names, String version) {}

    /** The exported functions (defined STT_FUNC or STT_NOTYPE symbols, not absolute), by address. */
    public List<ExportedFunction> exportedFunctions() {
        Map<Long, List<Symbol>> byAddress = new TreeMap<>();
        for (int i = 1; i < symbols.size(); i++) {
            Symbol s = symbols.get(i);
            boolean code = s.type().is(SymbolType.STT_FUNC) || s.type().is(SymbolType.STT_NOTYPE);
            if (code && s.shndx() != SectionIndex.SHN_UNDEF && s.shndx() != SectionIndex.SHN_ABS) {
                byAddress.computeIfAbsent(s.value(), k -> new ArrayList<>()).add(s);
            }
        }
        List<ExportedFunction> functions = new ArrayList<>();
        for (Map.Entry<Long, List<Symbol>> e : byAddress.entrySet()) {
            List<String> names = e.getValue().stream().map(Symbol::name)
                    .sorted(Comparator.comparingInt(String::length)).toList();
            String version = versions.of(e.getValue().getFirst().index()).map(SymbolVersions.Version::name).orElse("");
            functions.add(new ExportedFunction(e.getKey(), e.getValue().getFirst().size(), names, version));
        }
        return List.copyOf(functions);
    }

    /** The exported function at an address of the image (its st_value), if one starts there. */
    public Optional<ExportedFunction> functionAt(long address) {
        return exportedFunctions().stream().filter(f -> f.address() == address).findFirst();
    }

    /** A vDSO image read from elsewhere (a dump, a debug package, another process); base is where it was mapped. */
    public static Vdso of(ElfFile image, long base) {
        return new Vdso(image, base);
    }

    /**
     * The system property that makes vdsoscope behave as in a process the kernel gave no vDSO (as
     * under valgrind): {@link #find()} finds none and {@link VdsoCalls} binds every function to its
     * system call. For tests and demonstrations of the fallback; docs/JSON.md describes it.
     */
    public static final String HIDE_PROPERTY = "vdsoscope.hideVdso";

    /** This process's vDSO, if the kernel gave it one (valgrind, for example, hides it). */
    public static Optional<Vdso> find() {
        if (Boolean.getBoolean(HIDE_PROPERTY)) {
            return Optional.empty();
        }
        Vdso v = current;
        if (v == null) {
            synchronized (Vdso.class) {
                if (current == null) {
                    long base = Libc.getauxval(AuxvType.AT_SYSINFO_EHDR.value());
                    if (base == 0) {
                        return Optional.empty();
                    }
                    current = new Vdso(ElfFile.of("[vdso]", MemorySegment.ofAddress(base).reinterpret(mappedSize(base))),
                            base);
                }
                v = current;
            }
        }
        return Optional.of(v);
    }

    /** This process's vDSO; throws when there is none. */
    public static Vdso current() {
        return find().orElseThrow(() -> new IllegalStateException(
                "this process has no vDSO: AT_SYSINFO_EHDR is absent from its auxiliary vector"));
    }

    /**
     * The size of the [vdso] mapping, from /proc/self/maps: reading past it would fault, and the ELF
     * header alone does not bound the image (section headers may follow the loaded part).
     */
    private static long mappedSize(long base) {
        try {
            LinuxProcess self = LinuxProcess.self();
            Optional<Mapping> vdso = self.mapping(PseudoMapping.VDSO).filter(m -> m.start() == base);
            if (vdso.isEmpty()) {
                vdso = self.maps().containing(base);
            }
            return vdso.map(m -> m.end() - base).orElse(4096L);
        } catch (Exception e) {
            // Without /proc, trust one page: the headers, dynamic table and symbols of every vDSO fit in it.
            return 4096L;
        }
    }

    public ElfFile image() {
        return image;
    }

    /** The address the image is mapped at (0 for a file). */
    public long base() {
        return base;
    }

    public Optional<LinuxAbi> abi() {
        return abi;
    }

    /** The names the image's ABI gives its vDSO; empty for an ABI without one, or an unknown machine. */
    public Optional<VdsoNames> names() {
        return abi.flatMap(LinuxAbi::vdso);
    }

    /** The dynamic symbols as the loader sees them. */
    public SymbolTable symbols() {
        return symbols;
    }

    public SymbolVersions versions() {
        return versions;
    }

    /**
     * Whether the image is a vDSO of its ABI: its DT_SONAME is the ABI's vDSO soname, or it exports
     * one of the ABI's vDSO functions under the ABI's version (a program or a library does neither).
     */
    public boolean isKernelVdso() {
        Optional<VdsoNames> names = names();
        if (names.isEmpty()) {
            return false;
        }
        if (image.dynamic().flatMap(d -> d.soname()).filter(names.get().soname()::equals).isPresent()) {
            return true;
        }
        for (VdsoFunction function : names.get().functions()) {
            if (lookup(function).isPresent()) {
                return true;
            }
        }
        return false;
    }

    /** The soname from DT_SONAME, or the ABI's usual one. */
    public String soname() {
        return image.dynamic().flatMap(d -> d.soname()).orElse(names().map(VdsoNames::soname).orElse("?"));
    }

    /**
     * The address of {@code name} defined in version {@code version}: found through the hash table,
     * then checked like parse_vdso.c: a defined function (or, on ppc64, a NOTYPE symbol), global or
     * weak, whose version definition has the same ELF hash and name.
     */
    public OptionalLong lookup(String version, String name) {
        Optional<Symbol> symbol = findSymbol(name);
        if (symbol.isEmpty() || !matchesVersion(symbol.get().index(), version)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(loadOffset + symbol.get().value());
    }

    private Optional<Symbol> findSymbol(String name) {
        OptionalInt index = hash.map(h -> h.lookup(name, symbols)).orElse(OptionalInt.empty());
        Optional<Symbol> found = index.isPresent() ? Optional.of(symbols.get(index.getAsInt())) : symbols.find(name);
        return found.filter(Vdso::isCallableDefinition);
    }

    private static boolean isCallableDefinition(Symbol s) {
        boolean typeOk = s.type().equals(SymbolType.STT_FUNC) || s.type().equals(SymbolType.STT_NOTYPE);
        boolean bindOk = s.binding().equals(SymbolBinding.STB_GLOBAL) || s.binding().equals(SymbolBinding.STB_WEAK);
        return typeOk && bindOk && s.shndx() != SectionIndex.SHN_UNDEF;
    }

    private boolean matchesVersion(int symbolIndex, String version) {
        int raw = versions.versym(symbolIndex);
        if (raw < 0) {
            return true; // An unversioned vDSO (some old kernels) accepts any version, as parse_vdso.c does.
        }
        int index = raw & SymbolVersions.VERSYM_VERSION;
        return versions.definitions().stream()
                .filter(d -> !d.isBase() && (d.index() & SymbolVersions.VERSYM_VERSION) == index)
                .findFirst()
                .map(d -> d.hash() == HashTable.elfHash(version) && d.name().equals(version))
                .orElse(false);
    }

    /** The address of an exported function under this ABI's name and version. */
    public OptionalLong lookup(VdsoFunction function) {
        Optional<VdsoNames> names = names();
        if (names.isEmpty()) {
            return OptionalLong.empty();
        }
        return lookup(names.get().version(), names.get().symbol(function));
    }

    /**
     * getrandom(2) through this process's vDSO into native memory ({@link VdsoRandom}): the count, or
     * minus errno. Only for this process's own vDSO ({@link #current()}), whose code this process can call.
     */
    public long getrandom(MemorySegment buffer, int flags) {
        if (this != current()) {
            throw new IllegalStateException("getrandom can only be called through this process's own vDSO");
        }
        return VdsoRandom.getrandom(buffer, flags);
    }

    /** clock_gettime(clock) through this process's vDSO (or the system call where it has none). */
    public VdsoCalls.Timespec clockGettime(ClockId clock) {
        requireCurrent();
        return VdsoCalls.clockGettime(clock.id());
    }

    /** clock_gettime in nanoseconds, without allocating. */
    public long clockGettimeNanos(ClockId clock) {
        requireCurrent();
        return VdsoCalls.clockGettimeNanos(clock.id());
    }

    public VdsoCalls.Timespec clockGetres(ClockId clock) {
        requireCurrent();
        return VdsoCalls.clockGetres(clock.id());
    }

    /** gettimeofday: seconds and microseconds. */
    public VdsoCalls.Timespec gettimeofday() {
        requireCurrent();
        return VdsoCalls.gettimeofday();
    }

    public long time() {
        requireCurrent();
        return VdsoCalls.time();
    }

    public VdsoCalls.Cpu getcpu() {
        requireCurrent();
        return VdsoCalls.getcpu();
    }

    private void requireCurrent() {
        if (!isCurrent()) {
            throw new UnsupportedOperationException(image.name() + " is not this process's vDSO: it cannot be called");
        }
    }

    /** Whether this is the running process's own vDSO (whose functions may be called). */
    public boolean isCurrent() {
        return this == current;
    }
}
