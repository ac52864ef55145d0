package dev.vdsoscope.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The one-line lookup of the kernel's mappings against the whole parse, on this process's own maps. */
class MapsTest {
    @Test
    void eachKernelMappingOfThisProcessIsFoundAsTheWholeParseFindsIt() throws Exception {
        String text = Files.readString(Path.of("/proc/self/maps"));
        Maps maps = Maps.parse(text);
        assertThat(maps.find(PseudoMapping.VDSO)).as("this process has a vDSO").isPresent();

        for (PseudoMapping pseudo : PseudoMapping.values()) {
            if (pseudo.kernelProvided()) {
                Optional<Mapping> last = maps.mappings().stream().filter(m -> m.pseudo() == pseudo)
                        .reduce((first, second) -> second);
                assertThat(Maps.findIn(text, pseudo)).as(pseudo.toString()).isEqualTo(last);
            }
        }
        assertThat(LinuxProcess.self().mapping(PseudoMapping.VDSO)).isEqualTo(maps.find(PseudoMapping.VDSO));
    }

    @Test
    void aFileWhoseNameEndsLikeAKernelMappingIsNotIt() {
        String text = """
                7f0000000000-7f0000001000 r--p 00000000 08:01 1234                       /tmp/x [vdso]
                7f0000002000-7f0000004000 r-xp 00000000 00:00 0                          [vdso]
                7f0000005000-7f0000006000 r--p 00000000 08:01 1235                       /tmp/y [vdso]
                """;

        assertThat(Maps.findIn(text, PseudoMapping.VDSO)).map(Mapping::start).contains(0x7f0000002000L);
        assertThat(Maps.findIn(text.replace("          [vdso]", "          [heap]"), PseudoMapping.VDSO)).isEmpty();
    }
}
