package dev.graceful.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

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
    void aMissingFileIsNamedWithTheFlag() {
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class,
                () -> ConfigLookup.load(Optional.of(dir.resolve("nope.yaml").toString())));
        assertThat(e.getMessage(), containsString("--config"));
        assertThat(e.getMessage(), containsString("nope.yaml"));
    }
}
