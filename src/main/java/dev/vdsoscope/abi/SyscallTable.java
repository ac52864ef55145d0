package dev.vdsoscope.abi;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * System-call numbers of each Linux ABI, for the calls that appear in vDSOs (their fallbacks and
 * signal trampolines) and a few everyday ones. Numbers are from the kernel's syscall tables
 * (arch/x86/entry/syscalls/syscall_{32,64}.tbl, arch/arm/tools/syscall.tbl,
 * include/uapi/asm-generic/unistd.h, arch/powerpc/kernel/syscalls/syscall.tbl,
 * arch/s390/kernel/syscalls/syscall.tbl, arch/mips/kernel/syscalls/syscall_{o32,n64,n32}.tbl,
 * arch/sparc/kernel/syscalls/syscall.tbl).
 */
public enum SyscallTable {
    X86_64(Map.ofEntries(Map.entry(0, "read"), Map.entry(1, "write"), Map.entry(15, "rt_sigreturn"),
            Map.entry(39, "getpid"), Map.entry(60, "exit"), Map.entry(96, "gettimeofday"), Map.entry(201, "time"),
            Map.entry(228, "clock_gettime"), Map.entry(229, "clock_getres"), Map.entry(231, "exit_group"),
            Map.entry(309, "getcpu"), Map.entry(318, "getrandom"))),
    /**
     * x32 numbers carry __X32_SYSCALL_BIT (0x40000000); rt_sigreturn has an x32-only number. The x32
     * vDSO is the x86-64 code converted to ELFCLASS32, so its fallbacks use plain x86-64 numbers.
     */
    X32(Map.ofEntries(Map.entry(0x40000000, "read"), Map.entry(0x40000001, "write"),
            Map.entry(0x40000000 + 513, "rt_sigreturn"), Map.entry(0x40000000 + 60, "exit"),
            Map.entry(0x40000000 + 96, "gettimeofday"), Map.entry(0x40000000 + 201, "time"),
            Map.entry(0x40000000 + 228, "clock_gettime"), Map.entry(0x40000000 + 229, "clock_getres"),
            Map.entry(0x40000000 + 309, "getcpu"), Map.entry(0x40000000 + 318, "getrandom"))),
    I386(Map.ofEntries(Map.entry(1, "exit"), Map.entry(3, "read"), Map.entry(4, "write"), Map.entry(13, "time"),
            Map.entry(20, "getpid"),
            Map.entry(78, "gettimeofday"), Map.entry(119, "sigreturn"), Map.entry(173, "rt_sigreturn"),
            Map.entry(265, "clock_gettime"), Map.entry(266, "clock_getres"), Map.entry(318, "getcpu"),
            Map.entry(355, "getrandom"), Map.entry(403, "clock_gettime64"), Map.entry(406, "clock_getres_time64"))),
    /** ARM EABI: also the compat vDSO of arm64 kernels. */
    ARM(Map.ofEntries(Map.entry(1, "exit"), Map.entry(3, "read"), Map.entry(4, "write"),
            Map.entry(78, "gettimeofday"), Map.entry(119, "sigreturn"), Map.entry(173, "rt_sigreturn"),
            Map.entry(263, "clock_gettime"), Map.entry(264, "clock_getres"), Map.entry(345, "getcpu"),
            Map.entry(384, "getrandom"), Map.entry(403, "clock_gettime64"), Map.entry(406, "clock_getres_time64"))),
    /** asm-generic/unistd.h: arm64, RISC-V, LoongArch (the *_time64 calls exist on 32-bit only). */
    GENERIC(Map.ofEntries(Map.entry(63, "read"), Map.entry(64, "write"), Map.entry(93, "exit"),
            Map.entry(113, "clock_gettime"), Map.entry(114, "clock_getres"), Map.entry(139, "rt_sigreturn"),
            Map.entry(168, "getcpu"), Map.entry(169, "gettimeofday"), Map.entry(278, "getrandom"),
            Map.entry(403, "clock_gettime64"), Map.entry(406, "clock_getres_time64"))),
    PPC(Map.ofEntries(Map.entry(1, "exit"), Map.entry(3, "read"), Map.entry(4, "write"), Map.entry(13, "time"),
            Map.entry(78, "gettimeofday"), Map.entry(119, "sigreturn"), Map.entry(172, "rt_sigreturn"),
            Map.entry(246, "clock_gettime"), Map.entry(247, "clock_getres"), Map.entry(302, "getcpu"),
            Map.entry(359, "getrandom"), Map.entry(403, "clock_gettime64"), Map.entry(406, "clock_getres_time64"))),
    S390(Map.ofEntries(Map.entry(1, "exit"), Map.entry(3, "read"), Map.entry(4, "write"),
            Map.entry(78, "gettimeofday"), Map.entry(119, "sigreturn"), Map.entry(173, "rt_sigreturn"),
            Map.entry(260, "clock_gettime"), Map.entry(261, "clock_getres"), Map.entry(311, "getcpu"),
            Map.entry(349, "getrandom"))),
    MIPS_O32(Map.ofEntries(Map.entry(4001, "exit"), Map.entry(4003, "read"), Map.entry(4004, "write"),
            Map.entry(4078, "gettimeofday"), Map.entry(4119, "sigreturn"), Map.entry(4193, "rt_sigreturn"),
            Map.entry(4263, "clock_gettime"), Map.entry(4264, "clock_getres"), Map.entry(4312, "getcpu"),
            Map.entry(4353, "getrandom"), Map.entry(4403, "clock_gettime64"), Map.entry(4406, "clock_getres_time64"))),
    MIPS_N64(Map.ofEntries(Map.entry(5000, "read"), Map.entry(5001, "write"), Map.entry(5058, "exit"),
            Map.entry(5094, "gettimeofday"), Map.entry(5211, "rt_sigreturn"), Map.entry(5222, "clock_gettime"),
            Map.entry(5223, "clock_getres"), Map.entry(5271, "getcpu"), Map.entry(5313, "getrandom"))),
    MIPS_N32(Map.ofEntries(Map.entry(6000, "read"), Map.entry(6001, "write"), Map.entry(6058, "exit"),
            Map.entry(6094, "gettimeofday"), Map.entry(6211, "rt_sigreturn"), Map.entry(6226, "clock_gettime"),
            Map.entry(6227, "clock_getres"), Map.entry(6275, "getcpu"), Map.entry(6317, "getrandom"),
            Map.entry(6403, "clock_gettime64"), Map.entry(6406, "clock_getres_time64"))),
    /** SPARC's one table, its "64" and "common" rows (time(2) is 32-bit only). */
    SPARC64(Map.ofEntries(Map.entry(1, "exit"), Map.entry(3, "read"), Map.entry(4, "write"),
            Map.entry(101, "rt_sigreturn"), Map.entry(116, "gettimeofday"), Map.entry(188, "exit_group"),
            Map.entry(257, "clock_gettime"), Map.entry(258, "clock_getres"), Map.entry(308, "getcpu"),
            Map.entry(347, "getrandom"))),
    /** SPARC's one table, its "32" and "common" rows. */
    SPARC32(Map.ofEntries(Map.entry(1, "exit"), Map.entry(3, "read"), Map.entry(4, "write"),
            Map.entry(101, "rt_sigreturn"), Map.entry(116, "gettimeofday"), Map.entry(188, "exit_group"),
            Map.entry(216, "sigreturn"), Map.entry(231, "time"), Map.entry(257, "clock_gettime"),
            Map.entry(258, "clock_getres"), Map.entry(308, "getcpu"), Map.entry(347, "getrandom"),
            Map.entry(403, "clock_gettime64"), Map.entry(406, "clock_getres_time64")));

    private final Map<Integer, String> names;

    SyscallTable(Map<Integer, String> names) {
        this.names = names;
    }

    /** The number of a call by name, if this ABI has it (arm64 has no time(2), for instance). */
    public OptionalLong number(String name) {
        for (Map.Entry<Integer, String> e : names.entrySet()) {
            if (e.getValue().equals(name)) {
                return OptionalLong.of(e.getKey());
            }
        }
        return OptionalLong.empty();
    }

    public Optional<String> name(long number) {
        if (this == X32 && (number & 0x40000000L) == 0) {
            return X86_64.name(number);
        }
        return number < Integer.MIN_VALUE || number > Integer.MAX_VALUE ? Optional.empty()
                : Optional.ofNullable(names.get((int) number));
    }
}
