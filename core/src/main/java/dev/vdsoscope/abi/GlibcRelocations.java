package dev.vdsoscope.abi;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

import dev.vdsoscope.abi.RelocationTypes.I386;
import dev.vdsoscope.abi.RelocationTypes.X86_64;

/**
 * How glibc 2.36's ld.so treats each dynamic relocation type of one ABI when it relocates an object
 * ({@code elf_machine_rela} and {@code elf_machine_lazy_rel} in sysdeps/x86_64/dl-machine.h,
 * {@code elf_machine_rel} and {@code elf_machine_lazy_rel} in sysdeps/i386/dl-machine.h): whether a
 * type looks its symbol up and in which lookup class, and what it checks once it has the answer.
 */
public final class GlibcRelocations {
    /** ELF_RTYPE_CLASS_PLT: the lookup passes over undefined symbols that have a value (PLT entries). */
    public static final int CLASS_PLT = 1;
    /** ELF_RTYPE_CLASS_COPY: the lookup passes over the executable. */
    public static final int CLASS_COPY = 2;

    /** What ld.so does with one relocation, in the order of its own code. */
    public enum Treatment {
        /** NONE, RELATIVE (and RELATIVE64): no symbol is looked up. */
        NO_LOOKUP,
        /** The symbol is looked up and its address (or TLS offset, or size) stored. */
        LOOKUP,
        /** COPY: looked up past the executable; sizes that differ are reported. */
        COPY,
        /** x86-64's R_X86_64_32 and SIZE32: the value must fit in 32 bits, or ld.so says so. */
        LOOKUP_32,
        /** x86-64's R_X86_64_PC32: the distance must fit in 32 signed bits, or ld.so says so. */
        LOOKUP_PC32,
        /** IRELATIVE: deferred to the end of its range; with ldd's tracing, its resolver is not run. */
        IRELATIVE,
        /** A type ld.so does not know: the symbol is looked up, then ld.so stops ("unexpected reloc type"). */
        UNEXPECTED
    }

    /** What ld.so does with a PLT relocation when it binds lazily (without LD_BIND_NOW or DT_BIND_NOW). */
    public enum LazyTreatment {
        /** JUMP_SLOT: left for the first call; nothing is looked up. */
        DEFERRED,
        /** TLSDESC: relocated completely at once, as without laziness. */
        NOW,
        /** IRELATIVE: deferred to the end of the range (its resolver not run when tracing). */
        IRELATIVE,
        /** Anything else: ld.so stops ("unexpected PLT reloc type"). */
        UNEXPECTED
    }

    public static final GlibcRelocations X86_64_RULES = x86_64(false);
    public static final GlibcRelocations X32_RULES = x86_64(true);
    public static final GlibcRelocations I386_RULES = i386();

    private final boolean rela;
    private final boolean rel;
    /** By type number (types past the table are unexpected, class 0): read for every relocation of a run. */
    private final Treatment[] treatments;
    private final int[] classes;
    private final int jumpSlot;
    private final int tlsDescriptor;
    private final int irelative;
    private final Map<Integer, String> names;

    private GlibcRelocations(boolean rela, boolean rel, Map<Integer, Treatment> treatments, Map<Integer, Integer> classes,
            int jumpSlot, int tlsDescriptor, int irelative, Map<Integer, String> names) {
        this.rela = rela;
        this.rel = rel;
        int size = 1 + names.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        this.treatments = new Treatment[size];
        this.classes = new int[size];
        for (int type = 0; type < size; type++) {
            this.treatments[type] = treatments.getOrDefault(type, Treatment.UNEXPECTED);
            this.classes[type] = classes.getOrDefault(type, 0);
        }
        this.jumpSlot = jumpSlot;
        this.tlsDescriptor = tlsDescriptor;
        this.irelative = irelative;
        this.names = names;
    }

