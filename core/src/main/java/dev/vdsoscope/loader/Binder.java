package dev.vdsoscope.loader;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import dev.vdsoscope.abi.GlibcRelocations;
import dev.vdsoscope.abi.GlibcRelocations.Treatment;
import dev.vdsoscope.elf.SectionIndex;

/**
 * ld.so's relocation of a traced program, as ldd -r and -d have it done (elf/rtld.c, the
 * {@code LD_WARN} branch of trace mode): every object of the program's initializer order, from the
 * last to the first, leaving out ld.so itself, has its relocations processed against the program's
 * search list (the object itself first for DT_SYMBOLIC), and every complaint is collected in order.
 * The per-file tables come from outside ({@link BindingTables}, read once per file); everything that
 * depends on this program's link map (which object answers, the version tables where a dependency
 * is missing) is worked out here, for this program only.
 */
final class Binder {
    /** Where the model assumes objects without fixed addresses are mapped: above 4 GiB, as on x86-64. */
    private static final long MAPPED_HIGH = 0x7f00_0000_0000L;
    private static final String ASSERTION = "Inconsistency detected by ld.so: dl-lookup.c: 107: check_match: "
            + "Assertion `version->filename == NULL || ! _dl_name_match_p (version->filename, map)' failed!";

    private final String program;
    private final LoadedLibrary main;
    private final List<LoadedLibrary> chain;
    private final GlibcRelocations rules;
    private final Function<LoadedLibrary, BindingTables> tables;
    private final List<BindingProblem> problems = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final BindingTables.Query query = new BindingTables.Query();
    private final BindingCache cache;
    private final Map<LoadedLibrary, Member> members = new IdentityHashMap<>();
    private long lookups;

    /** One object of a scope: its tables and the names it answers to. */
    private record Member(LoadedLibrary library, BindingTables tables, Set<String> names, boolean executable) {}

    /**
     * @param program the program as ldd names it (RTLD_PROGNAME, the main object's l_name)
     * @param chain   the link map: the program, then the objects in ldd's listing order
     * @param tables  the tables of an object loaded from a file, or null where they cannot be read
     */
    Binder(String program, List<LoadedLibrary> chain, GlibcRelocations rules, Function<LoadedLibrary, BindingTables> tables,
            BindingCache cache) {
        this.cache = cache;
        this.program = program;
        this.main = chain.get(0);
        this.chain = chain;
        this.rules = rules;
        this.tables = tables;
    }

    /** Relocates every object of the program in ld.so's order, with the search list given. */
    Bindings bind(List<LoadedLibrary> searchList, BindMode mode) {
        List<Member> scope = new ArrayList<>();
        for (LoadedLibrary library : searchList) {
            Member member = member(library);
            members.put(library, member);
            if (member.tables() != null) {
                scope.add(member);
            }
        }
        byDefinitions = new ArrayList<>(scope);
        byDefinitions.sort((a, b) -> Integer.compare(b.tables().hashedSymbols(), a.tables().hashedSymbols()));
        List<LoadedLibrary> order = initializerOrder(searchList);
        Optional<LoadFailure> stop = Optional.empty();
        for (int i = order.size() - 1; i >= 0 && stop.isEmpty(); i--) {
            LoadedLibrary library = order.get(i);
            if (library.kind() == LoadedLibrary.Kind.INTERPRETER || library.kind() == LoadedLibrary.Kind.VDSO) {
                continue; // ld.so relocated itself, and the kernel's vDSO comes relocated
            }
            Member member = members.get(library);
            if (member.tables() == null) {
                continue;
            }
            stop = relocate(member, scope, mode);
        }
        if (query.budgetSpent()) {
            notes.add("the hash chains of its objects are too long to follow (over " + BindingTables.CHAIN_STEP_BUDGET
                    + " steps): lookups were cut short, and what they would have found is not modelled");
        }
        return new Bindings(Optional.of(mode), List.copyOf(problems), stop, lookups, List.copyOf(notes));
    }

