package dev.vdsoscope.abi;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;



/**
 * Feature names of AT_HWCAP and AT_HWCAP2 bits, as the kernel names them in /proc/cpuinfo. On x86
 * AT_HWCAP is CPUID leaf 1's EDX; on arm64 both words are the kernel's own HWCAP_* bits.
 */
final class HwcapNames {
    private HwcapNames() {}

    private static final String[] X86_HWCAP = {"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic",
            null, "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "pn", "clflush", null, "dts", "acpi", "mmx",
            "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe"};
    private static final String[] X86_HWCAP2 = {"ring3mwait", "fsgsbase"};
    private static final String[] ARM64_HWCAP = {"fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32",
            "atomics", "fphp", "asimdhp", "cpuid", "asimdrdm", "jscvt", "fcma", "lrcpc", "dcpop", "sha3", "sm3", "sm4",
            "asimddp", "sha512", "sve", "asimdfhm", "dit", "uscat", "ilrcpc", "flagm", "ssbs", "sb", "paca", "pacg",
            "gcs", "cmpbr", "fprcvt", "f8mm8", "f8mm4", "svef16mm", "sveeltperm", "sveaes2", "sve2p2", "sme2p2",
            "smesbitperm", "smesf8fma", "smesf8dp4", "smesf8dp2", "smelutv2"};
    private static final String[] ARM64_HWCAP2 = {"dcpodp", "sve2", "sveaes", "svepmull", "svebitperm", "svesha3",
            "svesm4", "flagm2", "frint", "svei8mm", "svef32mm", "svef64mm", "svebf16", "i8mm", "bf16", "dgh", "rng",
            "bti", "mte", "ecv", "afp", "rpres", "mte3", "sme", "smei16i64", "smef64f64", "smei8i32", "smef16f32",
            "smeb16f32", "smef32f32", "smefa64", "wfxt", "ebf16", "sveebf16", "cssc", "rprfm", "sve2p1", "sme2",
            "sme2p1", "smei16i32", "smebi32i32", "smeb16b16", "smef16f16", "mops", "hbc", "sveb16b16", "lrcpc3",
            "lse128", "fpmr", "lut", "faminmax", "f8cvt", "f8fma", "f8dp4", "f8dp2", "f8e4m3", "f8e5m2", "smelutv2",
            "smef8f16", "smef8f32", "smesf8fma", "smesf8dp4", "smesf8dp2", "poe"};

    static final List<String> X86 = Collections.unmodifiableList(Arrays.asList(X86_HWCAP));
    static final List<String> X86_2 = Collections.unmodifiableList(Arrays.asList(X86_HWCAP2));
    static final List<String> ARM64 = Collections.unmodifiableList(Arrays.asList(ARM64_HWCAP));
    static final List<String> ARM64_2 = Collections.unmodifiableList(Arrays.asList(ARM64_HWCAP2));
}
