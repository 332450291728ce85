package dev.graceful.launcher;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

import dev.graceful.ShutdownConfigException;

import io.helidon.config.Config;
import io.helidon.config.ConfigException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConfigLookupTest {

    @TempDir
    Path dir;

    @Test
    void readsTheFileGivenAndKeepsTheDefaultPortWhereItIsSilent() throws Exception {
        Path file = Files.writeString(dir.resolve("a.yaml"), "shutdown:\n  deadline: 7s\n");
        Config config = ConfigLookup.load(Optional.of(file.toString()));
        assertThat(config.get("shutdown.deadline").asString().get(), is("7s"));
        assertThat(config.get("server.port").asInt().get(), is(8080));
    }

    @Test
    void theFileOverridesTheDefaultPort() throws Exception {
        Path file = Files.writeString(dir.resolve("a.yaml"), "server:\n  port: 0\n");
        assertThat(ConfigLookup.load(Optional.of(file.toString())).get("server.port").asInt().get(), is(0));
    }

    @Test
    void aSystemPropertyOverridesTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("a.yaml"), "shutdown:\n  deadline: 7s\n");
        System.setProperty("shutdown.deadline", "9s");
        try {
            assertThat(ConfigLookup.load(Optional.of(file.toString())).get("shutdown.deadline").asString().get(),
                       is("9s"));
        } finally {
            System.clearProperty("shutdown.deadline");
        }
    }

    @Test
    void aFileIsParsedForTheTypeItsNameSays() throws Exception {
        Path yml = Files.writeString(dir.resolve("a.yml"), "shutdown:\n  deadline: 7s\n");
        assertThat(ConfigLookup.load(Optional.of(yml.toString())).get("shutdown.deadline").asString().get(), is("7s"));
        Path properties = Files.writeString(dir.resolve("a.properties"), "shutdown.deadline=8s\n");
        assertThat(ConfigLookup.load(Optional.of(properties.toString())).get("shutdown.deadline").asString().get(),
                   is("8s"));
    }

    @Test
    void aFileThatIsNotValidYamlIsNamedWithWhereItIsWrong() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "server:\n  port: [1\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLookup.load(Optional.of(file.toString())));
        assertThat(e.getMessage(), containsString(file.toString()));
        assertThat(e.getMessage(), containsString("line 2, column 9"));
    }

    @Test
    void aFileWhoseNameSaysNoTypeIsLeftToHelidonsFileSourceAndNamed() throws Exception {
        Path file = Files.writeString(dir.resolve("a.cfg"), "shutdown:\n  deadline: 7s\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLookup.load(Optional.of(file.toString())));
        assertThat(e.getMessage(), startsWith("loading " + file + ": "));
    }

    @Test
    void withoutAFileTheClassPathCopyIsReadAndABadOneIsNamed() throws Exception {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Files.writeString(classes.resolve("application.yaml"), "shutdown:\n  deadline: 6s\n");
        Config config = withContextLoader(classes, () -> ConfigLookup.load(Optional.empty()));
        assertThat(config.get("shutdown.deadline").asString().get(), is("6s"));
        assertThat(config.get("server.port").asInt().get(), is(8080));

        Files.writeString(classes.resolve("application.yaml"), "server:\n  port: [1\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> withContextLoader(classes, () -> ConfigLookup.load(Optional.empty())));
        assertThat(e.getMessage(), startsWith("loading classpath:application.yaml: "));

        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThat("none on the class path: the defaults",
                   withContextLoader(empty, () -> ConfigLookup.load(Optional.empty())).get("server.port").asInt().get(),
                   is(8080));
    }

    /**
     * Runs {@code action} with a context class loader that adds {@code classes} to this test's class path (which
     * has no {@code application.yaml}; Helidon finds its parsers through the same loader).
     */
    private static <T> T withContextLoader(Path classes, Supplier<T> action) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader saved = thread.getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                                                         ConfigLookupTest.class.getClassLoader())) {
            thread.setContextClassLoader(loader);
            return action.get();
        } finally {
            thread.setContextClassLoader(saved);
        }
    }

    @Test
    void aMissingFileIsNamedWithTheFlag() {
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class,
                () -> ConfigLookup.load(Optional.of(dir.resolve("nope.yaml").toString())));
        assertThat(e.getMessage(), containsString("--config"));
        assertThat(e.getMessage(), containsString("nope.yaml"));
    }
}