    private Member member(LoadedLibrary library) {
        BindingTables t = library.kind() == LoadedLibrary.Kind.VDSO ? null : tables.apply(library);
        if (t != null) {
            for (String problem : t.unmodelled) {
                notes.add(lName(library) + ": " + problem);
            }
        }
        return new Member(library, t, library.names(), library == main);
    }

    private String lName(LoadedLibrary library) {
        return library == main ? program : VersionCheck.lName(library);
    }

    /**
     * The initializer order (l_initfini) _dl_map_object_deps gives the program: _dl_sort_maps' depth
     * first sort of the search list, from its end, each object after what it needs, the program
     * forced first.
     */
    static List<LoadedLibrary> initializerOrder(List<LoadedLibrary> searchList) {
        LoadedLibrary main = searchList.get(0);
        Set<LoadedLibrary> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<LoadedLibrary> order = new ArrayDeque<>(searchList.size());
        for (int i = searchList.size() - 1; i >= 0; i--) {
            visit(searchList.get(i), main, visited, order);
        }
        List<LoadedLibrary> sorted = new ArrayList<>(order);
        if (sorted.get(0) != main) {
            sorted.remove(main);
            sorted.add(0, main);
        }
        return sorted;
    }

    /** dfs_traversal: the program's own dependencies are not yet recorded when ld.so sorts, so it has none here. */
    private static void visit(LoadedLibrary library, LoadedLibrary main, Set<LoadedLibrary> visited,
            ArrayDeque<LoadedLibrary> order) {
        if (library.kind() == LoadedLibrary.Kind.NOT_FOUND || !visited.add(library)) {
            return;
        }
        if (library != main) {
            for (LoadedLibrary dependency : library.needs()) {
                if (dependency != main && !visited.contains(dependency)) {
                    visit(dependency, main, visited, order);
                }
            }
        }
        order.addFirst(library);
    }

    /** _dl_relocate_object for one object; the failure where ld.so stops. */
    private Optional<LoadFailure> relocate(Member object, List<Member> globalScope, BindMode mode) {
        BindingTables t = object.tables();
        List<Member> scope = globalScope;
        if (t.symbolic && !object.executable()) {
            scope = new ArrayList<>(globalScope.size() + 1);
            scope.add(object);
            scope.addAll(globalScope);
        }
        BindingTables.Version[] versions = versionsOf(object);
        boolean lazily = t.lazily();
        BindingTables.Steps steps = t.steps();
        assertionPossible = assertionPossible(object, scope);
        anyProtected = false;
        for (Member m : scope) {
            anyProtected |= object.executable() && m.tables().hasProtected();
        }
        if (!object.executable() && steps.lookupsOnly && versions == t.versions() && !assertionPossible) {
            return relocateByClosure(object, scope, steps, versions, lazily);
        }
        Member lastMember = null;
        int lastSymbol = -1;
        for (int i = 0; i < steps.count; i++) {
            int symbol = steps.symbol[i];
            Treatment treatment = steps.treatment[i];
            Member found;
            int foundSymbol;
            if (treatment == Treatment.UNEXPECTED && steps.unexpectedInPlt) {
                return Optional.of(unexpected(object, steps.type[i], true));
            }
            switch (steps.how[i]) {
                case BindingTables.Steps.LOCAL -> {
                    found = object;
                    foundSymbol = symbol;
                }
                case BindingTables.Steps.CACHED -> {
                    found = lastMember;
                    foundSymbol = lastSymbol;
                }
                default -> {
                    if (!lookUp(object, scope, steps, i, versions)) {
                        return Optional.of(LoadFailure.verbatim(ASSERTION));
                    }
                    found = foundMember;
                    foundSymbol = this.foundSymbol;
                    if (found != null && object.executable() && found.tables().protectedVisibility(foundSymbol)) {
                        protectedWarning(t, symbol, steps.lookupClass[i], found, steps.type[i]);
                    }
                    lastMember = found;
                    lastSymbol = foundSymbol;
                }
            }
            switch (treatment) {
                case COPY -> copy(object, symbol, found, foundSymbol, steps.type[i]);
                case LOOKUP_32, LOOKUP_PC32 -> overflow(object, symbol, found, foundSymbol, steps, i);
                case UNEXPECTED -> {
                    return Optional.of(unexpected(object, steps.type[i], false));
                }
                default -> {
                    // stored without a check
                }
            }
        }
        return Optional.empty();
    }

