package dev.graceful.helidon;

import java.util.List;

import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServer;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

/**
 * Pins the Helidon internals that {@link ListenerStops} reaches into. When this fails after a Helidon upgrade, the
 * listeners of a server with named sockets are being stopped one after another (the fallback): re-read
 * {@code LoomServer} and {@code ServerListener} and adapt {@link ListenerStops}.
 */
class ListenerStopsTest {

    @Test
    void findsOneStopPerListenerOfThisHelidonVersion() {
        assertThat(ListenerStops.isAvailable(), is(true));
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .putSocket("admin", ListenerConfig.builder().host("127.0.0.1").port(0).build())
                .shutdownHook(false)
                .build();
        List<Runnable> stops = ListenerStops.of(server);
        assertThat(stops, hasSize(2));
    }
}
