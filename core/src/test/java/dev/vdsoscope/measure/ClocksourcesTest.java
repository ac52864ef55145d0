package dev.vdsoscope.measure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.vdsoscope.measure.Clocksources.VdsoCapability;

class ClocksourcesTest {
    @Test
    void followsTheKernelsRulesForClocksourcesWithAndWithoutAVdsoClockMode() {
        assertThat(Clocksources.describe("tsc", true, dev.vdsoscope.abi.LinuxAbi.X86_64).vdso()).isEqualTo(VdsoCapability.YES);
        assertThat(Clocksources.describe("hyperv_clocksource_tsc_page", false, dev.vdsoscope.abi.LinuxAbi.X86_64).vdso())
                .isEqualTo(VdsoCapability.YES);
        assertThat(Clocksources.describe("arch_sys_counter", true, dev.vdsoscope.abi.LinuxAbi.AARCH64).vdso()).isEqualTo(VdsoCapability.YES);
        for (String slow : new String[] {"hpet", "acpi_pm", "jiffies"}) {
            Clocksources.Clocksource c = Clocksources.describe(slow, false, dev.vdsoscope.abi.LinuxAbi.X86_64);
            assertThat(c.vdso()).as(slow).isEqualTo(VdsoCapability.NO);
            assertThat(c.ifUsed()).contains("system call");
        }
    }
}
