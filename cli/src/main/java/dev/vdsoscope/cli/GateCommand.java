package dev.vdsoscope.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.vdsoscope.disasm.CapstoneUnavailableException;
import dev.vdsoscope.disasm.GateAnalysis;
import dev.vdsoscope.disasm.UnsupportedInstructionSetException;
import dev.vdsoscope.disasm.X86Alternatives;
import dev.vdsoscope.disasm.X86Feature;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
import dev.vdsoscope.linux.Cpuid;
import dev.vdsoscope.loader.cpu.CpuProfile;
import dev.vdsoscope.loader.cpu.CpuidSource;
import dev.vdsoscope.vdso.ImageTarget;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "gate", mixinStandardHelpOptions = true,
        description = {"How each exported function enters the kernel.",
                "Its entry instructions, the system call each makes, the kind of function, and on x86 the "
                        + "alternatives the kernel patches in. TARGET is " + Targets.SYNTAX + "; without one, "
                        + "vdsoscope's own vDSO, with the alternatives this machine applied.",
                Targets.SHADOWED})
final class GateCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ProcessOptions pidOption;

    @Parameters(arity = "0..1", paramLabel = "TARGET", description = Targets.SYNTAX + ".")
    String argument;

    @Option(names = "--debug-image", paramLabel = "FILE",
            description = "The unstripped image of the same kernel: the code as linked, and the patch sites.")
    Path debugImage;

    @Option(names = "--live", description = "FILE is a dump of a mapped vDSO (vdsoscope dump): its alternatives are"
            + " already applied.")
    boolean live;

    @Option(names = "--cpu", paramLabel = "PROFILE", description = "For an x86 image file as linked: the image as a"
            + " kernel patches it at boot on that CPU (its alternatives applied as the CPU's features choose), and"
            + " its gate then. PROFILE: host (this CPU), a recorded CPU (vdsoscope ldd --cpu list), or a CPUID dump.")
    String cpu;

    @Override
    public Integer call() throws Exception {
        ImageTarget target = Targets.of(argument, pidOption.pid);
        try {
            if (cpu != null) {
                patchedFor(target);
            } else {
                analysed(target);
            }
        } catch (CapstoneUnavailableException e) {
            throw Targets.missing(e);
        } catch (UnsupportedInstructionSetException e) {
            throw Targets.unsupported(target, e);
        } catch (ElfFormatException e) {
            throw Failure.of(target.label(), e);
        }
        return ExitCode.OK;
    }

    /** The target as it is: a file as linked (or dumped), a live image with this machine's alternatives. */
    private void analysed(ImageTarget target) throws Exception {
        boolean applied = live;
        try (ImageTarget.Opened source = Targets.open(target)) {
            applied |= source.live();
            Path unstripped = debugImage != null ? debugImage : applied ? GateView.foundDebugImage(source.elf()) : null;
            try (ElfFile debug = unstripped == null ? null : ElfFile.open(unstripped)) {
                GateAnalysis.Result result = GateAnalysis.analyse(source.elf(), applied, Optional.ofNullable(debug));
                print(result, source.description(), unstripped == null ? null : unstripped.toString(),
                        applied ? "on this machine" : "in this image");
            }
        }
    }

    /** {@code --cpu}: the file's alternatives applied for that CPU, analysed as live, the file itself as linked. */
    private void patchedFor(ImageTarget target) throws Exception {
        if (!(target instanceof ImageTarget.File) || live || debugImage != null) {
            throw new Failure(target.label(), "--cpu takes an image file as linked, without --live or --debug-image",
                    ExitCode.BAD_INPUT);
        }
        X86Feature.Cpuid cpuid = cpuid(cpu);
        try (ImageTarget.Opened source = Targets.open(target)) {
            X86Alternatives table = X86Alternatives.of(source.elf()).orElseThrow(() -> new Failure(target.label(),
                    "no .altinstructions: nothing a kernel would patch", ExitCode.BAD_INPUT));
            byte[] patched = table.applied(X86Feature.linuxFeatures(cpuid));
            try (ElfFile image = ElfFile.of(target.label(), java.nio.ByteBuffer.wrap(patched))) {
                GateAnalysis.Result result = GateAnalysis.analyse(image, true, Optional.of(source.elf()));
                print(result, target.label() + " as patched on " + cpu, target.label(), "on " + cpu);
            }
        }
    }

    private void print(GateAnalysis.Result result, String description, String asLinked, String where) {
        if (common.json) {
            Output.json(new JsonGateDocument("gate", 1, description, asLinked, GateView.json(result)));
            return;
        }
        PrintStream out = Output.out();
        out.println("Kernel entries of " + description + " (" + result.isa() + ", system calls of " + result.syscalls()
                + ")");
        if (asLinked != null && cpu == null) {
            out.println("Code as linked: " + asLinked);
        }
        GateView.text(out, result, "", where);
    }

    /** The cpuid answers of a profile: this CPU, or a recorded one. */
    private static X86Feature.Cpuid cpuid(String spec) {
        CpuidSource source;
        try {
            CpuProfile profile = CpuProfile.load(spec);
            source = switch (profile) {
                case CpuProfile.Recorded r -> r.cpu();
                case CpuProfile.Host h -> CpuidSource.host().orElseThrow(() -> new Failure("--cpu " + spec,
                        "cpuid cannot run in this process", ExitCode.MISSING_ENVIRONMENT));
                default -> throw new Failure("--cpu " + spec, "gate needs CPUID answers: host, a recorded CPU or a"
                        + " CPUID dump", ExitCode.BAD_INPUT);
            };
        } catch (CpuProfile.ProfileException e) {
            throw new Failure(null, "--cpu " + e.getMessage(), ExitCode.BAD_INPUT, e);
        } catch (java.io.IOException e) {
            throw Failure.of("--cpu " + spec, e);
        }
        return (leaf, subleaf) -> {
            Cpuid.Registers r = source.query(leaf, subleaf);
            return new int[] {r.eax(), r.ebx(), r.ecx(), r.edx()};
        };
    }

    record JsonGateDocument(String command, int schemaVersion, String image, String debugImage,
            GateView.JsonGate gate) {}
}