    /** What the last {@link #lookUp} found: the object and its symbol, or null and -1. */
    private Member foundMember;
    private int foundSymbol;
    /** The object that answered the last lookup where only found-or-not mattered. */
    private Member lastAnswerer;
    /** The scope, the objects with the most symbols first: where found-or-not is asked, most are answered first. */
    private List<Member> byDefinitions;
    /** For the object being relocated: whether check_match's assertion could be met, whether any object of the scope has protected symbols. */
    private boolean assertionPossible;
    private boolean anyProtected;

    /**
     * _dl_lookup_symbol_x for one step, over the scope in order: sets {@link #foundMember} and says
     * an undefined strong reference; false where ld.so's assertion stops it.
     */
    private boolean lookUp(Member object, List<Member> scope, BindingTables.Steps steps, int i,
            BindingTables.Version[] versions) {
        BindingTables t = object.tables();
        int symbol = steps.symbol[i];
        BindingTables.Version version = t.requested(symbol, versions);
        query.set(t, steps, i, version);
        lookups++;
        foundMember = null;
        foundSymbol = -1;
        if (!exactAnswerNeeded(object, steps, i)) {
            // Only found-or-not matters: ask first the object that answered last, then the others,
            // those with the most symbols first.
            if (lastAnswerer != null && answers(lastAnswerer)) {
                return true;
            }
            for (Member m : byDefinitions) {
                if (m != lastAnswerer && answers(m)) {
                    lastAnswerer = m;
                    return true;
                }
            }
            undefined(object, steps, i, version);
            return true;
        }
        for (Member m : scope) {
            if ((steps.lookupClass[i] & GlibcRelocations.CLASS_COPY) != 0 && m.executable()) {
                continue; // a copy relocation is never satisfied by the executable
            }
            int answer = m.tables().find(query, m.names());
            if (answer == BindingTables.ASSERTION) {
                return false;
            }
            if (answer >= 0) {
                foundMember = m;
                foundSymbol = answer;
                return true;
            }
        }
        undefined(object, steps, i, version);
        return true;
    }

    /** Whether the object answers the query (sets {@link #foundMember}). */
    private boolean answers(Member m) {
        int answer = m.tables().find(query, m.names());
        if (answer >= 0) {
            foundMember = m;
            foundSymbol = answer;
            return true;
        }
        return false;
    }

    /** No object answers: ld.so says so, unless the reference is weak. */
    private void undefined(Member object, BindingTables.Steps steps, int i, BindingTables.Version version) {
        if (!object.tables().weak(steps.symbol[i])) {
            problems.add(new BindingProblem(BindingProblem.Kind.UNDEFINED, query.name(),
                    Optional.ofNullable(version).map(BindingTables.Version::name), lName(object.library()),
                    Optional.empty(), rules.name(steps.type[i])));
        }
    }

    /**
     * Whether the lookup must find what ld.so finds (the first object of the scope, in order) rather
     * than only whether some object answers: where the answer is used (a copy, an overflow check),
     * where the program could meet a protected symbol (ld.so warns then), and where an assertion of
     * ld.so's could come first.
     */
    private boolean exactAnswerNeeded(Member object, BindingTables.Steps steps, int i) {
        if (steps.answerUsed[i] || assertionPossible) {
            return true;
        }
        if (object.executable() && anyProtected) {
            int cls = steps.lookupClass[i];
            return (cls & GlibcRelocations.CLASS_COPY) != 0 || (cls & GlibcRelocations.CLASS_PLT) != 0;
        }
        return false;
    }

