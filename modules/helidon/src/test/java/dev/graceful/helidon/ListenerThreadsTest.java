package dev.graceful.helidon;

import java.time.Duration;
import java.util.List;

import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServer;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.is;

/**
 * Pins the Helidon internal that {@link ListenerThreads} relies on: each socket's accept thread is named
 * {@code server-<socket>-listener} and ends when the server stops. Fails on a Helidon version that does otherwise.
 */
class ListenerThreadsTest {

    @Test
    void findsTheAcceptThreadOfEverySocketAndEachEndsWithTheServer() throws Exception {
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .putSocket("admin", ListenerConfig.builder().name("admin").host("127.0.0.1").port(0).build())
                .routing(r -> r.get("/", (req, res) -> res.send("ok")))
                .build()
                .start();
        List<List<Thread>> groups;
        try {
            groups = ListenerThreads.of(server);
            assertThat(groups.stream().map(g -> g.getFirst().getName()).toList(),
                       containsInAnyOrder("server-@default-listener", "server-admin-listener"));
            for (List<Thread> group : groups) {
                assertThat(group.getFirst().isVirtual(), is(false));
            }
        } finally {
            server.stop();
        }
        for (List<Thread> group : groups) {
            group.getFirst().join(Duration.ofSeconds(10));
            assertThat(group.getFirst().getName() + " ended with the server", group.getFirst().isAlive(), is(false));
        }
    }
}
