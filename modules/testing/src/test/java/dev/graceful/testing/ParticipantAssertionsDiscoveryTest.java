package dev.graceful.testing;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.graceful.spi.ShutdownParticipant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.graceful.testing.ParticipantAssertions.assertDiscoverable;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each test writes its own {@code META-INF/services} file into a temporary directory and discovers through a
 * throwaway class loader, so no services file is on the class path of the other tests.
 */
class ParticipantAssertionsDiscoveryTest {

    private static final String SERVICES = "META-INF/services/" + ShutdownParticipant.class.getName();

    @TempDir
    Path dir;

    @Test
    void passesAListedPublicParticipantWithAKebabCaseName() throws IOException {
        try (URLClassLoader loader = loaderListing(QuickParticipant.class.getName())) {
            QuickParticipant participant = assertDiscoverable(QuickParticipant.class, loader);

            assertThat(participant.name(), is("quick-participant"));
        }
    }

    @Test
    void failsAParticipantThatNoServicesFileLists() throws IOException {
        try (URLClassLoader loader = loaderListing(QuickParticipant.class.getName())) {
            AssertionError e = assertThrows(AssertionError.class,
                                            () -> assertDiscoverable(UnlistedParticipant.class, loader));

            assertThat(e.getMessage(), containsString("participant class " + UnlistedParticipant.class.getName()
                                                              + " is not listed in " + SERVICES));
            assertThat(e.getMessage(), containsString("add the line '" + UnlistedParticipant.class.getName()
                                                              + "' to src/main/resources/" + SERVICES));
            assertThat(e.getMessage(), containsString("list {" + dir.toUri().toURL() + SERVICES + "=["
                                                              + QuickParticipant.class.getName() + "]}"));
        }
    }

    @Test
    void failsAParticipantWhoseNameIsNotKebabCase() throws IOException {
        try (URLClassLoader loader = loaderListing(BadlyNamedParticipant.class.getName())) {
            AssertionError e = assertThrows(AssertionError.class,
                                            () -> assertDiscoverable(BadlyNamedParticipant.class, loader));

            assertThat(e.getMessage(), containsString("participant " + BadlyNamedParticipant.class.getName()
                                                              + " is named 'Badly_Named', which is not kebab-case"));
            assertThat(e.getMessage(), containsString("for example 'badly-named'"));
        }
    }

    @Test
    void failsAParticipantWithoutAPublicNoArgumentConstructor() throws IOException {
        try (URLClassLoader loader = loaderListing(NoDefaultConstructorParticipant.class.getName())) {
            AssertionError e = assertThrows(AssertionError.class,
                                            () -> assertDiscoverable(NoDefaultConstructorParticipant.class, loader));

            assertThat(e.getMessage(), containsString("has no public no-argument constructor"));
            assertThat(e.getMessage(), containsString("add 'public NoDefaultConstructorParticipant() { }'"));
        }
    }

    @Test
    void failsAParticipantClassThatIsNotPublic() throws IOException {
        try (URLClassLoader loader = loaderListing(HangingParticipant.class.getName())) {
            AssertionError e = assertThrows(AssertionError.class,
                                            () -> assertDiscoverable(HangingParticipant.class, loader));

            assertThat(e.getMessage(), containsString("is not public"));
        }
    }

    @Test
    void failsAParticipantWhoseNameAnotherProviderAlsoUses() throws IOException {
        try (URLClassLoader loader = loaderListing(QuickParticipant.class.getName(),
                                                   DuplicateNameParticipant.class.getName())) {
            AssertionError e = assertThrows(AssertionError.class,
                                            () -> assertDiscoverable(QuickParticipant.class, loader));

            assertThat(e.getMessage(), containsString("participant name 'quick-participant' of "
                                                              + QuickParticipant.class.getName()
                                                              + " is also the name of "
                                                              + DuplicateNameParticipant.class.getName()));
        }
    }

    @Test
    void failsWhenAnotherProviderCannotBeLoadedAsTheServiceWouldNotStart() throws IOException {
        try (URLClassLoader loader = loaderListing(QuickParticipant.class.getName(), "dev.graceful.testing.Nope")) {
            AssertionError e = assertThrows(AssertionError.class,
                                            () -> assertDiscoverable(QuickParticipant.class, loader));

            assertThat(e.getMessage(), containsString("dev.graceful.testing.Nope"));
            assertThat(e.getMessage(), containsString("the service would refuse to start"));
        }
    }

