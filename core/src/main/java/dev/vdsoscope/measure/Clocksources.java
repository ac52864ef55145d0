package dev.vdsoscope.measure;

import java.util.List;

import dev.vdsoscope.linux.Cpuid;
import dev.vdsoscope.abi.LinuxAbi;

/**
 * The kernel's clocksources and, for each, whether the vDSO can read time from it. The kernel
 * decides per clocksource (its vdso_clock_mode): a clocksource without one makes every vDSO time
 * call fall back to the system call.
 */
public record Clocksources(String current, List<Clocksource> available) {

    /** Whether the vDSO can serve time from a clocksource. */
    public enum VdsoCapability { YES, NO, UNKNOWN }

    /** One clocksource, the kernel rule that decides for it, and what using it would mean. */
    public record Clocksource(String name, boolean current, VdsoCapability vdso, String rule, String ifUsed) {}

    public static Clocksources read() {
        String current = MachineContext.readCurrentClocksource().orElse(null);
        LinuxAbi host = LinuxAbi.host().orElse(null);
        List<Clocksource> available = MachineContext.readAvailableClocksources().stream()
                .map(name -> describe(name, name.equals(current), host)).toList();
        return new Clocksources(current, available);
    }

    /** The rules of arch/x86 (tsc, kvm-clock, Hyper-V, Xen) and arm64 (the architected counter). */
    static Clocksource describe(String name, boolean current, LinuxAbi host) {
        VdsoCapability capability;
        String rule;
        switch (name) {
            case "tsc" -> {
                capability = VdsoCapability.YES;
                rule = "the vDSO reads the TSC with RDTSC (VDSO_CLOCKMODE_TSC)";
            }
            case "kvm-clock" -> {
                capability = kvmClockStable();
                rule = "the vDSO reads the pvclock page only when the host sets PVCLOCK_TSC_STABLE_BIT "
                        + "(KVM_FEATURE_CLOCKSOURCE_STABLE_BIT, CPUID 0x40000001 EAX bit 24): "
                        + switch (capability) {
                            case YES -> "set here";
                            case NO -> "not set here";
                            case UNKNOWN -> "unknown here (cpuid cannot be executed)";
                        };
            }
            case "hyperv_clocksource_tsc_page" -> {
                capability = VdsoCapability.YES;
                rule = "the vDSO reads the Hyper-V TSC page (VDSO_CLOCKMODE_HVCLOCK)";
            }
            case "xen" -> {
                capability = VdsoCapability.UNKNOWN;
                rule = "the vDSO reads Xen's pvclock only when Xen marks it stable (PVCLOCK_TSC_STABLE_BIT)";
            }
            case "arch_sys_counter" -> {
                capability = host != null && host.vdsoReadsArchitectedCounter() ? VdsoCapability.YES
                        : VdsoCapability.UNKNOWN;
                rule = "the arm64 vDSO reads the architected counter (CNTVCT_EL0), unless a timer erratum "
                        + "workaround disables it";
            }
            case "hpet", "acpi_pm", "jiffies", "refined-jiffies", "pit" -> {
                capability = VdsoCapability.NO;
                rule = name + " has no vDSO clock mode: time calls enter the kernel";
            }
            default -> {
                capability = VdsoCapability.UNKNOWN;
                rule = "no rule known to vdsoscope for " + name + " on "
                        + (host == null ? "this machine" : host.displayName());
            }
        }
        String ifUsed = switch (capability) {
            case YES -> current ? "in use: time calls stay in user space"
                    : "switching to it keeps time calls in user space";
            case NO -> current ? "in use: every vDSO time call falls back to a system call"
                    : "switching to it would turn every vDSO time call into a system call";
            case UNKNOWN -> current ? "in use: see the measured verdicts" : "switching to it may or may not keep the vDSO";
        };
        return new Clocksource(name, current, capability, rule, ifUsed);
    }

    private static VdsoCapability kvmClockStable() {
        boolean kvm = Cpuid.hypervisorSignature().map(s -> s.startsWith("KVMKVMKVM")).orElse(false);
        if (!kvm) {
            return VdsoCapability.UNKNOWN;
        }
        return Cpuid.leaf(Cpuid.KVM_FEATURES_LEAF)
                .map(r -> (r.eax() >>> Cpuid.KVM_FEATURE_CLOCKSOURCE_STABLE_BIT & 1) == 1 ? VdsoCapability.YES
                        : VdsoCapability.NO)
                .orElse(VdsoCapability.UNKNOWN);
    }
}
