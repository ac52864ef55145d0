package dev.vdsoscope.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import dev.vdsoscope.linux.Cpuid;

/**
 * What a timing depends on besides the code: the CPU, the kernel, the clocksource the kernel reads
 * time from, the speculative-execution mitigations that make every system call dearer (PTI above
 * all), and whether this is a virtual machine.
 */
public record MachineContext(String cpuModel, int cpus, String architecture, String kernel, String clocksource,
        List<String> availableClocksources, Map<String, String> vulnerabilities, Virtualization virtualization) {

    /** The evidence for (or against) running under a hypervisor. */
    public record Virtualization(boolean virtualMachine, boolean hypervisorCpuFlag, String cpuidSignature,
            String sysHypervisorType, String dmiVendor, String dmiProduct) {}

    private static final Path CLOCKSOURCE = Path.of("/sys/devices/system/clocksource/clocksource0");
    private static final Path VULNERABILITIES = Path.of("/sys/devices/system/cpu/vulnerabilities");

    public static MachineContext current() {
        List<String> cpuinfo = lines(Path.of("/proc/cpuinfo"));
        String model = cpuinfoField(cpuinfo, "model name").or(() -> cpuinfoField(cpuinfo, "Hardware"))
                .or(() -> cpuinfoField(cpuinfo, "cpu")).orElse("unknown");
        boolean hypervisorFlag = cpuinfoField(cpuinfo, "flags")
                .map(f -> Arrays.asList(f.split(" ")).contains("hypervisor")).orElse(false);
        String signature = Cpuid.hypervisorSignature().orElse(null);
        String sysHypervisor = read(Path.of("/sys/hypervisor/type")).orElse(null);
        String dmiVendor = read(Path.of("/sys/class/dmi/id/sys_vendor")).orElse(null);
        String dmiProduct = read(Path.of("/sys/class/dmi/id/product_name")).orElse(null);
        boolean virtual = hypervisorFlag || sysHypervisor != null || (signature != null && !signature.isBlank())
                || Stream.of(dmiVendor, dmiProduct).anyMatch(MachineContext::namesHypervisor);
        return new MachineContext(model, Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch"),
                read(Path.of("/proc/sys/kernel/osrelease")).orElse(System.getProperty("os.version")),
                readCurrentClocksource().orElse(null), readAvailableClocksources(), readVulnerabilities(),
                new Virtualization(virtual, hypervisorFlag, signature, sysHypervisor, dmiVendor, dmiProduct));
    }

    public static Optional<String> readCurrentClocksource() {
        return read(CLOCKSOURCE.resolve("current_clocksource"));
    }

    public static List<String> readAvailableClocksources() {
        return read(CLOCKSOURCE.resolve("available_clocksource"))
                .map(s -> List.of(s.split("\\s+"))).orElse(List.of());
    }

    private static boolean namesHypervisor(String dmi) {
        return dmi != null && Stream.of("KVM", "QEMU", "VMware", "VirtualBox", "Xen", "Microsoft Corporation",
                "Amazon EC2", "Google Compute Engine", "Firecracker").anyMatch(dmi::contains);
    }

    /** Each file of /sys/devices/system/cpu/vulnerabilities (meltdown, spectre_v2, ...) and what it says. */
    private static Map<String, String> readVulnerabilities() {
        Map<String, String> found = new TreeMap<>();
        try (Stream<Path> files = Files.list(VULNERABILITIES)) {
            files.forEach(f -> read(f).ifPresent(v -> found.put(f.getFileName().toString(), v)));
        } catch (IOException e) {
            // An old kernel or no sysfs: the mitigations are then simply not known.
        }
        return found;
    }

    private static Optional<String> cpuinfoField(List<String> cpuinfo, String name) {
        return cpuinfo.stream().filter(l -> l.startsWith(name) && l.indexOf(':') > 0
                        && l.substring(0, l.indexOf(':')).trim().equals(name))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst();
    }

    static Optional<String> read(Path file) {
        try {
            String text = Files.readString(file).trim();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