    /**
     * A library whose relocations only look symbols up (no copy, no overflow check, no unexpected
     * type), with all its dependencies found: what matters is only whether each lookup finds
     * something, and a symbol any object of the library's own dependency closure answers is found,
     * whatever comes first in the scope. Which steps the closure answers is the same in every
     * program where the closure is made of the same files, so it is worked out once per library and
     * closure ({@link BindingCache}); only the steps it does not answer are looked up in this
     * program's scope, in order.
     */
    private Optional<LoadFailure> relocateByClosure(Member object, List<Member> scope, BindingTables.Steps steps,
            BindingTables.Version[] versions, boolean lazily) {
        List<Member> closure = closure(object);
        int[] ids = new int[closure.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = closure.get(i).tables().id;
        }
        Arrays.sort(ids);
        long[] answered = cache.answered(object.tables(), lazily, ids, () -> answeredBy(object, closure, steps, versions));
        long[] lookupSteps = steps.lookupSteps;
        for (int word = 0; word < lookupSteps.length; word++) {
            lookups += Long.bitCount(lookupSteps[word]);
            // The steps the closure does not answer, in order: looked up in the program's scope.
            for (long open = lookupSteps[word] & ~answered[word]; open != 0; open &= open - 1) {
                int i = (word << 6) + Long.numberOfTrailingZeros(open);
                lookups--; // counted by lookUp
                if (!lookUp(object, scope, steps, i, versions)) {
                    return Optional.of(LoadFailure.verbatim(ASSERTION));
                }
            }
        }
        return Optional.empty();
    }

    /** The steps some object of the closure answers, one bit each. */
    private long[] answeredBy(Member object, List<Member> closure, BindingTables.Steps steps,
            BindingTables.Version[] versions) {
        BindingTables t = object.tables();
        long[] answered = new long[(steps.count + 63) >>> 6];
        BindingTables.Query q = new BindingTables.Query();
        for (int i = 0; i < steps.count; i++) {
            if (steps.how[i] != BindingTables.Steps.LOOKUP) {
                continue;
            }
            q.set(t, steps, i, t.requested(steps.symbol[i], versions));
            for (Member m : closure) {
                if (m.tables().find(q, m.names()) >= 0) {
                    answered[i >>> 6] |= 1L << i;
                    break;
                }
            }
        }
        return answered;
    }

    /** The object and every object its DT_NEEDED entries lead to, each once (those with tables). */
    private List<Member> closure(Member object) {
        List<Member> closure = new ArrayList<>();
        Set<LoadedLibrary> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<LoadedLibrary> todo = new ArrayDeque<>();
        todo.add(object.library());
        seen.add(object.library());
        while (!todo.isEmpty()) {
            LoadedLibrary library = todo.poll();
            Member member = members.get(library);
            if (member != null && member.tables() != null) {
                closure.add(member);
            }
            for (LoadedLibrary dependency : library.needs()) {
                if (dependency.kind() != LoadedLibrary.Kind.NOT_FOUND && seen.add(dependency)) {
                    todo.add(dependency);
                }
            }
        }
        return closure;
    }

