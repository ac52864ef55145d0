package dev.vdsoscope.abi;

import static dev.vdsoscope.elf.MachineFlags.EF_MIPS_ABI2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import dev.vdsoscope.elf.ElfClass;
import dev.vdsoscope.elf.ElfData;
import dev.vdsoscope.elf.ElfFile;
import dev.vdsoscope.elf.Machine;
import dev.vdsoscope.elf.Symbol;
import dev.vdsoscope.elf.SymbolType;
import dev.vdsoscope.elf.testing.Fixtures;
import dev.vdsoscope.proc.LinuxProcess;
import dev.vdsoscope.vdso.Vdso;

/**
 * The per-ABI facts hold together: every ABI is found again from its own header fields, its vDSO's
 * functions have system-call fallbacks, its gate has entries; the real images are recognised as the
 * ABI their kernel built them for; and the host's ABI is the one /proc and ldd show.
 */
class LinuxAbiTest {
    @ParameterizedTest
    @EnumSource(LinuxAbi.class)
    void everyAbiIsFoundFromItsOwnHeaderFields(LinuxAbi abi) {
        long flags = abi == LinuxAbi.MIPS_N32 ? EF_MIPS_ABI2 : 0;
        List<ElfData> orders = abi.byteOrder().map(List::of).orElse(List.of(ElfData.ELFDATA2LSB, ElfData.ELFDATA2MSB));
        for (ElfData order : orders) {
            assertThat(LinuxAbi.of(abi.machine(), abi.elfClass(), order, flags)).as(abi + " " + order).contains(abi);
        }
    }

    @Test
    void machinesThatRunAnothersCodeAndCombinationsNoLinuxUses() {
        assertThat(LinuxAbi.of(Machine.EM_IAMCU, ElfClass.ELFCLASS32, ElfData.ELFDATA2LSB, 0)).contains(LinuxAbi.I386);
        assertThat(LinuxAbi.of(Machine.EM_MIPS_RS3_LE, ElfClass.ELFCLASS32, ElfData.ELFDATA2LSB, EF_MIPS_ABI2))
                .contains(LinuxAbi.MIPS_N32);
        assertThat(LinuxAbi.of(Machine.EM_SPARC32PLUS, ElfClass.ELFCLASS32, ElfData.ELFDATA2MSB, 0))
                .contains(LinuxAbi.SPARC32);
        assertThat(LinuxAbi.of(Machine.EM_PPC64, ElfClass.ELFCLASS64, ElfData.ELFDATA2LSB, 0)).contains(LinuxAbi.PPC64LE);
        assertThat(LinuxAbi.of(Machine.EM_PPC64, ElfClass.ELFCLASS64, ElfData.ELFDATA2MSB, 0)).contains(LinuxAbi.PPC64);
        // Little-endian 32-bit PowerPC, big-endian x86 and 64-bit i386 are not Linux ABIs.
        assertThat(LinuxAbi.of(Machine.EM_PPC, ElfClass.ELFCLASS32, ElfData.ELFDATA2LSB, 0)).isEmpty();
        assertThat(LinuxAbi.of(Machine.EM_X86_64, ElfClass.ELFCLASS64, ElfData.ELFDATA2MSB, 0)).isEmpty();
        assertThat(LinuxAbi.of(Machine.EM_386, ElfClass.ELFCLASS64, ElfData.ELFDATA2LSB, 0)).isEmpty();
        assertThat(LinuxAbi.of(Machine.EM_NONE, ElfClass.ELFCLASS64, ElfData.ELFDATA2LSB, 0)).isEmpty();
    }

    /** A vDSO function falls back to its system call, so the ABI must know the number. */
    @ParameterizedTest
    @EnumSource(LinuxAbi.class)
    void everyVdsoFunctionHasItsSystemCall(LinuxAbi abi) {
        for (VdsoFunction function : abi.vdso().map(VdsoNames::functions).orElse(Set.of())) {
            assertThat(abi.syscalls().number(function.cName())).as(abi + " " + function).isPresent();
        }
    }

    @ParameterizedTest
    @EnumSource(LinuxAbi.class)
    void everyGateHasEntriesAndANumberRegister(LinuxAbi abi) {
        assertThat(abi.gate().entries()).isNotEmpty();
        assertThat(abi.gate().numberRegisters()).isNotEmpty();
    }

