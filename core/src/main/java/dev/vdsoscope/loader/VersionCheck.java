package dev.vdsoscope.loader;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * ld.so's version check after it has loaded everything (elf/dl-version.c {@code _dl_check_all_versions},
 * as rtld.c runs it for ldd: verbose, in trace mode): for each object of the link map in order, each
 * version it needs from each of its dependencies is looked for among that dependency's definitions,
 * by hash and then by name. What fails is said and the check goes on (ldd still prints the list),
 * except for what ld.so cannot get past: a Verneed table of another format, DT_RELR without its
 * GLIBC_ABI_DT_RELR version, a dependency that is in no list at all (an assertion).
 *
 * <p>Also the section {@code ldd -v} prints: every version each object needs, and where it is found
 * (rtld.c, matched by name only, against the objects of the program's search list).
 */
final class VersionCheck {
    /** _dl_elf_hash("GLIBC_ABI_DT_RELR"). */
    private static final long GLIBC_ABI_DT_RELR_HASH = 0xfd0e42;
    private static final String GLIBC_ABI_DT_RELR = "GLIBC_ABI_DT_RELR";
    /** Where glibc 2.36 asserts that a dependency was found (dl-version.c, Debian 2.36-9's line). */
    private static final String NEEDED_ASSERTION =
            "Inconsistency detected by ld.so: dl-version.c: 204: _dl_check_map_versions: Assertion `needed != NULL' failed!";

    /** What the check found: problems ld.so reports and goes on after, then what stops it, if anything. */
    record Outcome(List<VersionProblem> problems, Optional<LoadFailure> stop) {}

    private VersionCheck() {}

    /** ld.so's name for an object (l_name): the path it was opened by, or the vDSO's soname. */
    static String lName(LoadedLibrary l) {
        return l.path().orElse(l.name());
    }

    /**
     * The check over the link map, {@code chain} in ld.so's order (the program first); objects not
     * found are placeholders ld.so skips in trace mode.
     */
    static Outcome check(List<LoadedLibrary> chain) {
        List<VersionProblem> problems = new ArrayList<>();
        for (LoadedLibrary map : chain) {
            ElfObject elf = map.elfOrNull();
            if (map.kind() == LoadedLibrary.Kind.NOT_FOUND || elf == null) {
                continue;
            }
            VersionTables tables = elf.versions();
            String requiredBy = lName(map);
            boolean relrReferenced = false;
            if (!tables.needs().isEmpty()) {
                if (tables.needVersion() != 1) {
                    return new Outcome(List.copyOf(problems), Optional.of(new LoadFailure(requiredBy,
                            "unsupported version " + tables.needVersion() + " of Verneed record")));
                }
                for (VersionTables.Need need : tables.needs()) {
                    LoadedLibrary needed = findNeeded(need.file(), chain, map);
                    if (needed == null) {
                        return new Outcome(List.copyOf(problems), Optional.of(LoadFailure.verbatim(NEEDED_ASSERTION)));
                    }
                    if (needed.kind() == LoadedLibrary.Kind.NOT_FOUND) {
                        continue; // a stub ld.so made in trace mode for a missing library
                    }
                    for (VersionTables.Needed version : need.versions()) {
                        matchSymbol(requiredBy, version, needed, problems);
                        if (version.hash() == GLIBC_ABI_DT_RELR_HASH && version.name().equals(GLIBC_ABI_DT_RELR)) {
                            relrReferenced = true;
                        }
                    }
                }
            }
            if (!tables.needs().isEmpty() && !elf.needed().isEmpty() && elf.relr() && !relrReferenced
                    && elf.needed().stream().anyMatch(n -> n.startsWith("libc.so."))) {
                return new Outcome(List.copyOf(problems), Optional.of(new LoadFailure(requiredBy,
                        "DT_RELR without GLIBC_ABI_DT_RELR dependency")));
            }
        }
        return new Outcome(List.copyOf(problems), Optional.empty());
    }

    /** dl-version.c's find_needed: the first object of the link map that answers to the name, else one of the object's own dependencies. */
    private static LoadedLibrary findNeeded(String file, List<LoadedLibrary> chain, LoadedLibrary map) {
        for (LoadedLibrary l : chain) {
            if (l.names().contains(file)) {
                return l;
            }
        }
        for (LoadedLibrary l : map.needs()) {
            if (l.names().contains(file)) {
                return l;
            }
        }
        return null;
    }

    /** match_symbol, verbose: one needed version against the definitions of the object that provides it. */
    private static void matchSymbol(String requiredBy, VersionTables.Needed version, LoadedLibrary provider,
            List<VersionProblem> problems) {
        String providerName = lName(provider);
        ElfObject elf = provider.elfOrNull();
        if (elf == null) {
            return; // the vDSO: nothing requires versions of it
        }
        VersionTables tables = elf.versions();
        if (!tables.defines()) {
            problems.add(new VersionProblem(providerName, VersionProblem.Kind.NO_VERSION_INFORMATION,
                    version.name(), requiredBy, List.of()));
            return;
        }
        for (VersionTables.Definition d : tables.definitions()) {
            if (d.version() != 1) {
                problems.add(new VersionProblem(providerName, VersionProblem.Kind.UNSUPPORTED_VERDEF,
                        Integer.toString(d.version()), requiredBy, List.of()));
                return;
            }
            if (d.hash() == version.hash() && d.name().equals(version.name())) {
                return;
            }
        }
        problems.add(new VersionProblem(providerName, version.weak() ? VersionProblem.Kind.WEAK_NOT_FOUND
                : VersionProblem.Kind.NOT_FOUND, version.name(), requiredBy,
                tables.definitions().stream().filter(d -> !d.base()).map(VersionTables.Definition::name).toList()));
    }

    /**
     * The lines of ldd -v's "Version information" section: for each object that needs versions, in
     * link-map order, each needed version and the object that has it (rtld.c's find_needed searches
     * the program's search list from its end, and match_version compares names only).
     */
    static List<VersionRequirement> requirements(List<LoadedLibrary> chain, List<LoadedLibrary> searchList) {
        List<VersionRequirement> lines = new ArrayList<>();
        for (LoadedLibrary map : chain) {
            ElfObject elf = map.elfOrNull();
            if (elf == null || elf.versions().needs().isEmpty()) {
                continue;
            }
            for (VersionTables.Need need : elf.versions().needs()) {
                LoadedLibrary needed = null;
                for (int i = searchList.size() - 1; i >= 0; i--) {
                    if (searchList.get(i).names().contains(need.file())) {
                        needed = searchList.get(i);
                        break;
                    }
                }
                for (VersionTables.Needed version : need.versions()) {
                    Optional<String> foundIn = Optional.empty();
                    if (needed != null && needed.elfOrNull() != null && needed.elfOrNull().versions().definitions()
                            .stream().anyMatch(d -> d.name().equals(version.name()))) {
                        foundIn = Optional.of(lName(needed));
                    }
                    lines.add(new VersionRequirement(lName(map), need.file(), version.name(), version.weak(), foundIn));
                }
            }
        }
        return List.copyOf(lines);
    }
}
