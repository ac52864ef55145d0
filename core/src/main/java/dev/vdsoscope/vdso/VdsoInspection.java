package dev.vdsoscope.vdso;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.proc.Auxv;
import dev.vdsoscope.proc.AuxvType;
import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.proc.Mapping;
import dev.vdsoscope.proc.Maps;
import dev.vdsoscope.proc.ProcessException;
import dev.vdsoscope.proc.PseudoMapping;

/**
 * The classic manual investigation of a process's vDSO done in one go: the auxiliary vector says
 * where the kernel put it, /proc/PID/maps must agree, the bytes come out of /proc/PID/mem, and the
 * image is parsed the loader's way. The neighbouring kernel mappings are probed too, since [vvar]
 * and an execute-only [vsyscall] refuse to be read and users wonder why.
 */
public record VdsoInspection(LinuxProcess process, LinuxProcess.Abi abi, Auxv auxv, Maps maps, Mapping mapping,
        OptionalLong auxvBase, OptionalLong sysinfoEntry, Vdso vdso, List<Neighbour> neighbours,
        List<String> warnings) {

    /** A kernel mapping next to the vDSO, and whether its bytes could be read (and why not). */
    public record Neighbour(Mapping mapping, PseudoMapping kind, boolean readable, String readResult) {}

    /** Inspects a process; the image bytes are copied into {@code arena} and parsed there. */
    public static VdsoInspection of(LinuxProcess process, Arena arena) throws ProcessException {
        LinuxProcess.Abi abi = process.abi();
        Auxv auxv = process.auxv();
        Maps maps = process.maps();
        List<String> warnings = new ArrayList<>();
        OptionalLong auxvBase = auxv.value(AuxvType.AT_SYSINFO_EHDR);
        Optional<Mapping> found = maps.find(PseudoMapping.VDSO);
        if (found.isEmpty() && auxvBase.isPresent()) {
            found = maps.containing(auxvBase.getAsLong());
            found.ifPresent(m -> warnings.add("AT_SYSINFO_EHDR points into a mapping not named [vdso]: " + m.path()
                    + " (a replacement vDSO, as qemu-user or gVisor provide?)"));
        }
        if (found.isEmpty()) {
            throw new ProcessException(process.pid(), ProcessException.Kind.NO_VDSO, auxvBase.isEmpty()
                    ? "has no vDSO: AT_SYSINFO_EHDR is absent from its auxiliary vector (vdso=0, or a tool such as valgrind removed it)"
                    : "has no vDSO mapping at AT_SYSINFO_EHDR 0x" + Long.toHexString(auxvBase.getAsLong()));
        }
        Mapping mapping = found.get();
        if (auxvBase.isEmpty()) {
            warnings.add("the [vdso] mapping exists but AT_SYSINFO_EHDR is absent from the auxiliary vector");
        } else if (auxvBase.getAsLong() != mapping.start()) {
            warnings.add("AT_SYSINFO_EHDR (0x" + Long.toHexString(auxvBase.getAsLong()) + ") and the [vdso] mapping (0x"
                    + Long.toHexString(mapping.start()) + ") disagree");
        }
        MemorySegment bytes = process.read(mapping.start(), mapping.size(), arena);
        ElfFile image = ElfFile.of("pid " + process.pid() + " [vdso]", bytes);
        Vdso vdso = Vdso.of(image, mapping.start());
        List<Neighbour> neighbours = new ArrayList<>();
        for (Mapping m : maps.mappings()) {
            PseudoMapping kind = m.pseudo();
            if (kind != null && kind.kernelProvided() && kind != PseudoMapping.VDSO) {
                neighbours.add(probe(process, m, kind, arena));
            }
        }
        return new VdsoInspection(process, abi, auxv, maps, mapping, auxvBase, auxv.value(AuxvType.AT_SYSINFO), vdso,
                List.copyOf(neighbours), List.copyOf(warnings));
    }

    private static Neighbour probe(LinuxProcess process, Mapping m, PseudoMapping kind, Arena arena) {
        try {
            process.read(m.start(), Math.min(m.size(), 64), arena);
            return new Neighbour(m, kind, true, "readable");
        } catch (ProcessException e) {
            String why = switch (kind) {
                case VVAR, VVAR_VCLOCK -> "not readable through /proc/PID/mem: the kernel maps these pages as"
                        + " I/O memory (VM_IO|VM_PFNMAP), which it refuses to copy (EIO); the vDSO reads them directly";
                case VSYSCALL -> m.perms().startsWith("-") ? "execute-only (vsyscall=xonly): calls into it are"
                        + " emulated by the kernel, and reads fail" : e.getMessage();
                default -> e.getMessage();
            };
            return new Neighbour(m, kind, false, why);
        }
    }
}
