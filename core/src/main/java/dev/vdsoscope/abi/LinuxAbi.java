package dev.vdsoscope.abi;

import static dev.vdsoscope.abi.VdsoFunction.CLOCK_GETRES;
import static dev.vdsoscope.abi.VdsoFunction.CLOCK_GETTIME;
import static dev.vdsoscope.abi.VdsoFunction.CLOCK_GETTIME64;
import static dev.vdsoscope.abi.VdsoFunction.GETCPU;
import static dev.vdsoscope.abi.VdsoFunction.GETRANDOM;
import static dev.vdsoscope.abi.VdsoFunction.GETTIMEOFDAY;
import static dev.vdsoscope.abi.VdsoFunction.TIME;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.vdsoscope.abi.GlibcLoader.Capabilities;
import dev.vdsoscope.elf.ElfClass;
import dev.vdsoscope.elf.ElfData;
import dev.vdsoscope.elf.ElfHeader;
import dev.vdsoscope.elf.Machine;
import dev.vdsoscope.elf.MachineFlags;

/**
 * The Linux ABIs vdsoscope knows, and everything about each that differs between them: its system
 * call numbers, its vDSO's names and functions, its glibc loader, its instruction set and how its code
 * enters the kernel. This is the one place that decides an ABI from an ELF header ({@link #of}) and
 * from the machine vdsoscope runs on ({@link #host}); every other package asks here. Adding an ABI is
 * adding a constant (and a vDSO fixture for its tests).
 */
