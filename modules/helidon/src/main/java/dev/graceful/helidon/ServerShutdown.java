package dev.graceful.helidon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.graceful.ShutdownConfig;
import dev.graceful.spi.ShutdownParticipant;

import io.helidon.common.Weighted;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.http2.Http2Config;
import io.helidon.webserver.http2.Http2ConnectionSelector;
import io.helidon.webserver.http2.Http2Upgrader;
import io.helidon.webserver.spi.ProtocolConfig;
import io.helidon.webserver.spi.ServerConnectionSelector;
import io.helidon.webserver.spi.ServerFeature;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsUpgrader;

/**
 * Assembles graceful shutdown for one Helidon {@link WebServer}: configures the server builder, provides the
 * in-flight filter and readiness check to install, and creates the built-in participants.
 *
 * <p>Typical use:
 * <pre>{@code
 * ServerShutdown shutdown = new ServerShutdown(shutdownConfig);
 * WebServerConfig.Builder builder = WebServer.builder().config(config.get("server"));
 * shutdown.configure(builder);
 * builder.routing(r -> r.get("/", ...));          // the in-flight filter is installed first by configure()
 * builder.addRouting(WsRouting.builder().endpoint("/ws", shutdown.streams().webSocket(listener)));
 * // add shutdown.readiness() to the HealthObserver
 * WebServer server = builder.build();
 * coordinatorBuilder.addAll(shutdown.participants(server));
 * }</pre>
 */
public final class ServerShutdown {

    /**
     * The weight of the kit's server feature: above every Helidon feature (context 1100, access log 1000, security 800,
     * observe 80), so that its filter runs before any other filter, route or feature.
     */
    public static final double FIRST_WEIGHT = 1_000_000;

    private final ShutdownConfig config;
    private final InFlightRequests requests = new InFlightRequests();
    private final OpenConnections connections = new OpenConnections();
    private final OpenStreams streams;
    private final ReadinessGate readiness = new ReadinessGate();
    private Duration restartDelay = Duration.ZERO;

    /**
     * Creates the assembly for one server.
     *
     * @param config the shutdown configuration
     * @throws dev.graceful.ShutdownConfigException naming the key when a setting of {@code streams} is invalid
     */
    public ServerShutdown(ShutdownConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.streams = new OpenStreams(requests, connections, StreamsParticipant.retry(config));
        requests.refuseWith(streams::refused);
        requests.trackConnections(connections);
        connections.incompleteHeadTimeout(ListenerStopParticipant.incompleteHeadTimeout(config));
        connections.readHeaderTimeout(ListenerStopParticipant.readHeaderTimeout(config));
        connections.goAwayGrace(StreamsParticipant.goAwayGrace(config));
        connections.idleGrace(ListenerStopParticipant.idleGrace(config));
        connections.quietClose(ListenerStopParticipant.quietClose(config));
    }

    /**
     * Configures a server builder: Helidon's own shutdown hook off (the coordinator is the only one), the stop grace
     * period of every listener set to the deadline (so Helidon never interrupts a handler before the coordinator
     * decides to), and on every listener, the default one and each named socket, one connection selector whose
     * connections {@link OpenConnections} tracks: HTTP/1.1 with its WebSocket and h2c upgrades, and HTTP/2 with prior
     * knowledge. Protocol settings configured under a listener's {@code protocols} ({@code http_1_1}, {@code http_2},
     * {@code websocket}) apply. Also adds a server feature that installs {@link #requests()} as the first filter of
     * every listener's HTTP routing, ahead of any filter, route or feature of the application's, so the order cannot
     * be got wrong. Runs the startup self-check of the HTTP/2 GOAWAY support, which logs one WARNING when Helidon's
     * internals differ from the expected ones. Call after the builder read its configuration and after its named
     * sockets are added; do not add {@link #requests()} to routing yourself.
     *
     * @param builder the builder of the server
     * @return the same builder
     */
    public WebServerConfig.Builder configure(WebServerConfig.Builder builder) {
        GoAway.isAvailable();
        ConnectionSockets.isAvailable();
        if (!builder.sockets().isEmpty()) {
            ListenerStops.isAvailable();
        }
        Map<String, ListenerConfig> sockets = new LinkedHashMap<>(builder.sockets());
        sockets.forEach((name, socket) -> builder.putSocket(name, ListenerConfig.builder()
                .from(socket)
                .update(b -> configureListener(b, socket.protocols()))
                .build()));
        configureListener(builder, builder.protocols());
        return builder.shutdownHook(false)
                .addFeature(new FirstFilter(requests));
    }