    @Test
    void passesAParticipantWhoseModuleProvidesIt() throws Exception {
        Class<? extends ShutdownParticipant> type = compileModule(
                "module fake.plugin { requires dev.graceful.core; provides dev.graceful.spi.ShutdownParticipant"
                        + " with fake.plugin.ModularParticipant; }");
        try (URLClassLoader loader = (URLClassLoader) type.getClassLoader()) {
            ShutdownParticipant participant = assertDiscoverable(type, loader);

            assertThat(participant.name(), is("modular-participant"));
        }
    }

    @Test
    void failsAParticipantWhoseModuleDoesNotProvideIt() throws Exception {
        Class<? extends ShutdownParticipant> type = compileModule("module fake.plugin { requires dev.graceful.core; }");
        try (URLClassLoader loader = (URLClassLoader) type.getClassLoader()) {
            AssertionError e = assertThrows(AssertionError.class, () -> assertDiscoverable(type, loader));

            assertThat(e.getMessage(), containsString("module fake.plugin (" + dir.resolve("classes")
                    .resolve("module-info.class") + ") does not provide dev.graceful.spi.ShutdownParticipant with"
                    + " fake.plugin.ModularParticipant"));
            assertThat(e.getMessage(), containsString("add 'provides dev.graceful.spi.ShutdownParticipant with"
                                                              + " fake.plugin.ModularParticipant;' to"
                                                              + " module-info.java"));
        }
    }

    @Test
    void usesTheClassOwnLoaderByDefault() {
        AssertionError e = assertThrows(AssertionError.class, () -> assertDiscoverable(UnlistedParticipant.class));

        assertThat(e.getCause() == null, is(true));
        assertThat(e.getMessage(), containsString("no such file is visible through class loader "
                                                          + UnlistedParticipant.class.getClassLoader()));
    }

    @Test
    void returnsTheInstanceServiceLoaderCreated() throws IOException {
        try (URLClassLoader loader = loaderListing(QuickParticipant.class.getName())) {
            assertThat(assertDiscoverable(QuickParticipant.class, loader), instanceOf(QuickParticipant.class));
        }
    }

    private URLClassLoader loaderListing(String... classNames) throws IOException {
        writeServicesFile(dir, classNames);
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
    }

    private static void writeServicesFile(Path root, String... classNames) throws IOException {
        Path services = root.resolve(SERVICES);
        Files.createDirectories(services.getParent());
        Files.writeString(services, "# a test's services file\n" + String.join("\n", classNames) + "\n");
    }

    /**
     * Compiles a plugin module, {@code fake.plugin} with the participant {@code fake.plugin.ModularParticipant},
     * lists it in a services file, and loads it from the class path, as the service loads a plugin jar.
     */
    private Class<? extends ShutdownParticipant> compileModule(String moduleInfo) throws IOException,
            URISyntaxException, ClassNotFoundException {
        Path sources = dir.resolve("sources");
        Path classes = dir.resolve("classes");
        Files.createDirectories(sources.resolve("fake/plugin"));
        Files.writeString(sources.resolve("module-info.java"), moduleInfo);
        Files.writeString(sources.resolve("fake/plugin/ModularParticipant.java"), """
                package fake.plugin;
                public final class ModularParticipant implements dev.graceful.spi.ShutdownParticipant {
                    public ModularParticipant() { }
                    public void shutdown(dev.graceful.spi.ShutdownContext context) { }
                }
                """);
        Path core = Path.of(ShutdownParticipant.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).map(Path::toString).collect(Collectors.toList());
        }
        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow();
        StringWriter errors = new StringWriter();
        List<String> args = Stream.concat(Stream.of("--module-path", core.toString(), "-d", classes.toString()),
                                          files.stream()).toList();
        int status = javac.run(new PrintWriter(errors), new PrintWriter(errors), args.toArray(String[]::new));
        assertThat("javac " + args + errors, status, is(0));
        writeServicesFile(classes, "fake.plugin.ModularParticipant");
        URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
        return loader.loadClass("fake.plugin.ModularParticipant").asSubclass(ShutdownParticipant.class);
    }
}
