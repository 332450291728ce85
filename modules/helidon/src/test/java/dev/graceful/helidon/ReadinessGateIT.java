package dev.graceful.helidon;

import io.helidon.http.Status;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientResponse;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The readiness gate behind Helidon's health endpoints, installed as {@code app}'s {@code Main} does it: an
 * {@link ObserveFeature} with a {@link HealthObserver} holding the gate, and no features discovered from the class
 * path. The server is bound to 127.0.0.1 and owned by {@code @ServerTest}.
 */
@ServerTest
class ReadinessGateIT {

    /** Created with the server, once per run of this class: a closed gate stays closed. */
    private static ReadinessGate gate;

    private final Http1Client client;

    ReadinessGateIT(WebServer server) {
        this.client = Http1Client.builder()
                .baseUri("http://127.0.0.1:" + server.port())
                .build();
    }

    @SetUpServer
    static void server(WebServerConfig.Builder server) {
        gate = new ReadinessGate();
        server.host("127.0.0.1")
                .featuresDiscoverServices(false)
                .addFeature(ObserveFeature.just(HealthObserver.create(gate)));
    }

    @AfterEach
    void closeClient() {
        client.closeResource();
    }

    /** One test, because a closed gate stays closed and the server is shared by the class. */
    @Test
    void readinessGoesDownWhenTheGateClosesWhileLivenessStaysUp() {
        assertThat(gate.isOpen(), is(true));
        assertThat(status("/observe/health/ready"), is(Status.NO_CONTENT_204));
        assertThat(status("/observe/health/live"), is(Status.NO_CONTENT_204));
        assertThat(status("/observe/health"), is(Status.NO_CONTENT_204));

        gate.close();

        assertThat(gate.isOpen(), is(false));
        assertThat(status("/observe/health/ready"), is(Status.SERVICE_UNAVAILABLE_503));
        assertThat(status("/observe/health/live"), is(Status.NO_CONTENT_204));
        assertThat(status("/observe/health"), is(Status.SERVICE_UNAVAILABLE_503));
    }

    private Status status(String path) {
        try (Http1ClientResponse response = client.get(path).request()) {
            return response.status();
        }
    }
}
