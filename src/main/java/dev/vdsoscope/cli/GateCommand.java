package dev.vdsoscope.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.vdsoscope.disasm.CapstoneUnavailableException;
import dev.vdsoscope.disasm.GateAnalysis;
import dev.vdsoscope.disasm.UnsupportedInstructionSetException;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.ElfFormatException;
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

    @Override
    public Integer call() throws Exception {
        boolean applied = live;
        ImageTarget target = Targets.of(argument, pidOption.pid);
        try (ImageTarget.Opened source = Targets.open(target)) {
            applied |= source.live();
            Path unstripped = debugImage != null ? debugImage : applied ? GateView.foundDebugImage(source.elf()) : null;
            try (ElfFile debug = unstripped == null ? null : ElfFile.open(unstripped)) {
                GateAnalysis.Result result = GateAnalysis.analyse(source.elf(), applied, Optional.ofNullable(debug));
                if (common.json) {
                    Output.json(new JsonGateDocument("gate", 1, source.description(),
                            unstripped == null ? null : unstripped.toString(), GateView.json(result)));
                } else {
                    PrintStream out = Output.out();
                    out.println("Kernel entries of " + source.description() + " (" + result.isa() + ", system calls of "
                            + result.syscalls() + ")");
                    if (unstripped != null) {
                        out.println("Code as linked: " + unstripped);
                    }
                    GateView.text(out, result, "");
                }
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

    record JsonGateDocument(String command, int schemaVersion, String image, String debugImage,
            GateView.JsonGate gate) {}
}
