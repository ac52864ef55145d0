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
        String capstone = CapstoneLibrary.find().map(c -> "Capstone " + c.version())
                .orElse("Capstone not found (disasm and gate need libcapstone4 or libcapstone5)");
        return new String[] {"vdsoscope " + release() + " (commit " + buildFacts().getProperty("commit", "unknown").strip() + ")",
                "JDK " + Runtime.version() + " (" + System.getProperty("java.vendor", "?") + ")", capstone};
    }

    /** The release: the jar's Implementation-Version, else the version the build wrote (classes run from a directory). */
    static String release() {
        String release = Main.class.getPackage().getImplementationVersion();
        if (release != null) {
            return release;
        }
        String built = buildFacts().getProperty("version");
        return built != null ? built.strip() : "(unknown version)";
    }

    /** What the build wrote in build.properties (version, commit); empty where it wrote nothing. */
    private static Properties buildFacts() {
        Properties properties = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // No build facts: the callers say "unknown".
        }
        return properties;
    }
}
