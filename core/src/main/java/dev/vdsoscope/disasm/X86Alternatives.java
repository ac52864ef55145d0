package dev.vdsoscope.disasm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.Section;

/**
 * The x86 kernel's boot-time code patches recorded in {@code .altinstructions}: each entry names a
 * site in the code, a replacement in {@code .altinstr_replacement} and the CPU feature that selects
 * it. The entry ({@code struct alt_instr}) changed size across kernel versions: 13 bytes with a pad
 * length (up to 5.x), 12 bytes with a 16-bit feature whose top bit inverts it (until 6.2), and 14
 * bytes with a 32-bit feature-and-flags word (since). The size is chosen by which layouts divide the
 * section and decode to plausible entries; when more than one does, {@link #notes()} says so.
 */
public final class X86Alternatives {
    /** The sizes an {@code .altinstructions} entry ({@code struct alt_instr}) has had, with its fields. */
    public enum Layout {
        /** s32 instr_offset, s32 repl_offset, u16 cpuid, u8 instrlen, u8 replacementlen. */
        ENTRY_12(12),
        /** The same with a trailing u8 padlen. */
        ENTRY_13(13),
        /** s32 instr_offset, s32 repl_offset, u32 ft_flags (cpuid low 16, flags high 16), u8 instrlen, u8 replacementlen. */
        ENTRY_14(14);

        private final int size;

        Layout(int size) {
            this.size = size;
        }

        public int size() {
            return size;
        }
    }

    /** One entry: the replacement applies when the feature is present (absent when {@code inverted}). */
    public record Entry(long site, int siteLength, long replacement, int replacementLength, int feature,
            boolean inverted) {}

    /** All entries for one site, in the order the kernel applies them (a later match wins). */
    public record Site(long address, int length, List<Entry> entries) {}

    private static final int ALT_FLAG_NOT_16 = 1 << 15;
    private static final int ALT_FLAG_NOT = 1;
    private static final int KNOWN_FLAGS = 0x3;
    /** NCAPINTS + NBUGINTS words at most, generously. */
    private static final int MAX_FEATURE = 40 * 32;

    private final ElfFile elf;
    private final Layout layout;
    private final List<Site> sites;
    private final List<String> notes;

    private X86Alternatives(ElfFile elf, Layout layout, List<Site> sites, List<String> notes) {
        this.elf = elf;
        this.layout = layout;
        this.sites = sites;
        this.notes = notes;
    }

    /** The alternatives of an image with section headers; empty when it has no .altinstructions. */
    public static Optional<X86Alternatives> of(ElfFile elf) {
        Optional<Section> table = elf.section(".altinstructions");
        if (table.isEmpty() || !table.get().hasFileBytes() || table.get().size() == 0) {
            return Optional.empty(); // an empty table fits every layout and says nothing
        }
        Optional<Section> replacements = elf.section(".altinstr_replacement");
        Section s = table.get();
        MemorySegment bytes = elf.contents(s);
        List<String> notes = new ArrayList<>();
        Layout chosen = null;
        List<Entry> chosenEntries = List.of();
        List<Layout> plausible = new ArrayList<>();
        for (Layout layout : Layout.values()) {
            if (s.size() % layout.size() != 0) {
                continue;
            }
            List<Entry> entries = decode(bytes, s.addr(), layout);
            String problem = implausibility(elf, entries, replacements);
            if (problem == null) {
                plausible.add(layout);
                if (chosen == null) {
                    chosen = layout;
                    chosenEntries = entries;
                }
            } else {
                notes.add(layout.size() + "-byte entries divide the section but do not fit: " + problem);
            }
        }
        if (plausible.size() > 1) {
            notes.add("AMBIGUOUS: " + plausible.stream().map(l -> l.size() + "-byte").toList()
                    + " entries all decode plausibly; showing " + chosen.size() + "-byte entries");
        } else if (chosen == null) {
            notes.add("no known alt_instr layout (12, 13 or 14 bytes) fits " + s.size() + " bytes of .altinstructions");
            return Optional.of(new X86Alternatives(elf, null, List.of(), List.copyOf(notes)));
        }
        Map<Long, List<Entry>> bySite = new LinkedHashMap<>();
        chosenEntries.stream().sorted(Comparator.comparingLong(Entry::site))
                .forEach(e -> bySite.computeIfAbsent(e.site(), k -> new ArrayList<>()).add(e));
        List<Site> sites = new ArrayList<>();
        bySite.forEach((address, list) -> sites.add(new Site(address,
                list.stream().mapToInt(Entry::siteLength).max().orElse(0), List.copyOf(list))));
        return Optional.of(new X86Alternatives(elf, chosen, List.copyOf(sites), List.copyOf(notes)));
    }

