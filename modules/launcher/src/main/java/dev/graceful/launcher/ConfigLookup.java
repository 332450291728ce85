package dev.graceful.launcher;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import dev.graceful.ShutdownConfigException;

import io.helidon.common.media.type.MediaType;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigSource;

/**
 * Finds and loads the root configuration: {@code --config PATH}, else {@code $GRACEFUL_CONFIG}, else
 * {@code ./config/application.yaml}, else {@code application.yaml} on the class path. Environment variables and
 * system properties override any key (Helidon's mapping: {@code SERVER_PORT}, {@code SHUTDOWN_DRAIN_dash_TIMEOUT}).
 * Where nothing sets it, {@code server.port} is 8080.
 */
final class ConfigLookup {

    static final String DEFAULT_FILE = "config/application.yaml";
    private static final Map<String, String> DEFAULTS = Map.of("server.port", "8080");

    private ConfigLookup() {
    }

    /**
     * Loads the configuration.
     *
     * @param explicit the {@code --config} argument
     * @throws ShutdownConfigException naming {@code --config} when the file given does not exist
     */
    static Config load(Optional<String> explicit) {
        Optional<Path> file = explicit
                .or(() -> Optional.ofNullable(System.getenv(GracefulServer.CONFIG_ENV)).filter(s -> !s.isBlank()))
                .map(Path::of);
        Config.Builder builder = Config.builder();
        Optional<Path> read = Optional.empty();
        if (file.isPresent()) {
            Path path = file.get();
            String named = explicit.isPresent() ? "--config" : GracefulServer.CONFIG_ENV;
            if (!Files.isRegularFile(path)) {
                throw new ShutdownConfigException(named, path.toString(),
                                                  "the configuration file does not exist or is not a file");
            }
            builder.addSource(fileSource(path, named));
            read = file;
        } else if (Files.isRegularFile(Path.of(DEFAULT_FILE))) {
            builder.addSource(fileSource(Path.of(DEFAULT_FILE), DEFAULT_FILE));
            read = Optional.of(Path.of(DEFAULT_FILE));
        } else {
            builder.addSource(ConfigSources.classpath("application.yaml").optional(true));
        }
        try {
            return builder.addSource(ConfigSources.create(DEFAULTS)).build();
        } catch (ConfigException e) {
            // Helidon's parser names neither the file nor a source: "in 'reader', line 2, column 9"
            throw read.map(path -> new ConfigException("loading " + path + ": " + e.getMessage(), e)).orElse(e);
        }
    }

    /**
     * The file's content, read here and handed to Helidon's parser for the type its name says. Helidon's file source
     * also takes a digest of the file, for watching it for changes, which a service started this way does not do;
     * its first {@code MessageDigest} sets up the JDK's security providers, about 15 ms of the start that nothing
     * else needs. A file whose name says no type goes to Helidon's file source, which says what it cannot parse.
     */
    private static ConfigSource fileSource(Path path, String named) {
        Optional<MediaType> type = MediaTypes.detectType(path);
        if (type.isEmpty()) {
            return ConfigSources.file(path).optional(false).build();
        }
        try {
            return ConfigSources.create(new ByteArrayInputStream(Files.readAllBytes(path)), type.get());
        } catch (IOException e) {
            throw new ShutdownConfigException(named, path.toString(), "the configuration file cannot be read: " + e);
        }
    }
}
