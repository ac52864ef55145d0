import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.lang.constant.ClassDesc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

/**
 * Build step, run by Maven with the JDK's source launcher: re-encodes the pre-Java-6 class files of
 * the runtime jars in the directory given (picocli ships Java 5 class files) as Java 8 class files,
 * with stack maps computed by the JDK's ClassFile API. Nothing else changes: same classes, same
 * bytecode. Why: the JDK's AOT cache cannot keep a class file older than version 50 once it has been
 * linked, so every run would load, verify and interpret picocli from scratch (measured: about 60 ms
 * of a 230 ms start-up). A jar with no old class file is left untouched, so running this twice is a
 * no-op; a rewritten jar replaces the old one atomically.
 *
 * <p>Usage: {@code java UpgradeClassFiles.java DIR}
 */
public final class UpgradeClassFiles {
    /** The oldest class-file version that carries stack maps (Java 6). */
    private static final int STACK_MAPS_FROM = ClassFile.JAVA_6_VERSION;

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java UpgradeClassFiles.java DIR");
            System.exit(2);
        }
        try (var jars = Files.newDirectoryStream(Path.of(args[0]), "*.jar")) {
            for (Path jar : jars) {
                upgrade(jar);
            }
        }
    }

    private static void upgrade(Path jar) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        Manifest manifest;
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
            manifest = in.getManifest();
            for (JarEntry entry; (entry = in.getNextJarEntry()) != null; ) {
                entries.put(entry.getName(), in.readAllBytes());
            }
        }
        List<String> old = entries.entrySet().stream()
                .filter(e -> isVersionedClass(e.getKey()) && majorVersion(e.getValue()) < STACK_MAPS_FROM)
                .map(Map.Entry::getKey)
                .toList();
        if (old.isEmpty()) {
            return;
        }
        // Stack maps need the class hierarchy: the jar's own classes, then the JDK's.
        ClassHierarchyResolver resolver = ClassHierarchyResolver.ofResourceParsing(
                (ClassDesc desc) -> resource(entries, desc)).orElse(ClassHierarchyResolver.defaultResolver());
        ClassFile classFile = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(resolver));
        ClassTransform toJava8 = ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                .andThen((builder, element) -> builder.with(element instanceof ClassFileVersion
                        ? ClassFileVersion.of(ClassFile.JAVA_8_VERSION, 0) : element));
        for (String name : old) {
            entries.put(name, classFile.transformClass(classFile.parse(entries.get(name)), toJava8));
        }
        Path partial = jar.resolveSibling(jar.getFileName() + ".partial");
        try (OutputStream file = Files.newOutputStream(partial);
                JarOutputStream out = manifest == null ? new JarOutputStream(file) : new JarOutputStream(file, manifest)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(entry.getKey()));
                out.write(entry.getValue());
                out.closeEntry();
            }
        }
        Files.move(partial, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.printf("%s: %d class files re-encoded as Java 8 (were older than Java 6)%n", jar.getFileName(), old.size());
    }

    /** A class of the jar's base version: multi-release variants are newer by definition. */
    private static boolean isVersionedClass(String name) {
        return name.endsWith(".class") && !name.startsWith("META-INF/");
    }

    private static int majorVersion(byte[] classFile) {
        return classFile.length < 8 ? Integer.MAX_VALUE : (classFile[6] & 0xff) << 8 | classFile[7] & 0xff;
    }

    private static InputStream resource(Map<String, byte[]> entries, ClassDesc desc) {
        String descriptor = desc.descriptorString();
        byte[] bytes = entries.get(descriptor.substring(1, descriptor.length() - 1) + ".class");
        return bytes == null ? null : new ByteArrayInputStream(bytes);
    }
}
