package dev.graceful.launcher;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
    private static final String CLASSPATH_FILE = "application.yaml";
    private static final Map<String, String> DEFAULTS = Map.of("server.port", "8080");
    /**
     * The types whose parsers resolve nothing relative to the file (see {@link #fileSource}), by name: a set of the
     * {@code MediaType} records would hash them, and the first hash of a record builds its {@code hashCode} from
     * method handles, five classes generated at run time that nothing else of a start needs.
     */
    private static final Set<String> READ_HERE = Set.of(MediaTypes.APPLICATION_X_YAML.text(),
                                                        MediaTypes.APPLICATION_YAML.text(),
                                                        MediaTypes.TEXT_PROPERTIES.text());

    private ConfigLookup() {
    }

    /**
     * Loads the configuration.
     *
     * @param explicit the {@code --config} argument
     * @throws ShutdownConfigException naming {@code --config} or {@code GRACEFUL_CONFIG} when the file it gives does
     *                                 not exist, and the file when it cannot be read
     * @throws ConfigException         when the file's content is not valid for its type, its message starting with
     *                                 {@code loading PATH:}
     */
    static Config load(Optional<String> explicit) {
        Optional<Path> file = explicit
                .or(() -> Optional.ofNullable(System.getenv(GracefulServer.CONFIG_ENV)).filter(s -> !s.isBlank()))
                .map(Path::of);
        Config.Builder builder = Config.builder();
        String loaded;
        if (file.isPresent()) {
            Path path = file.get();
            if (!Files.isRegularFile(path)) {
                throw new ShutdownConfigException(explicit.isPresent() ? "--config" : GracefulServer.CONFIG_ENV,
                                                  path.toString(),
                                                  "the configuration file does not exist or is not a file");
            }
            builder.addSource(fileSource(path));
            loaded = path.toString();
        } else if (Files.isRegularFile(Path.of(DEFAULT_FILE))) {
            builder.addSource(fileSource(Path.of(DEFAULT_FILE)));
            loaded = DEFAULT_FILE;
        } else {
            classpathSource().ifPresent(builder::addSource);
            loaded = "classpath:" + CLASSPATH_FILE;
        }
        try {
            return builder.addSource(ConfigSources.create(DEFAULTS)).build();
        } catch (ConfigException e) {
            // Helidon's YAML parser names neither the file nor a source: "in 'reader', line 2, column 9"
            throw new ConfigException("loading " + loaded + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code application.yaml} on the class path (the context class loader's, where Helidon's class-path source
     * looks), if there is one, read as {@link #fileSource} reads a file: the same classes either way, so a class
     * cache made by a run that reads the jar's copy holds what a start that reads a file needs.
     */
    private static Optional<ConfigSource> classpathSource() {
        ClassLoader loader = Optional.ofNullable(Thread.currentThread().getContextClassLoader())
                .orElse(ConfigLookup.class.getClassLoader());
        try (InputStream in = loader.getResourceAsStream(CLASSPATH_FILE)) {
            // typed by its name, as a file is
            return in == null ? Optional.empty()
                    : Optional.of(ConfigSources.create(new ByteArrayInputStream(in.readAllBytes()),
                                                       MediaTypes.detectType(CLASSPATH_FILE)
                                                               .orElse(MediaTypes.APPLICATION_YAML)));
        } catch (IOException e) {
            throw new ShutdownConfigException("configuration file", "classpath:" + CLASSPATH_FILE,
                                              "cannot be read: " + e);
        }
    }

    /**
     * A YAML or properties file: its content, read here and handed to Helidon's parser for that type. Helidon's file
     * source also takes a digest of the file, for watching it for changes, which a service started this way does not
     * do; its first {@code MessageDigest} sets up the JDK's security providers, about 15 ms of the start that nothing
     * else needs. Any other file goes to Helidon's file source: a HOCON or JSON file (with {@code
     * helidon-config-hocon}) may include files named relative to its own, which only that source resolves, and of a
     * file whose name says no type that source says what it cannot parse.
     */
    private static ConfigSource fileSource(Path path) {
        Optional<MediaType> type = MediaTypes.detectType(path).filter(detected -> READ_HERE.contains(detected.text()));
        if (type.isEmpty()) {
            return ConfigSources.file(path).optional(false).build();
        }
        try {
            return ConfigSources.create(new ByteArrayInputStream(Files.readAllBytes(path)), type.get());
        } catch (IOException e) {
            throw new ShutdownConfigException("configuration file", path.toString(), "cannot be read: " + e);
        }
    }
}
