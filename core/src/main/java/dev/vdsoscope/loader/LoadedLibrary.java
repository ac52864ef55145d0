package dev.vdsoscope.loader;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One object in the model's link map: the target, its interpreter, the vDSO, a library file, or a
 * library that was not found (ld.so keeps a placeholder for those in trace mode, so that each missing
 * name is reported once).
 */
public final class LoadedLibrary {
    /**
     * What a listed object is: the program, its interpreter, the vDSO, a library file, or a library not
     * found.
     */
    public enum Kind { MAIN, INTERPRETER, VDSO, FILE, NOT_FOUND }

    private final Kind kind;
    private final String name;
    private final String path;
    private final ElfObject elf;
    private final LoadedLibrary loadedBy;
    private final SearchRule rule;
    private final String ruleSource;
    private final List<Attempt> attempts;
    private final Set<String> names = new LinkedHashSet<>();
    private final Set<String> namesView = Collections.unmodifiableSet(names);
    private final List<LoadedLibrary> needs = new ArrayList<>();
    private final List<LoadedLibrary> needsView = Collections.unmodifiableList(needs);

    LoadedLibrary(Kind kind, String name, String path, ElfObject elf, LoadedLibrary loadedBy, SearchRule rule,
            String ruleSource, List<Attempt> attempts) {
        this.kind = kind;
        this.name = name;
        this.path = path;
        this.elf = elf;
        this.loadedBy = loadedBy;
        this.rule = rule;
        this.ruleSource = ruleSource;
        this.attempts = List.copyOf(attempts);
        names.add(name);
        if (path != null) {
            names.add(path);
        }
    }

    public Kind kind() {
        return kind;
    }

    /** The name it was first asked for: the DT_NEEDED string, PT_INTERP, or the vDSO's soname. */
    public String name() {
        return name;
    }

    /** The path ld.so would give it (not canonicalised, as ld.so keeps it); empty if none. */
    public Optional<String> path() {
        return Optional.ofNullable(path);
    }

    public Optional<ElfObject> elf() {
        return Optional.ofNullable(elf);
    }

    /** The file's contents, or null for the vDSO and a missing library (no Optional on the hot path). */
    ElfObject elfOrNull() {
        return elf;
    }

    /** The object whose DT_NEEDED first asked for it (ld.so's l_loader); empty for the target. */
    public Optional<LoadedLibrary> loadedBy() {
        return Optional.ofNullable(loadedBy);
    }

    LoadedLibrary loadedByOrNull() {
        return loadedBy;
    }

    String pathOrNull() {
        return path;
    }

    public SearchRule rule() {
        return rule;
    }

    /**
     * What the rule was read from, e.g. "RUNPATH of /opt/x/lib/libfoo.so.1: $ORIGIN/../lib";
     * empty when the rule says it all.
     */
    public String ruleSource() {
        return ruleSource;
    }

    /** The places tried before the one that answered (all of them for a missing library). */
    public List<Attempt> attempts() {
        return attempts;
    }

    /** The objects its DT_NEEDED entries resolved to, in order (shared ones included). */
    public List<LoadedLibrary> needs() {
        return needsView;
    }

    /** Why it is in the list, in words. */
    public String reason() {
        return ruleSource.isEmpty() ? rule.description() : ruleSource;
    }

    /** The names it was loaded or found under (its path among them), in order; not its soname. */
    Set<String> names() {
        return namesView;
    }

    void addName(String requested) {
        names.add(requested);
    }

    void addNeed(LoadedLibrary library) {
        needs.add(library);
    }
}
