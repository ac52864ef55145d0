package dev.vdsoscope.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import dev.vdsoscope.disasm.CapstoneLibrary;

import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version}: the release (the jar's Implementation-Version, the pom's version), the commit
 * it was built from (written by the build where the tree is a git clone), the JDK it runs on, and
 * the Capstone library found (or that none was).
 */
final class VersionInfo implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String release = Main.class.getPackage().getImplementationVersion();
        String commit = "unknown";
        String built = null;
        try (InputStream in = Main.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                commit = properties.getProperty("commit", commit).strip();
                built = properties.getProperty("version");
            }
        } catch (IOException e) {
            // No build facts: "unknown" says so.
        }
        String capstone = CapstoneLibrary.find().map(c -> "Capstone " + c.version())
                .orElse("Capstone not found (disasm and gate need libcapstone4 or libcapstone5)");
        return new String[] {"vdsoscope " + (release != null ? release : built != null ? built.strip() : "(unknown version)") + " (commit " + commit + ")",
                "JDK " + Runtime.version() + " (" + System.getProperty("java.vendor", "?") + ")", capstone};
    }
}
