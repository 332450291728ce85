package dev.graceful.app;

import java.nio.file.Path;
import java.time.Duration;

import dev.graceful.process.ServiceProcess;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/**
 * End to end: HTTP/2 clients that keep streams in flight on several connections, SIGTERM mid-load.
 */
class Http2LoadIT {

    @TempDir
    Path dir;

    /**
     * This covers a bug where the one GOAWAY, carrying the highest stream id seen so far, refused every stream the
     * client had sent while that GOAWAY was on its way.
     */
    @Test
    void noStreamTheClientHadSentIsRefusedAtSigtermAndTheExitIsZero() throws Exception {
        try (ServiceProcess service = ServiceProcess.start(dir, ServiceProcess.yaml());
             Http2Load load = new Http2Load(service.port(), 8, 8)) {
            load.awaitMore(2_000);
            service.signal("TERM");
            assertThat(service.awaitExit(Duration.ofSeconds(30)), is(0));
            load.awaitEnd();
            System.out.printf("HTTP/2 load at SIGTERM: %d streams served, %d refused, %d failed%n",
                              load.ok(), load.refused().size(), load.failed().size());
            assertThat(load.refused(), is(empty()));
            assertThat(load.failed(), is(empty()));
            JsonObject figures = ServiceProcess.participant(service.report(), "streams").getJsonObject("figures");
            assertThat(figures.getInt("http2-goaway"), is(figures.getInt("http2-connections")));
        }
    }
}