    private static GlibcRelocations x86_64(boolean x32) {
        Map<Integer, Treatment> t = new HashMap<>();
        t.put(X86_64.R_X86_64_NONE.value, Treatment.NO_LOOKUP);
        t.put(X86_64.R_X86_64_RELATIVE.value, Treatment.NO_LOOKUP);
        t.put(X86_64.R_X86_64_RELATIVE64.value, Treatment.NO_LOOKUP);
        for (X86_64 type : new X86_64[] {X86_64.R_X86_64_GLOB_DAT, X86_64.R_X86_64_JUMP_SLOT, X86_64.R_X86_64_SIZE64,
                X86_64.R_X86_64_DTPMOD64, X86_64.R_X86_64_DTPOFF64, X86_64.R_X86_64_TLSDESC, X86_64.R_X86_64_TPOFF64,
                X86_64.R_X86_64_64}) {
            t.put(type.value, Treatment.LOOKUP);
        }
        // x32 stores SIZE32 as its own case; x86-64 lets it fall into R_X86_64_32's overflow check.
        t.put(X86_64.R_X86_64_SIZE32.value, x32 ? Treatment.LOOKUP : Treatment.LOOKUP_32);
        t.put(X86_64.R_X86_64_32.value, Treatment.LOOKUP_32);
        t.put(X86_64.R_X86_64_PC32.value, Treatment.LOOKUP_PC32);
        t.put(X86_64.R_X86_64_COPY.value, Treatment.COPY);
        t.put(X86_64.R_X86_64_IRELATIVE.value, Treatment.IRELATIVE);
        Map<Integer, Integer> c = Map.of(X86_64.R_X86_64_JUMP_SLOT.value, CLASS_PLT, X86_64.R_X86_64_DTPMOD64.value,
                CLASS_PLT, X86_64.R_X86_64_DTPOFF64.value, CLASS_PLT, X86_64.R_X86_64_TPOFF64.value, CLASS_PLT,
                X86_64.R_X86_64_TLSDESC.value, CLASS_PLT, X86_64.R_X86_64_COPY.value, CLASS_COPY);
        return new GlibcRelocations(true, false, Map.copyOf(t), c, X86_64.R_X86_64_JUMP_SLOT.value,
                X86_64.R_X86_64_TLSDESC.value, X86_64.R_X86_64_IRELATIVE.value,
                Arrays.stream(X86_64.values()).collect(Collectors.toUnmodifiableMap(x -> x.value, Enum::name)));
    }

    private static GlibcRelocations i386() {
        Map<Integer, Treatment> t = new HashMap<>();
        t.put(I386.R_386_NONE.value, Treatment.NO_LOOKUP);
        t.put(I386.R_386_RELATIVE.value, Treatment.NO_LOOKUP);
        for (I386 type : new I386[] {I386.R_386_SIZE32, I386.R_386_GLOB_DAT, I386.R_386_JMP_SLOT,
                I386.R_386_TLS_DTPMOD32, I386.R_386_TLS_DTPOFF32, I386.R_386_TLS_DESC, I386.R_386_TLS_TPOFF32,
                I386.R_386_TLS_TPOFF, I386.R_386_32, I386.R_386_PC32}) {
            t.put(type.value, Treatment.LOOKUP);
        }
        t.put(I386.R_386_COPY.value, Treatment.COPY);
        t.put(I386.R_386_IRELATIVE.value, Treatment.IRELATIVE);
        Map<Integer, Integer> c = Map.of(I386.R_386_JMP_SLOT.value, CLASS_PLT, I386.R_386_TLS_DTPMOD32.value, CLASS_PLT,
                I386.R_386_TLS_DTPOFF32.value, CLASS_PLT, I386.R_386_TLS_TPOFF32.value, CLASS_PLT,
                I386.R_386_TLS_TPOFF.value, CLASS_PLT, I386.R_386_TLS_DESC.value, CLASS_PLT, I386.R_386_COPY.value,
                CLASS_COPY);
        return new GlibcRelocations(true, true, Map.copyOf(t), c, I386.R_386_JMP_SLOT.value, I386.R_386_TLS_DESC.value,
                I386.R_386_IRELATIVE.value,
                Arrays.stream(I386.values()).collect(Collectors.toUnmodifiableMap(x -> x.value, Enum::name)));
    }

    /** Whether ld.so processes DT_RELA tables (sysdeps' dl-machine-rel.h: ELF_MACHINE_NO_RELA is 0). */
    public boolean processesRela() {
        return rela;
    }

    /**
     * Whether ld.so processes DT_REL tables (ELF_MACHINE_NO_REL is 0). Where it processes both kinds,
     * DT_JMPREL goes with the kind DT_PLTREL names; where only one, with that one whatever DT_PLTREL says.
     */
    public boolean processesRel() {
        return rel;
    }

    public Treatment treatment(int type) {
        return type >= 0 && type < treatments.length ? treatments[type] : Treatment.UNEXPECTED;
    }

    /** {@code elf_machine_type_class}: {@link #CLASS_PLT}, {@link #CLASS_COPY} or 0. */
    public int lookupClass(int type) {
        return type >= 0 && type < classes.length ? classes[type] : 0;
    }

    public LazyTreatment lazyTreatment(int type) {
        if (type == jumpSlot) {
            return LazyTreatment.DEFERRED;
        }
        if (type == tlsDescriptor) {
            return LazyTreatment.NOW;
        }
        return type == irelative ? LazyTreatment.IRELATIVE : LazyTreatment.UNEXPECTED;
    }

    /** The IRELATIVE type, which ld.so defers to the end of each range (ELF_MACHINE_IRELATIVE). */
    public int irelative() {
        return irelative;
    }

    /** The type's {@code <elf.h>} name, or its number for a type the ABI does not define. */
    public String name(int type) {
        return names.getOrDefault(type, "type " + type);
    }

    /** The rules of an ABI, or null where ld.so's relocation is not modelled. */
    static GlibcRelocations forAbi(LinuxAbi abi) {
        return switch (abi) {
            case X86_64 -> X86_64_RULES;
            case X32 -> X32_RULES;
            case I386 -> I386_RULES;
            default -> null;
        };
    }
}
