package dev.vdsoscope;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import javax.lang.model.element.Modifier;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ExportsTree;
import com.sun.source.tree.ModuleTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePathScanner;
import org.junit.jupiter.api.Test;

/**
 * Every public type of the library's API (the packages module-info.java exports) has a Javadoc
 * comment. javadoc's doclint checks the comments that exist (core/pom.xml: all but "missing", which
 * would demand one on every public member); this test demands one on every type, nested ones
 * included, read from the sources by javac's parser.
 */
class ApiJavadocTest {
    private static final Path SOURCES = Path.of("core/src/main/java");

    @Test
    void everyPublicTypeOfTheExportedPackagesHasAComment() throws IOException {
        Set<String> exported = exportedPackages();
        assertThat(exported).as("the packages module-info.java exports").contains("dev.vdsoscope.vdso", "dev.vdsoscope.elf");
        List<JavaFileObject> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(SOURCES)) {
            walk.filter(p -> p.toString().endsWith(".java") && !p.endsWith("module-info.java"))
                    .filter(p -> exported.contains(SOURCES.relativize(p.getParent()).toString().replace('/', '.')))
                    .forEach(p -> files.add(source(p.toUri(), read(p))));
        }
        TypeComments found = typeComments(files);

        assertThat(found.documented()).as("documented public types").contains("dev.vdsoscope.vdso.Vdso");
        assertThat(found.undocumented()).as("public types of the API without a Javadoc comment").isEmpty();
    }

    /** The check sees what it must: a public type without a comment, nested or not, and only those. */
    @Test
    void theCheckFindsAnUndocumentedType() throws IOException {
        TypeComments found = typeComments(List.of(source(URI.create("string:///p/Probe.java"), """
                package p;
                /** Documented. */
                public class Probe {
                    public record Bare(int x) {}
                    /** Documented. */
                    public enum Fine { A }
                    private static class Hidden {}
                    interface Internal { class ImplicitlyPublicButHidden {} }
                }
                public interface Undocumented { class ImplicitlyPublic {} }
                """)));

        assertThat(found.undocumented()).containsExactlyInAnyOrder("p.Probe.Bare", "p.Undocumented",
                "p.Undocumented.ImplicitlyPublic");
        assertThat(found.documented()).containsExactlyInAnyOrder("p.Probe", "p.Probe.Fine");
    }

    private record TypeComments(Set<String> documented, Set<String> undocumented) {}

    private static TypeComments typeComments(List<JavaFileObject> files) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        JavacTask task = (JavacTask) javac.getTask(null, null, null, List.of("-proc:none"), null, files);
        DocTrees docs = DocTrees.instance(task);
        TypeComments found = new TypeComments(new TreeSet<>(), new TreeSet<>());
        for (CompilationUnitTree unit : task.parse()) {
            String packageName = unit.getPackageName() == null ? "" : unit.getPackageName().toString();
            new TreePathScanner<Void, Void>() {
                /** The enclosing types, innermost first: their names, and whether each is visible outside. */
                private final Deque<String> names = new ArrayDeque<>();
                private final Deque<Boolean> visible = new ArrayDeque<>();

                @Override
                public Void visitClass(ClassTree type, Void unused) {
                    boolean inInterface = getCurrentPath().getParentPath().getLeaf() instanceof ClassTree outer
                            && (outer.getKind() == Tree.Kind.INTERFACE || outer.getKind() == Tree.Kind.ANNOTATION_TYPE);
                    boolean isPublic = type.getModifiers().getFlags().contains(Modifier.PUBLIC) || inInterface;
                    boolean isVisible = isPublic && (visible.isEmpty() || visible.peek());
                    String name = (names.isEmpty() ? packageName : names.peek()) + "." + type.getSimpleName();
                    if (isVisible) {
                        (docs.getDocCommentTree(getCurrentPath()) != null ? found.documented() : found.undocumented()).add(name);
                    }
                    names.push(name);
                    visible.push(isVisible);
                    try {
                        return super.visitClass(type, unused);
                    } finally {
                        names.pop();
                        visible.pop();
                    }
                }
            }.scan(unit, null);
        }
        return found;
    }

    private static Set<String> exportedPackages() throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Path moduleInfo = SOURCES.resolve("module-info.java");
        JavacTask task = (JavacTask) javac.getTask(null, null, null, List.of("-proc:none"), null,
                List.of(source(moduleInfo.toUri(), read(moduleInfo))));
        Set<String> exported = new TreeSet<>();
        for (CompilationUnitTree unit : task.parse()) {
            ModuleTree module = unit.getModule();
            module.getDirectives().stream().filter(d -> d instanceof ExportsTree)
                    .forEach(d -> exported.add(((ExportsTree) d).getPackageName().toString()));
        }
        return exported;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JavaFileObject source(URI uri, String text) {
        return new SimpleJavaFileObject(uri, JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return text;
            }
        };
    }
}