public enum LinuxAbi {
    X86_64("x86-64", Machine.EM_X86_64, ElfClass.ELFCLASS64, ElfData.ELFDATA2LSB, SyscallTable.X86_64,
            vdso("linux-vdso.so.1", "__vdso_", "LINUX_2.6", CLOCK_GETTIME, GETTIMEOFDAY, TIME, CLOCK_GETRES, GETCPU,
                    GETRANDOM),
            new GlibcLoader(0x0303, "x86_64-linux-gnu", "/lib64/ld-linux-x86-64.so.2", 4, GlibcLoader.X86_64_CAPABILITIES),
            InstructionSet.X86_64, GateRules.X86),
    /**
     * The x86-64 code in ELFCLASS32 files; the x32 vDSO is the x86-64 one converted, but its linker
     * script (arch/x86/entry/vdso/vdsox32.lds.S) exports no getrandom.
     */
    X32("x32", Machine.EM_X86_64, ElfClass.ELFCLASS32, ElfData.ELFDATA2LSB, SyscallTable.X32,
            vdso("linux-vdso.so.1", "__vdso_", "LINUX_2.6", CLOCK_GETTIME, GETTIMEOFDAY, TIME, CLOCK_GETRES, GETCPU),
            new GlibcLoader(0x0803, "x86_64-linux-gnux32", "/libx32/ld-linux-x32.so.2", 4, GlibcLoader.X86_64_CAPABILITIES),
            InstructionSet.X86_64, GateRules.X86),
    I386("i386", Machine.EM_386, ElfClass.ELFCLASS32, ElfData.ELFDATA2LSB, SyscallTable.I386,
            vdso("linux-gate.so.1", "__vdso_", "LINUX_2.6", CLOCK_GETTIME, GETTIMEOFDAY, TIME, CLOCK_GETRES, GETCPU,
                    CLOCK_GETTIME64),
            new GlibcLoader(0x0003, "i386-linux-gnu", "/lib/ld-linux.so.2", 4, GlibcLoader.I386_CAPABILITIES),
            InstructionSet.X86_32, GateRules.X86),
    /** Either byte order: aarch64_be kernels map a big-endian vDSO of the same names. */
    AARCH64("aarch64", Machine.EM_AARCH64, ElfClass.ELFCLASS64, null, SyscallTable.GENERIC,
            vdso("linux-vdso.so.1", "__kernel_", "LINUX_2.6.39", CLOCK_GETTIME, GETTIMEOFDAY, CLOCK_GETRES, GETRANDOM),
            new GlibcLoader(0x0a03, "aarch64-linux-gnu", "/lib/ld-linux-aarch64.so.1", 3,
                    Capabilities.plain("aarch64", 1 << 8, Map.of(8, "atomics"), List.of())),
            InstructionSet.AARCH64, GateRules.AARCH64),
    /** 32-bit ARM (EABI, hard float for glibc): also the compat vDSO of arm64 kernels. */
    ARM("arm", Machine.EM_ARM, ElfClass.ELFCLASS32, null, SyscallTable.ARM,
            vdso("linux-vdso.so.1", "__vdso_", "LINUX_2.6", CLOCK_GETTIME, GETTIMEOFDAY, CLOCK_GETRES, CLOCK_GETTIME64),
            new GlibcLoader(0x0903, "arm-linux-gnueabihf", "/lib/ld-linux-armhf.so.3", 3,
                    Capabilities.plain(null, (1 << 6) | (1 << 12), Map.of(6, "vfp", 12, "neon"), List.of())),
            InstructionSet.ARM, GateRules.ARM),
    PPC64LE("ppc64le", Machine.EM_PPC64, ElfClass.ELFCLASS64, ElfData.ELFDATA2LSB, SyscallTable.PPC,
            ppcVdso("linux-vdso64.so.1", GETRANDOM),
            new GlibcLoader(0x0503, "powerpc64le-linux-gnu", "/lib64/ld64.so.2", 3,
                    Capabilities.plain(null, (1 << 28) | (1 << 10), Map.of(28, "altivec", 10, "dfp"),
                            List.of("power10", "power9"))),
            InstructionSet.PPC64, GateRules.PPC),
    PPC64("ppc64", Machine.EM_PPC64, ElfClass.ELFCLASS64, ElfData.ELFDATA2MSB, SyscallTable.PPC,
            ppcVdso("linux-vdso64.so.1", GETRANDOM),
            new GlibcLoader(0x0503, "powerpc64-linux-gnu", "/lib64/ld64.so.1", 4,
                    Capabilities.plain(null, (1 << 28) | (1 << 10), Map.of(28, "altivec", 10, "dfp"), List.of())),
            InstructionSet.PPC64, GateRules.PPC),
    PPC32("ppc32", Machine.EM_PPC, ElfClass.ELFCLASS32, ElfData.ELFDATA2MSB, SyscallTable.PPC,
            ppcVdso("linux-vdso32.so.1", CLOCK_GETTIME64), null, InstructionSet.PPC32, GateRules.PPC),
    S390X("s390x", Machine.EM_S390, ElfClass.ELFCLASS64, ElfData.ELFDATA2MSB, SyscallTable.S390,
            vdso("linux-vdso64.so.1", "__kernel_", "LINUX_2.6.29", CLOCK_GETTIME, GETTIMEOFDAY, CLOCK_GETRES, GETCPU,
                    GETRANDOM),
            new GlibcLoader(0x0403, "s390x-linux-gnu", "/lib/ld64.so.1", 3,
                    Capabilities.plain(null, (1 << 1) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 11) | (1 << 13) | (1 << 15),
                            Map.of(1, "zarch", 4, "ldisp", 5, "eimm", 6, "dfp", 11, "vx", 13, "vxe", 15, "vxe2"),
                            List.of("z16", "z15", "z14", "z13"))),
            InstructionSet.S390X, GateRules.S390),
    S390("s390", Machine.EM_S390, ElfClass.ELFCLASS32, ElfData.ELFDATA2MSB, SyscallTable.S390,
            vdso("linux-vdso32.so.1", "__kernel_", "LINUX_2.6.29", CLOCK_GETTIME, GETTIMEOFDAY, CLOCK_GETRES, GETCPU),
            null, InstructionSet.S390X, GateRules.S390),
    RISCV64("riscv64", Machine.EM_RISCV, ElfClass.ELFCLASS64, ElfData.ELFDATA2LSB, SyscallTable.GENERIC,
            vdso("linux-vdso.so.1", "__vdso_", "LINUX_4.15", CLOCK_GETTIME, GETTIMEOFDAY, CLOCK_GETRES, GETCPU),
            new GlibcLoader(0x1003, "riscv64-linux-gnu", "/lib/ld-linux-riscv64-lp64d.so.1", 4,
                    Capabilities.plain(null, 0, Map.of(), List.of())),
            InstructionSet.RISCV64, GateRules.RISCV),
    RISCV32("riscv32", Machine.EM_RISCV, ElfClass.ELFCLASS32, ElfData.ELFDATA2LSB, SyscallTable.GENERIC,
            vdso("linux-vdso.so.1", "__vdso_", "LINUX_4.15", CLOCK_GETTIME, GETTIMEOFDAY, CLOCK_GETRES, GETCPU),
            null, InstructionSet.RISCV32, GateRules.RISCV),
    LOONGARCH64("loongarch64", Machine.EM_LOONGARCH, ElfClass.ELFCLASS64, ElfData.ELFDATA2LSB, SyscallTable.GENERIC,
            vdso("linux-vdso.so.1", "__vdso_", "LINUX_5.10", CLOCK_GETTIME, GETTIMEOFDAY, CLOCK_GETRES, GETCPU, GETRANDOM),
            new GlibcLoader(0x1203, "loongarch64-linux-gnu", "/lib64/ld-linux-loongarch-lp64d.so.1", 3,
                    Capabilities.plain(null, 0, Map.of(), List.of())),
            InstructionSet.LOONGARCH64, GateRules.LOONGARCH),
    MIPS_O32("mips-o32", Machine.EM_MIPS, ElfClass.ELFCLASS32, null, SyscallTable.MIPS_O32, mipsVdso(true), null,
            InstructionSet.MIPS32, GateRules.MIPS),
    MIPS_N32("mips-n32", Machine.EM_MIPS, ElfClass.ELFCLASS32, null, SyscallTable.MIPS_N32, mipsVdso(true), null,
            InstructionSet.MIPS64, GateRules.MIPS),
    MIPS_N64("mips-n64", Machine.EM_MIPS, ElfClass.ELFCLASS64, null, SyscallTable.MIPS_N64, mipsVdso(false), null,
            InstructionSet.MIPS64, GateRules.MIPS),
    /** arch/sparc/vdso/vdso.lds.S: clock_gettime and gettimeofday only. */
    SPARC64("sparc64", Machine.EM_SPARCV9, ElfClass.ELFCLASS64, ElfData.ELFDATA2MSB, SyscallTable.SPARC64,
            vdso("linux-vdso.so.1", "__vdso_", "LINUX_2.6", CLOCK_GETTIME, GETTIMEOFDAY), null,
            InstructionSet.SPARC64, GateRules.SPARC),
    /** 32-bit SPARC processes; the compat vDSO of sparc64 kernels is not modelled. */
    SPARC32("sparc32", Machine.EM_SPARC, ElfClass.ELFCLASS32, ElfData.ELFDATA2MSB, SyscallTable.SPARC32, null, null,
            InstructionSet.SPARC32, GateRules.SPARC);

    private final String displayName;
    private final Machine machine;
    private final ElfClass elfClass;
    private final ElfData byteOrder;
    private final SyscallTable syscalls;
    private final VdsoNames vdso;
    private final GlibcLoader glibc;
    private final InstructionSet instructionSet;
    private final GateRules gate;

    LinuxAbi(String displayName, Machine machine, ElfClass elfClass, ElfData byteOrder, SyscallTable syscalls,
            VdsoNames vdso, GlibcLoader glibc, InstructionSet instructionSet, GateRules gate) {
        this.displayName = displayName;
        this.machine = machine;
        this.elfClass = elfClass;
        this.byteOrder = byteOrder;
        this.syscalls = syscalls;
        this.vdso = vdso;
        this.glibc = glibc;
        this.instructionSet = instructionSet;
        this.gate = gate;
    }

    private static VdsoNames vdso(String soname, String prefix, String version, VdsoFunction... functions) {
        return new VdsoNames(soname, prefix, version, EnumSet.of(functions[0], functions), true);
    }

    private static VdsoNames ppcVdso(String soname, VdsoFunction extra) {
        return new VdsoNames(soname, "__kernel_", "LINUX_2.6.15",
                EnumSet.of(CLOCK_GETTIME, GETTIMEOFDAY, TIME, CLOCK_GETRES, GETCPU, extra), false);
    }

    /** o32 and n32 have 32-bit time_t and so __vdso_clock_gettime64; n64 does not (arch/mips/vdso/vdso.lds.S). */
    private static VdsoNames mipsVdso(boolean time32) {
        return time32
                ? vdso("linux-vdso.so.1", "__vdso_", "LINUX_2.6", CLOCK_GETTIME, GETTIMEOFDAY, CLOCK_GETRES, CLOCK_GETTIME64)
                : vdso("linux-vdso.so.1", "__vdso_", "LINUX_2.6", CLOCK_GETTIME, GETTIMEOFDAY, CLOCK_GETRES);
    }

    /**
     * The ABI of an ELF file, from its machine, class, byte order and (MIPS) flags; empty for a
     * machine no Linux ABI here uses, or a class or byte order the ABI does not have.
     */
    public static Optional<LinuxAbi> of(ElfHeader header) {
        return of(header.machine(), header.elfClass(), header.data(), header.flags());
    }

    /**
     * The same decision from the four header fields it reads. (Machines are compared by value: a
     * record's equals and hashCode are bootstrapped through method handles at first use, a cost the
     * start-up of ldd's batch line cannot carry.)
     */
    public static Optional<LinuxAbi> of(Machine machine, ElfClass elfClass, ElfData data, long flags) {
        long canonical = canonicalMachine(machine.value());
        for (LinuxAbi abi : values()) {
            if (abi.machine.value() == canonical && abi.elfClass == elfClass
                    && (abi.byteOrder == null || abi.byteOrder == data) && abi.acceptsFlags(flags)) {
                return Optional.of(abi);
            }
        }
        return Optional.empty();
    }

    /**
     * For a file that is no Linux ABI here but whose machine is (aarch64 ILP32, ELFCLASS32
     * EM_AARCH64; an EM_386 file of ELFCLASS64; any file marked with the other byte order): the ABI
     * of that machine with the file's class when there is one, else the first of that machine. Only
     * what the machine alone decides may be taken from it, the instruction set
     * ({@link InstructionSet#of}); system calls, the vDSO and the loader need {@link #of}.
     */
    static Optional<LinuxAbi> ofMachine(ElfHeader header) {
        long canonical = canonicalMachine(header.machine().value());
        LinuxAbi first = null;
        for (LinuxAbi abi : values()) {
            if (abi.machine.value() == canonical) {
                if (abi.elfClass == header.elfClass()) {
                    return Optional.of(abi);
                }
                first = first == null ? abi : first;
            }
        }
        return Optional.ofNullable(first);
    }

    /**
     * Machines that run another's code: EM_IAMCU (the Intel MCU psABI) runs i386 code,
     * EM_MIPS_RS3_LE is an old name of little-endian MIPS, EM_SPARC32PLUS is SPARC V8+.
     */
    private static long canonicalMachine(long machine) {
        if (machine == Machine.EM_IAMCU.value()) {
            return Machine.EM_386.value();
        }
        if (machine == Machine.EM_MIPS_RS3_LE.value()) {
            return Machine.EM_MIPS.value();
        }
        if (machine == Machine.EM_SPARC32PLUS.value()) {
            return Machine.EM_SPARC.value();
        }
        return machine;
    }

    /** The two 32-bit MIPS ABIs share a class and differ in EF_MIPS_ABI2; no other ABI reads e_flags here. */
    private boolean acceptsFlags(long flags) {
        return switch (this) {
            case MIPS_N32 -> (flags & MachineFlags.EF_MIPS_ABI2) != 0;
            case MIPS_O32 -> (flags & MachineFlags.EF_MIPS_ABI2) == 0;
            default -> true;
        };
    }

    /** The ABI of the machine vdsoscope runs on (the JVM's own), if it is one of these. */
    public static Optional<LinuxAbi> host() {
        return Optional.ofNullable(switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> X86_64;
            case "x86", "i386", "i486", "i586", "i686" -> I386;
            case "aarch64" -> AARCH64;
            case "arm" -> ARM;
            case "ppc64le" -> PPC64LE;
            case "ppc64" -> PPC64;
            case "s390x" -> S390X;
            case "riscv64" -> RISCV64;
            case "loongarch64" -> LOONGARCH64;
            default -> null;
        });
    }

    /**
     * The ABI of a process of this word size on this machine: a 64-bit machine runs its 32-bit
     * companion's programs too (i386 on x86-64, arm on arm64, ppc32 on ppc64, s390 on s390x).
     */
    public static Optional<LinuxAbi> hostProcess(int wordSize) {
        Optional<LinuxAbi> host = host();
        if (host.isEmpty() || wordSize == host.get().elfClass.wordSize()) {
            return host;
        }
        return Optional.ofNullable(switch (host.get()) {
            case X86_64 -> I386;
            case AARCH64 -> ARM;
            case PPC64, PPC64LE -> PPC32;
            case S390X -> S390;
            default -> null;
        });
    }

    /**
     * The 32-bit ABI whose compat vDSO vdsoscope can show live on a kernel of this ABI, by running its
     * own program ({@link CompatProbeProgram}): i386 (linux-gate.so.1) on x86-64; none elsewhere.
     */
    public Optional<LinuxAbi> compatProbe() {
        return this == X86_64 ? Optional.of(CompatProbeProgram.ABI) : Optional.empty();
    }

    /**
     * The AUDIT_ARCH_* value seccomp filters see for this ABI's system calls (linux/audit.h): the ELF
     * machine, with __AUDIT_ARCH_64BIT for 64-bit ABIs and __AUDIT_ARCH_LE for little-endian ones
     * (a bi-endian ABI taken in this machine's order). x32 shares x86-64's value; its calls carry
     * __X32_SYSCALL_BIT instead.
     */
    public long auditArch() {
        boolean little = byteOrder().map(ElfData::littleEndian)
                .orElse(java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN);
        boolean sixtyFour = this == X32 || elfClass == ElfClass.ELFCLASS64;
        return machine.value() | (sixtyFour ? 0x8000_0000L : 0) | (little ? 0x4000_0000L : 0);
    }

    /** Whether this is the ABI of the machine vdsoscope runs on. */
    public boolean isHost() {
        return host().map(h -> h == this).orElse(false);
    }

    /**
     * Whether this machine runs the ABI's processes with its own CPU: the host ABI, and on an x86-64
     * machine i386 and x32 processes too.
     */
    public boolean runsOnHost() {
        return isHost() || (host().orElse(null) == X86_64 && (this == I386 || this == X32));
    }

    /** The short name used in messages and JSON, e.g. {@code x86-64}, {@code aarch64}, {@code mips-n32}. */
    public String displayName() {
        return displayName;
    }

    public Machine machine() {
        return machine;
    }

    public ElfClass elfClass() {
        return elfClass;
    }

    /** The ABI's byte order; empty where it has both (MIPS). */
    public Optional<ElfData> byteOrder() {
        return Optional.ofNullable(byteOrder);
    }

    public SyscallTable syscalls() {
        return syscalls;
    }

    /** Its vDSO's names and functions; empty for an ABI whose kernel maps no vDSO (sparc32). */
    public Optional<VdsoNames> vdso() {
        return Optional.ofNullable(vdso);
    }

    /** Its glibc dynamic loader, where vdsoscope models one. */
    public Optional<GlibcLoader> glibc() {
        return Optional.ofNullable(glibc);
    }

    /** How its glibc ld.so relocates objects, where vdsoscope models it (x86-64, x32 and i386). */
    public Optional<GlibcRelocations> glibcRelocations() {
        return Optional.ofNullable(GlibcRelocations.forAbi(this));
    }

    /** The instruction set of its code. */
    public InstructionSet instructionSet() {
        return instructionSet;
    }

    /**
     * The instruction set of one file's code: the ABI's, except for 32-bit MIPS files built for a
     * 64-bit architecture (the e_flags architecture field), which hold 64-bit code.
     */
    public InstructionSet instructionSet(ElfHeader header) {
        if (machine.is(Machine.EM_MIPS) && elfClass == ElfClass.ELFCLASS32) {
            long arch = header.flags() & MachineFlags.EF_MIPS_ARCH;
            return arch == MachineFlags.EF_MIPS_ARCH_64 || arch == MachineFlags.EF_MIPS_ARCH_64R2
                    || arch == MachineFlags.EF_MIPS_ARCH_64R6 ? InstructionSet.MIPS64 : InstructionSet.MIPS32;
        }
        return instructionSet;
    }

    /** How its code enters the kernel. */
    public GateRules gate() {
        return gate;
    }

    /**
     * Whether a file is x32's: x86-64 code in an ELFCLASS32 file, which e_machine alone does not say
     * (headers marks it "x32 ABI").
     */
    public static boolean isX32(ElfHeader header) {
        return of(header).orElse(null) == X32;
    }

    /**
     * Whether its vDSO reads the Arm architected counter (the arch_sys_counter clocksource,
     * VDSO_CLOCKMODE_ARCHTIMER) for certain: arm64's does, unless a timer erratum workaround turns it
     * off; 32-bit arm's only in kernels built with CONFIG_ARM_ARCH_TIMER, so not for certain.
     */
    public boolean vdsoReadsArchitectedCounter() {
        return this == AARCH64;
    }

    /**
     * The kernel's names of the bits of AT_HWCAP (word 1) or AT_HWCAP2 (word 2), as /proc/cpuinfo
     * shows them, by bit (null for a bit without a name); empty where they are not known here. On x86
     * AT_HWCAP is CPUID leaf 1's EDX; on arm64 both words are the kernel's own HWCAP_* bits.
     */
    public List<String> hwcapNames(int word) {
        return switch (this) {
            case X86_64, X32, I386 -> word == 1 ? HwcapNames.X86 : word == 2 ? HwcapNames.X86_2 : List.of();
            case AARCH64 -> word == 1 ? HwcapNames.ARM64 : word == 2 ? HwcapNames.ARM64_2 : List.of();
            default -> List.of();
        };
    }

    /** The names of the set bits of an AT_HWCAP word ("bitN" for one without a name); empty where unknown. */
    public List<String> decodeHwcap(int word, long value) {
        List<String> names = hwcapNames(word);
        List<String> set = new java.util.ArrayList<>();
        if (names.isEmpty()) {
            return set;
        }
        for (int bit = 0; bit < 64; bit++) {
            if ((value & (1L << bit)) != 0) {
                String name = bit < names.size() ? names.get(bit) : null;
                set.add(name != null ? name : "bit" + bit);
            }
        }
        return set;
    }
}