    static List<Path> images() {
        return Fixtures.vdsoImages();
    }

    /** The fixtures are named for the kernel build they come from (../PROVENANCE.md). */
    private static final Map<String, LinuxAbi> BY_FILE_PREFIX = Map.of("x86_64-", LinuxAbi.X86_64, "x32-",
            LinuxAbi.X32, "i386", LinuxAbi.I386, "aarch64-", LinuxAbi.AARCH64, "armcompat-", LinuxAbi.ARM, "s390x-",
            LinuxAbi.S390X);

    @ParameterizedTest
    @MethodSource("images")
    void everyRealImageIsItsKernelsAbiAndExportsNoTimeFunctionTheAbiLacks(Path file) throws Exception {
        LinuxAbi expected = BY_FILE_PREFIX.entrySet().stream()
                .filter(e -> file.getFileName().toString().startsWith(e.getKey())).map(Map.Entry::getValue)
                .findFirst().orElseThrow(() -> new AssertionError("no ABI known for the fixture " + file));
        try (ElfFile image = ElfFile.open(file)) {
            assertThat(LinuxAbi.of(image.header())).contains(expected);
            VdsoNames names = expected.vdso().orElseThrow();
            Set<VdsoFunction> exported = exportedTimeFunctions(Vdso.of(image, 0), names);
            assertThat(exported).as("time functions of " + file).isNotEmpty().isSubsetOf(names.functions());
        }
    }

    /** Each ABI's newest image exports what the model says a current kernel exports. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"x86_64-linux-6.18.44-live-vdso.so, X86_64",
            "x32-linux-6.12.117-vdsox32.so, X32", "i386compat-linux-6.12.117-vdso32.so, I386",
            "armcompat-linux-6.12.117-vdso32.so, ARM", "aarch64-linux-6.12.117-vdso.so, AARCH64"})
    void theNewestImagesExportTheModelsFunctions(String fixture, LinuxAbi abi) throws Exception {
        try (ElfFile image = ElfFile.open(Fixtures.DIRECTORY.resolve(fixture))) {
            VdsoNames names = abi.vdso().orElseThrow();
            assertThat(exportedTimeFunctions(Vdso.of(image, 0), names)).isEqualTo(names.functions());
        }
    }

    private static Set<VdsoFunction> exportedTimeFunctions(Vdso vdso, VdsoNames names) {
        Set<VdsoFunction> exported = EnumSet.noneOf(VdsoFunction.class);
        for (Symbol s : vdso.symbols()) {
            if (s.isUndefined() || !s.type().equals(SymbolType.STT_FUNC) || !s.name().startsWith(names.prefix())) {
                continue;
            }
            String name = s.name().substring(names.prefix().length());
            for (VdsoFunction function : VdsoFunction.values()) {
                if (function.cName().equals(name)) {
                    exported.add(function);
                }
            }
        }
        return exported;
    }

    /** The host's ABI is the one its own executable's header says. */
    @Test
    void theHostAbiIsTheJvmProcesssAbi() throws Exception {
        Optional<LinuxAbi> host = LinuxAbi.host();
        assumeTrue(host.isPresent(), "this machine is none of the ABIs here");
        assertThat(LinuxProcess.of(ProcessHandle.current().pid()).abi().linux()).isEqualTo(host);
        assertThat(host.get().isHost()).isTrue();
        assertThat(host.get().runsOnHost()).isTrue();
    }

    /** ldd names the host's vDSO as the host ABI says it is named. */
    @Test
    void lddNamesTheHostsVdsoAsTheAbiDoes() throws Exception {
        Optional<LinuxAbi> host = LinuxAbi.host();
        assumeTrue(host.isPresent() && host.get().vdso().isPresent(), "this machine is none of the ABIs here");
        Process ldd = new ProcessBuilder("ldd", "/bin/sh").redirectErrorStream(true).start();
        String out = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ldd.waitFor()).as(out).isZero();
        assumeTrue(Files.isRegularFile(Path.of("/bin/sh")));
        assertThat(out.lines().map(String::strip).map(l -> l.split(" ")[0]))
                .contains(host.get().vdso().get().soname());
    }
}
