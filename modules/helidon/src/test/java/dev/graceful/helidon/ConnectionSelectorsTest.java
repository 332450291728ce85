package dev.graceful.helidon;

import dev.graceful.ShutdownConfig;
import dev.graceful.wire.RawHttp2Connection;
import dev.graceful.wire.RawHttpConnection;

import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Pins the Helidon behaviour that {@link ServerShutdown#configure} relies on when it replaces the connection selectors
 * of every listener: with protocol discovery off and the HTTP protocols taken out of a listener's protocols, Helidon
 * serves every connection through the one selector it is given. When this fails after a Helidon upgrade, some
 * connections are served by a selector of Helidon's own that {@link OpenConnections} never sees, so the stop neither
 * waits for nor closes them: re-read {@code ServerListener} and {@code ListenerConfig}, and adapt
 * {@code ServerShutdown#configureListener}.
 */
class ConnectionSelectorsTest {

    @Test
    void everyListenerServesHttp1AndHttp2ThroughTheTrackingSelector() throws Exception {
        ServerShutdown shutdown = new ServerShutdown(ShutdownConfig.defaults());
        WebServerConfig.Builder builder = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .featuresDiscoverServices(false)
                .putSocket("admin", ListenerConfig.builder().host("127.0.0.1").port(0).build());
        shutdown.configure(builder);
        builder.routing(routing -> routing.get("/", (req, res) -> res.send("hello")));
        WebServer server = builder.build().start();
        OpenConnections connections = shutdown.connections();
        try (RawHttpConnection http1 = RawHttpConnection.open(server.port())) {
            assertThat(http1.get("/").status(), is(200));
            assertThat("the default listener's HTTP/1.1 connection is tracked", connections.size(), is(1));
            try (RawHttpConnection admin = RawHttpConnection.open(server.port("admin"))) {
                assertThat(admin.get("/").status(), is(404));
                assertThat("the named listener's connection is tracked", connections.size(), is(2));
                try (RawHttp2Connection http2 = RawHttp2Connection.connect(server.port())) {
                    http2.get(1, "/");
                    RawHttp2Connection.Frame answer = http2.read();
                    while (answer != null && answer.type() != RawHttp2Connection.HEADERS) {
                        answer = http2.read();
                    }
                    assertThat("a HEADERS frame before the end", answer != null, is(true));
                    assertThat(answer.status(), is(200));
                    assertThat("the HTTP/2 connection (prior knowledge) is tracked", connections.size(), is(3));
                }
            }
        } finally {
            server.stop();
        }
    }
}