    /**
     * Whether a lookup for this object could reach check_match's assertion: an object of the scope
     * without symbol versions answers to the name of a file this object needs versions from.
     */
    private static boolean assertionPossible(Member object, List<Member> scope) {
        List<VersionTables.Need> needs = object.tables().versionTables.needs();
        if (needs.isEmpty()) {
            return false;
        }
        for (Member m : scope) {
            if (m.tables().versions() == null) {
                for (VersionTables.Need need : needs) {
                    if (m.names().contains(need.file())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * l_versions of the object in this program: the file's own, unless a dependency it needs
     * versions of was not found (ld.so then leaves that dependency's indexes out of ndx_high).
     */
    private BindingTables.Version[] versionsOf(Member object) {
        BindingTables t = object.tables();
        Set<String> missing = null;
        for (VersionTables.Need need : t.versionTables.needs()) {
            LoadedLibrary needed = null;
            for (LoadedLibrary l : chain) {
                if (l.names().contains(need.file())) {
                    needed = l;
                    break;
                }
            }
            if (needed != null && needed.kind() == LoadedLibrary.Kind.NOT_FOUND) {
                if (missing == null) {
                    missing = new HashSet<>();
                }
                missing.add(need.file());
            }
        }
        return missing == null ? t.versions() : t.versionsWithout(missing::contains);
    }

    /** R_*_COPY: the sizes of the program's symbol and the library's must agree (LD_WARN reports smaller ones too). */
    private void copy(Member object, int symbol, Member found, int foundSymbol, int type) {
        if (found == null) {
            return; // in trace mode, from an object that was not found
        }
        if (found.tables().size(foundSymbol) != object.tables().size(symbol)) {
            problems.add(new BindingProblem(BindingProblem.Kind.SIZE_CHANGED, object.tables().name(symbol),
                    Optional.empty(), lName(object.library()), Optional.of(lName(found.library())), rules.name(type)));
        }
    }

    /**
     * x86-64's R_X86_64_32 and PC32 checks. The addresses are what the model assumes: an object
     * without fixed addresses is mapped above 4 GiB, and two such objects lie within 2 GiB of each
     * other.
     */
    private void overflow(Member object, int symbol, Member found, int foundSymbol, BindingTables.Steps steps, int i) {
        long placeBase = object.tables().fixedAddress ? 0 : MAPPED_HIGH;
        long target = 0;
        if (found != null) {
            BindingTables ft = found.tables();
            boolean absolute = ft.sectionIndex(foundSymbol) == SectionIndex.SHN_ABS;
            target = (absolute || ft.fixedAddress ? 0 : MAPPED_HIGH) + ft.value(foundSymbol);
        }
        long value = target + steps.addend[i];
        BindingProblem.Kind kind;
        if (steps.treatment[i] == Treatment.LOOKUP_32) {
            if (Long.compareUnsigned(value, 0xffffffffL) <= 0) {
                return;
            }
            kind = BindingProblem.Kind.OVERFLOW_32;
        } else {
            long distance = value - (placeBase + steps.offset[i]);
            if (distance == (int) distance) {
                return;
            }
            kind = BindingProblem.Kind.OVERFLOW_PC32;
        }
        problems.add(new BindingProblem(kind, object.tables().name(symbol), Optional.empty(), lName(object.library()),
                Optional.empty(), rules.name(steps.type[i])));
    }

    /** _dl_check_protected_symbol: the executable reaches a protected symbol of a library. */
    private void protectedWarning(BindingTables t, int symbol, int lookupClass, Member found, int type) {
        String definedIn = lName(found.library());
        if ((lookupClass & GlibcRelocations.CLASS_COPY) != 0) {
            problems.add(new BindingProblem(BindingProblem.Kind.PROTECTED_COPY, t.name(symbol), Optional.empty(),
                    program, Optional.of(definedIn), rules.name(type)));
        } else if ((lookupClass & GlibcRelocations.CLASS_PLT) != 0 && t.value(symbol) != 0
                && t.sectionIndex(symbol) == SectionIndex.SHN_UNDEF) {
            problems.add(new BindingProblem(BindingProblem.Kind.PROTECTED_FUNCTION, t.name(symbol), Optional.empty(),
                    program, Optional.of(definedIn), rules.name(type)));
        }
    }

    /** _dl_reloc_bad_type: ld.so stops; its message gives the type in hex, two digits, or eight for a large type of a 64-bit object. */
    private LoadFailure unexpected(Member object, int type, boolean plt) {
        String number = object.tables().is64 && Integer.compareUnsigned(type, 0xff) > 0 ? String.format("%08x", type)
                : String.format("%02x", type & 0xff);
        return new LoadFailure(lName(object.library()), (plt ? "unexpected PLT reloc type 0x" : "unexpected reloc type 0x")
                + number);
    }
}
