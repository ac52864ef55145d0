package dev.vdsoscope.loader;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * What a batch of files would do under ld.so, counted for whoever ships them: how many load and bind
 * cleanly, how many would fail to start or to run and why, and the missing libraries, versions and
 * symbols that most files share. A file counts once in each reason it has (a missing library also
 * leaves its symbols undefined). Counting only: nothing here changes an answer of the loader.
 */
public final class CheckSummary {
    /** How many files one missing thing (a library, a version, a symbol) affects. */
    public record Tally(String name, int files) {}

    private int files;
    private int clean;
    private int staticallyLinked;
    private int notDynamic;
    private int crashes;
    private int failing;
    private int missingLibrary;
    private int loadStops;
    private int missingVersion;
    private int undefinedSymbols;
    private long undefinedReferences;
    private int relocationStops;
    private int warned;
    private final Map<String, Integer> libraries = new HashMap<>();
    private final Map<String, Integer> versions = new HashMap<>();
    private final Map<String, Integer> symbols = new HashMap<>();

    /** A summary of no file yet. */
    public CheckSummary() {}

    /** Counts one file the loader answered for ({@code bindings} NONE where relocations were not checked). */
    public void add(LoadResult result, Bindings bindings) {
        files++;
        if (result.crash().isPresent()) {
            crashes++;
            failing++;
            return;
        }
        switch (result.verification()) {
            case STATICALLY_LINKED -> staticallyLinked++;
            case NOT_DYNAMIC, REFUSED, NOT_ELF, NO_LOADER, CRASHES -> notDynamic++;
            case DYNAMIC -> { }
        }
        boolean fails = false;
        List<LoadedLibrary> missing = result.missing();
        if (!missing.isEmpty()) {
            missingLibrary++;
            fails = true;
            countOncePerFile(libraries, missing.stream().map(LoadedLibrary::name).toList());
        }
        if (result.failure().isPresent()) {
            loadStops++;
            fails = true;
        }
        List<String> absentVersions = result.versions().problems().stream().filter(VersionProblem::fatal)
                .map(p -> p.version() + " of " + p.object()).toList();
        if (!absentVersions.isEmpty()) {
            missingVersion++;
            fails = true;
            countOncePerFile(versions, absentVersions);
        }
        List<String> undefined = bindings.problems().stream().filter(BindingProblem::fatal)
                .map(p -> p.symbol() + p.version().map(v -> "@" + v).orElse("")).toList();
        if (!undefined.isEmpty()) {
            undefinedSymbols++;
            undefinedReferences += undefined.size();
            fails = true;
            countOncePerFile(symbols, undefined);
        }
        if (bindings.stop().isPresent()) {
            relocationStops++;
            fails = true;
        }
        boolean warnings = bindings.problems().stream().anyMatch(p -> !p.fatal())
                || result.versions().problems().stream().anyMatch(p -> !p.fatal());
        if (fails) {
            failing++;
        } else if (result.verification() == Verification.DYNAMIC) {
            clean++;
            if (warnings) {
                warned++;
            }
        }
    }

    private static void countOncePerFile(Map<String, Integer> tallies, List<String> names) {
        for (String name : new LinkedHashSet<>(names)) {
            tallies.merge(name, 1, Integer::sum);
        }
    }

    /** Files counted. */
    public int files() {
        return files;
    }

    /** Dynamic files that load (and, where checked, bind) without a fatal problem. */
    public int clean() {
        return clean;
    }

    /** Of the clean ones, those with warnings (a weak version missing, a size changed, a protected symbol). */
    public int cleanWithWarnings() {
        return warned;
    }

    public int staticallyLinked() {
        return staticallyLinked;
    }

    /** Files ld.so does not run as dynamic programs: no dynamic table, or refused. */
    public int notDynamic() {
        return notDynamic;
    }

    /** Files that would not start, or would stop at a call: the union of the reasons below. */
    public int failing() {
        return failing;
    }

    /** Files where ld.so itself would die (a signal while mapping an object). */
    public int crashes() {
        return crashes;
    }

    public int missingLibrary() {
        return missingLibrary;
    }

    /** Files where ld.so stops loading (a library of the wrong class, an invalid ELF header...). */
    public int loadStops() {
        return loadStops;
    }

    public int missingVersion() {
        return missingVersion;
    }

    public int undefinedSymbols() {
        return undefinedSymbols;
    }

    /** Undefined strong references over all files. */
    public long undefinedReferences() {
        return undefinedReferences;
    }

    /** Files where ld.so stops while relocating (an assertion, an unexpected relocation type). */
    public int relocationStops() {
        return relocationStops;
    }

    /** Missing libraries by how many files miss them, most first. */
    public List<Tally> libraries() {
        return ranked(libraries);
    }

    /** Missing versions ("GLIBC_2.99 of /lib/.../libc.so.6") by how many files need them, most first. */
    public List<Tally> versions() {
        return ranked(versions);
    }

    /** Undefined symbols ("name" or "name@VERSION") by how many files reference them, most first. */
    public List<Tally> symbols() {
        return ranked(symbols);
    }

    private static List<Tally> ranked(Map<String, Integer> tallies) {
        List<Tally> list = new ArrayList<>(tallies.size());
        tallies.forEach((name, count) -> list.add(new Tally(name, count)));
        list.sort(Comparator.comparingInt(Tally::files).reversed().thenComparing(Tally::name));
        return List.copyOf(list);
    }
}
