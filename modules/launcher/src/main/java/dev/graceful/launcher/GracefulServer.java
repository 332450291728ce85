package dev.graceful.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

import dev.graceful.spi.ShutdownParticipant;

import io.helidon.config.Config;
import io.helidon.health.HealthCheck;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.websocket.WsListener;

/**
 * A Helidon SE service that stops and restarts gracefully: the one entry point a service's {@code main} calls.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     GracefulServer.builder()
 *             .routing(r -> r.get("/", (req, res) -> res.send("hello")))
 *             .build()
 *             .run(args);
 * }
 * }</pre>
 *
 * <p>{@link #run(String...)} owns the process: it reads the configuration ({@code --config PATH}, else
 * {@code $GRACEFUL_CONFIG}, else {@code ./config/application.yaml}, else {@code application.yaml} on the class path;
 * environment variables and system properties override any key), validates it before any port is bound, starts the
 * server with graceful shutdown installed on every listener, and then: SIGTERM or SIGINT runs the graceful stop once
 * (a second one forces it), SIGHUP restarts with zero downtime, {@code System.exit} from elsewhere runs the same single
 * sequence; the report goes to stderr and the process exits with a documented {@link ExitCode}.
 *
 * <p>{@link #start()} is the embeddable form, for tests: it serves and returns a {@link RunningServer} whose
 * {@link RunningServer#stop} returns the report. It handles no signal and never exits the process.
 *
 * <p>An instance is immutable and may be started more than once (each start builds a new server).
 */
public final class GracefulServer {

    /** Environment variable naming the configuration file, as {@code --config} does. */
    public static final String CONFIG_ENV = "GRACEFUL_CONFIG";

    private final List<Consumer<ServerSetup>> steps;
    private final Optional<Config> config;

    private GracefulServer(Builder builder) {
        this.steps = List.copyOf(builder.steps);
        this.config = builder.config;
    }

    /**
     * Returns a new builder.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the service as this process: parses {@code args} ({@code --config PATH}, {@code --print-plan[=json]},
     * {@code --help}), serves until a signal stops it, and exits the JVM with the {@link ExitCode}. Does not return.
     * When the service cannot start, it prints why on stderr and exits with {@link ExitCode#INVALID_CONFIG},
     * {@link ExitCode#STARTUP_FAILED} or {@link ExitCode#USAGE}.
     *
     * @param args the command line
     */
    public void run(String... args) {
        new ProcessOwner(this).run(args);
    }

    /**
     * Starts the service in this JVM, without signals and without ever exiting the process: for tests and for
     * applications that own their process. Uses the configuration given to the builder, else the same lookup as
     * {@link #run} without a {@code --config}.
     *
     * @return the running service
     * @throws StartupException when the configuration is invalid or the service cannot start; its
     *                          {@link StartupException#exitCode()} says which
     */
    public RunningServer start() {
        return Assembly.assemble(this, Optional.empty(), null).start();
    }

    List<Consumer<ServerSetup>> steps() {
        return steps;
    }

    Optional<Config> config() {
        return config;
    }

    /**
     * Builds a {@link GracefulServer}. Registrations keep their order; every method but {@link #config} may be called
     * any number of times. Not thread-safe.
     */
    public static final class Builder {
        private final List<Consumer<ServerSetup>> steps = new ArrayList<>();
        private Optional<Config> config = Optional.empty();

        private Builder() {
        }

        /**
         * Uses this root configuration instead of looking one up; {@code --config} is then refused.
         *
         * @param config the root configuration (the node that holds {@code server} and {@code shutdown})
         * @return this
         */
        public Builder config(Config config) {
            this.config = Optional.of(Objects.requireNonNull(config, "config"));
            return this;
        }

        /**
         * Adds a step that needs the loaded configuration, or the stream registry, to contribute its part: it runs
         * once per start, before the server is built. Any other method of this builder is a shorthand for such a
         * step. A {@link io.helidon.config.ConfigException} or {@link IllegalArgumentException} it throws means
         * invalid configuration (exit code 78); any other exception means the service cannot start (69).
         *
         * @param step contributes to the server
         * @return this
         */
        public Builder setup(Consumer<ServerSetup> step) {
            steps.add(Objects.requireNonNull(step, "step"));
            return this;
        }

        /**
         * Adds HTTP routing to the default listener; see {@link ServerSetup#routing(Consumer)}.
         *
         * @param routing registers routes, services and filters
         * @return this
         */
        public Builder routing(Consumer<HttpRouting.Builder> routing) {
            Objects.requireNonNull(routing, "routing");
            return setup(s -> s.routing(routing));
        }

        /**
         * Adds HTTP routing to a named listener; see {@link ServerSetup#routing(String, Consumer)}.
         *
         * @param socket  the listener's name
         * @param routing registers routes, services and filters
         * @return this
         */
        public Builder routing(String socket, Consumer<HttpRouting.Builder> routing) {
            Objects.requireNonNull(socket, "socket");
            Objects.requireNonNull(routing, "routing");
            return setup(s -> s.routing(socket, routing));
        }

        /**
         * Adds a tracked WebSocket endpoint; see {@link ServerSetup#webSocket}.
         *
         * @param path     the endpoint's path
         * @param listener the application's listener
         * @return this
         */
        public Builder webSocket(String path, WsListener listener) {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(listener, "listener");
            return setup(s -> s.webSocket(path, listener));
        }

        /**
         * Customises the server builder; see {@link ServerSetup#server}.
         *
         * @param customizer changes the builder
         * @return this
         */
        public Builder server(Consumer<WebServerConfig.Builder> customizer) {
            Objects.requireNonNull(customizer, "customizer");
            return setup(s -> s.server(customizer));
        }

        /**
         * Adds a health check next to the readiness gate; see {@link ServerSetup#healthCheck}.
         *
         * @param check the check
         * @return this
         */
        public Builder healthCheck(HealthCheck check) {
            Objects.requireNonNull(check, "check");
            return setup(s -> s.healthCheck(check));
        }

        /**
         * Adds a shutdown participant; see {@link ServerSetup#participant}.
         *
         * @param participant the participant
         * @return this
         */
        public Builder participant(ShutdownParticipant participant) {
            Objects.requireNonNull(participant, "participant");
            return setup(s -> s.participant(participant));
        }

        /**
         * Builds the service description; nothing is read, bound or started yet.
         *
         * @return the service
         */
        public GracefulServer build() {
            return new GracefulServer(this);
        }
    }
}