    private static List<Entry> decode(MemorySegment bytes, long sectionAddress, Layout layout) {
        ValueLayout.OfInt s32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        ValueLayout.OfShort u16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        List<Entry> entries = new ArrayList<>();
        for (long at = 0; at + layout.size() <= bytes.byteSize(); at += layout.size()) {
            // Both offsets are relative to the field that holds them.
            long site = sectionAddress + at + bytes.get(s32, at);
            long replacement = sectionAddress + at + 4 + bytes.get(s32, at + 4);
            int feature;
            boolean inverted;
            int lengths;
            if (layout == Layout.ENTRY_14) {
                int ftFlags = bytes.get(s32, at + 8);
                feature = ftFlags & 0xffff;
                int flags = ftFlags >>> 16;
                inverted = (flags & ALT_FLAG_NOT) != 0;
                if ((flags & ~KNOWN_FLAGS) != 0) {
                    feature = -1; // unknown flags: marks the entry implausible
                }
                lengths = 12;
            } else {
                int cpuid = Short.toUnsignedInt(bytes.get(u16, at + 8));
                feature = cpuid & ~ALT_FLAG_NOT_16;
                inverted = (cpuid & ALT_FLAG_NOT_16) != 0;
                lengths = 10;
            }
            int siteLength = Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, at + lengths));
            int replacementLength = Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, at + lengths + 1));
            if (layout == Layout.ENTRY_13 && Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, at + 12)) > siteLength) {
                feature = -1; // the padding cannot exceed the site
            }
            entries.add(new Entry(site, siteLength, replacement, replacementLength, feature, inverted));
        }
        return entries;
    }

    /** Why these entries cannot be right, or null when every one is plausible. */
    private static String implausibility(ElfFile elf, List<Entry> entries, Optional<Section> replacements) {
        for (Entry e : entries) {
            String where = "entry at site 0x" + Long.toHexString(e.site());
            if (e.feature() < 0 || e.feature() >= MAX_FEATURE) {
                return where + " has an impossible feature or flags";
            }
            if (e.siteLength() == 0 || e.replacementLength() > e.siteLength()) {
                return where + " has lengths " + e.siteLength() + "/" + e.replacementLength();
            }
            boolean inCode = elf.sections().stream().anyMatch(s -> (s.flags() & Section.SHF_EXECINSTR) != 0
                    && !s.name().equals(".altinstr_replacement") && s.addr() <= e.site()
                    && e.site() + e.siteLength() <= s.addr() + s.size());
            if (!inCode) {
                return where + " is not inside the code";
            }
            if (e.replacementLength() > 0 && (replacements.isEmpty() || e.replacement() < replacements.get().addr()
                    || e.replacement() + e.replacementLength() > replacements.get().addr() + replacements.get().size())) {
                return where + ": its replacement 0x" + Long.toHexString(e.replacement())
                        + " is not inside .altinstr_replacement";
            }
        }
        return null;
    }

    /** The layout used, or empty when none fitted (then there are no sites). */
    public Optional<Layout> layout() {
        return Optional.ofNullable(layout);
    }

    public List<Site> sites() {
        return sites;
    }

    /** How the layout was chosen, when that was not clear-cut (ambiguity, rejected layouts). */
    public List<String> notes() {
        return notes;
    }

    /** The replacement bytes of one entry. */
    public MemorySegment replacementBytes(Entry e) {
        return elf.input().slice(elf.offsetOf(e.replacement(), "replacement"), e.replacementLength(), "replacement");
    }

    /**
     * The image as a kernel applies these alternatives at boot on a CPU with the given features
     * (apply_alternatives: each site gets the last entry whose feature test passes, its bytes copied
     * in and the rest of the site filled with NOPs; a replacement that starts with a relative call or
     * jump has its displacement moved with it). Sites with no passing entry keep the code as linked.
     */
    public byte[] applied(java.util.function.IntPredicate hasFeature) {
        byte[] image = elf.input().slice(0, elf.input().size(), "image").toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        for (Site site : sites) {
            Entry chosen = null;
            for (Entry e : site.entries()) {
                if (hasFeature.test(e.feature()) != e.inverted()) {
                    chosen = e;
                }
            }
            if (chosen == null) {
                continue;
            }
            int at = Math.toIntExact(elf.offsetOf(site.address(), "alternative site"));
            byte[] replacement = replacementBytes(chosen).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            int length = Math.min(replacement.length, site.length());
            System.arraycopy(replacement, 0, image, at, length);
            if (length == 5 && (replacement[0] == (byte) 0xe8 || replacement[0] == (byte) 0xe9)) {
                java.nio.ByteBuffer rel = java.nio.ByteBuffer.wrap(image, at + 1, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                int displacement = rel.getInt(at + 1);
                rel.putInt(at + 1, (int) (displacement + chosen.replacement() - site.address()));
            }
            java.util.Arrays.fill(image, at + length, at + site.length(), (byte) 0x90);
        }
        return image;
    }

    /** The bytes at a site in any image laid out like this one (this image: the code as linked). */
    public static MemorySegment siteBytes(ElfFile image, Site site) {
        return image.input().slice(image.offsetOf(site.address(), "alternative site"), site.length(), "alternative site");
    }
}
