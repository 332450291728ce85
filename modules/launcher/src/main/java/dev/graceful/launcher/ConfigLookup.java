package dev.graceful.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import dev.graceful.ShutdownConfigException;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

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
        if (file.isPresent()) {
            Path path = file.get();
            if (!Files.isRegularFile(path)) {
                throw new ShutdownConfigException(explicit.isPresent() ? "--config" : GracefulServer.CONFIG_ENV,
                                                  path.toString(),
                                                  "the configuration file does not exist or is not a file");
            }
            builder.addSource(ConfigSources.file(path).optional(false));
        } else if (Files.isRegularFile(Path.of(DEFAULT_FILE))) {
            builder.addSource(ConfigSources.file(Path.of(DEFAULT_FILE)).optional(false));
        } else {
            builder.addSource(ConfigSources.classpath("application.yaml").optional(true));
        }
        return builder.addSource(ConfigSources.create(DEFAULTS)).build();
    }
}