    private void configureListener(ListenerConfig.BuilderBase<?, ?> listener, List<ProtocolConfig> protocols) {
        Http1Config http1 = protocol(protocols, Http1Config.class).orElseGet(Http1Config::create);
        Http2Config http2 = protocol(protocols, Http2Config.class).orElseGet(Http2Config::create);
        WsConfig ws = protocol(protocols, WsConfig.class).orElseGet(WsConfig::create);
        // Helidon adds a selector of its own for each HTTP protocol configured here, and with two selectors it waits
        // for a connection's first bytes outside any connection (see OpenConnections#selector); WebSocket sessions
        // look their configuration up here.
        List<ProtocolConfig> kept = new ArrayList<>();
        for (ProtocolConfig p : protocols) {
            if (!(p instanceof Http1Config) && !(p instanceof Http2Config) && !(p instanceof WsConfig)) {
                kept.add(p);
            }
        }
        kept.add(ws);
        // Connection: close on responses once closing, without a callback per request (InFlightRequests#sendListener)
        Http1Config marking = Http1Config.builder()
                .from(http1)
                .sendListeners(List.of(requests.sendListener(http1.compositeSendListener())))
                .build();
        ServerConnectionSelector h1 = Http1ConnectionSelector.builder()
                .config(marking)
                .addUpgrader(WsUpgrader.create(ws))
                .addUpgrader(connections.tracking(Http2Upgrader.create(http2)))
                .build();
        ServerConnectionSelector h2 = Http2ConnectionSelector.builder().http2Config(http2).build();
        listener.shutdownGracePeriod(config.deadline())
                .protocolsDiscoverServices(false)
                .protocols(kept)
                .connectionSelectors(List.of(connections.selector(h1, h2)));
    }

    /**
     * Sets the least time the {@code readiness} participant keeps serving, with {@code Connection: close}, when the
     * shutdown is a restart hand-over; the configured readiness delay applies when it is longer.
     *
     * @param delay the hand-over delay
     * @return this
     */
    public ServerShutdown restartDelay(Duration delay) {
        this.restartDelay = Objects.requireNonNull(delay, "delay");
        return this;
    }

    /**
     * Returns the in-flight filter; {@link #configure} installs it first on every listener.
     *
     * @return the filter
     */
    public InFlightRequests requests() {
        return requests;
    }

    /**
     * Returns the readiness check; add it to the health observer.
     *
     * @return the check
     */
    public ReadinessGate readiness() {
        return readiness;
    }

    /**
     * Returns the registry of long-lived streams (SSE streams and WebSocket sessions). Its refusal of new streams while
     * they are being wound down runs inside {@link #requests()}, so it needs no filter of its own.
     *
     * @return the registry
     */
    public OpenStreams streams() {
        return streams;
    }

    /**
     * Returns the connection tracker.
     *
     * @return the tracker
     */
    public OpenConnections connections() {
        return connections;
    }

    /**
     * Creates the built-in participants for the built server: {@code readiness}, {@code listener}, {@code streams}
     * and {@code in-flight-requests}.
     *
     * @param server the server built from the configured builder
     * @return the participants, in phase order
     */
    public List<ShutdownParticipant> participants(WebServer server) {
        ListenerStopParticipant listener = new ListenerStopParticipant(server, connections, requests);
        return List.of(new ReadinessParticipant(readiness, requests, config.readinessDelay(), restartDelay,
                                                config.quietPeriod()),
                       listener,
                       new StreamsParticipant(streams),
                       new DrainParticipant(requests, connections, listener.stopped(), config.drainTimeout()));
    }

    private static <T extends ProtocolConfig> Optional<T> protocol(List<ProtocolConfig> protocols, Class<T> type) {
        return protocols.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /**
     * Installs the in-flight filter first on every listener's HTTP routing: features of a higher weight are set up
     * first, and a routing's own filters and routes count as one feature of the default weight.
     */
    private record FirstFilter(InFlightRequests requests) implements ServerFeature, Weighted {
        @Override
        public void setup(ServerFeatureContext context) {
            context.socket(WebServer.DEFAULT_SOCKET_NAME).httpRouting().addFilter(requests);
            context.sockets().forEach(socket -> context.socket(socket).httpRouting().addFilter(requests));
        }

        @Override
        public String name() {
            return "graceful";
        }

        @Override
        public String type() {
            return "graceful";
        }

        @Override
        public double weight() {
            return FIRST_WEIGHT;
        }
    }
}
