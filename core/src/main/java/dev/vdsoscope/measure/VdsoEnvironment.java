package dev.vdsoscope.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.vdsoscope.elf.KernelVersion;
import dev.vdsoscope.linux.Libc;
import dev.vdsoscope.proc.AuxvType;
import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.proc.Mapping;
import dev.vdsoscope.proc.Maps;
import dev.vdsoscope.proc.PseudoMapping;
import dev.vdsoscope.vdso.Vdso;

/**
 * Whether this process has the kernel's own vDSO: none at all (no AT_SYSINFO_EHDR, as under
 * valgrind), a replacement image (qemu-user and gVisor map their own), or the kernel's, and whether
 * a time namespace shifts its clocks (each vDSO time call then reads the namespace's offsets too).
 */
public record VdsoEnvironment(Image image, String auxvSysinfoEhdr, String vdsoMapping, List<String> evidence,
        TimeNamespace timeNamespace) {

    /** Whose vDSO image the process has: the kernel's, a replacement, or none. */
    public enum Image { KERNEL, REPLACEMENT, ABSENT }

    /** The time namespace: separate when its link differs from pid 1's or its offsets are not zero. */
    public record TimeNamespace(boolean separate, String self, String init, Map<String, String> offsets) {}

    public static VdsoEnvironment current() {
        List<String> evidence = new ArrayList<>();
        TimeNamespace timens = readTimeNamespace();
        Optional<Vdso> vdso = Vdso.find();
        long auxv = Boolean.getBoolean(Vdso.HIDE_PROPERTY) ? 0 : Libc.getauxval(AuxvType.AT_SYSINFO_EHDR.value());
        Optional<Mapping> mapping = maps().flatMap(m -> m.find(PseudoMapping.VDSO));
        String mappingText = mapping.map(VdsoEnvironment::range).orElse(null);
        if (vdso.isEmpty()) {
            evidence.add(Boolean.getBoolean(Vdso.HIDE_PROPERTY)
                    ? "the vDSO is hidden by -D" + Vdso.HIDE_PROPERTY + "=true, as if AT_SYSINFO_EHDR were absent"
                    : "AT_SYSINFO_EHDR is absent from the auxiliary vector (valgrind, or a kernel booted with vdso=0)");
            return new VdsoEnvironment(Image.ABSENT, null, mappingText, evidence, timens);
        }
        String release = MachineContext.read(Path.of("/proc/sys/kernel/osrelease")).orElse("");
        Image image = identify(vdso.get(), auxv, mapping, release, evidence);
        if (timens.separate()) {
            evidence.add("this process runs in its own time namespace: the vDSO adds the namespace's offsets");
        }
        return new VdsoEnvironment(image, "0x" + Long.toHexString(auxv), mappingText, evidence, timens);
    }

    /**
     * Whether an image is the running kernel's own vDSO: the kernel maps it exactly at
     * AT_SYSINFO_EHDR as [vdso], and builds it with a "Linux" note carrying its version. An
     * emulator's or sandbox's image (qemu-user, gVisor) fails one of these. Adds the evidence.
     */
    static Image identify(Vdso vdso, long auxv, Optional<Mapping> mapping, String release, List<String> evidence) {
        Image image = Image.KERNEL;
        String mappingText = mapping.map(VdsoEnvironment::range).orElse(null);
        if (mapping.isEmpty() || mapping.get().start() != auxv) {
            image = Image.REPLACEMENT;
            evidence.add("AT_SYSINFO_EHDR 0x" + Long.toHexString(auxv) + " is not the start of the kernel's [vdso] mapping ("
                    + (mappingText == null ? "none in /proc/self/maps" : mappingText) + ")");
        } else {
            evidence.add("AT_SYSINFO_EHDR points at the kernel's [vdso] mapping " + mappingText);
        }
        Optional<String> noteVersion = KernelVersion.of(vdso.image()).map(v -> "Linux kernel version " + v);
        if (noteVersion.isEmpty()) {
            image = Image.REPLACEMENT;
            evidence.add("the image has no \"Linux\" version note, which every kernel-built vDSO carries");
        } else if (!release.startsWith(majorMinor(noteVersion.get()) + ".")) {
            image = Image.REPLACEMENT;
            evidence.add("the image's Linux note says " + noteVersion.get() + " but the kernel is " + release);
        } else {
            evidence.add("its Linux note (" + noteVersion.get() + ") matches the running kernel " + release);
        }
        return image;
    }

    private static String range(Mapping m) {
        return "0x" + Long.toHexString(m.start()) + "-0x" + Long.toHexString(m.end());
    }

    /** "6.18" from a version note's text such as "6.18.44" or "Linux 6.18.44 (0x6122c)". */
    private static String majorMinor(String noteText) {
        Matcher m = Pattern.compile("(\\d+)\\.(\\d+)").matcher(noteText);
        return m.find() ? m.group(1) + "." + m.group(2) : noteText;
    }

    private static Optional<Maps> maps() {
        try {
            return Optional.of(LinuxProcess.self().maps());
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static TimeNamespace readTimeNamespace() {
        String self = link(Path.of("/proc/self/ns/time"));
        String init = link(Path.of("/proc/1/ns/time"));
        Map<String, String> offsets = new LinkedHashMap<>();
        MachineContext.read(Path.of("/proc/self/timens_offsets")).ifPresent(text -> text.lines().forEach(line -> {
            String[] fields = line.trim().split("\\s+", 2);
            if (fields.length == 2) {
                offsets.put(fields[0], fields[1].replaceAll("\\s+", " "));
            }
        }));
        boolean shifted = offsets.values().stream().anyMatch(v -> !v.equals("0 0"));
        boolean differs = self != null && init != null && !self.equals(init);
        return new TimeNamespace(shifted || differs, self, init, offsets);
    }

    private static String link(Path path) {
        try {
            return Files.readSymbolicLink(path).toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
