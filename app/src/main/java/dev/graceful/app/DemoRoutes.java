package dev.graceful.app;

import java.util.Objects;
import java.util.Optional;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The demo endpoints: {@code GET /} answers at once, {@code GET /work?ms=N} sleeps N ms first.
 */
final class DemoRoutes {

    private final String greeting;
    private final long maxWorkMillis;

    DemoRoutes(String greeting, long maxWorkMillis) {
        this.greeting = Objects.requireNonNull(greeting, "greeting");
        this.maxWorkMillis = maxWorkMillis;
    }

    void register(HttpRouting.Builder routing) {
        routing.get("/", (req, res) -> res.send(greeting + "\n"))
                .get("/work", this::work);
    }

    private void work(ServerRequest req, ServerResponse res) throws InterruptedException {
        Optional<String> raw = req.query().first("ms").asOptional();
        if (raw.isEmpty()) {
            badRequest(res, "query parameter 'ms' is required: GET /work?ms=N with 0 <= N <= " + maxWorkMillis);
            return;
        }
        long ms;
        try {
            ms = Long.parseLong(raw.get().strip());
        } catch (NumberFormatException e) {
            badRequest(res, "query parameter 'ms' must be a whole number of milliseconds from 0 to " + maxWorkMillis
                    + "; got '" + raw.get() + "'");
            return;
        }
        if (ms < 0 || ms > maxWorkMillis) {
            badRequest(res, "query parameter 'ms' must be from 0 to " + maxWorkMillis + "; got " + ms);
            return;
        }
        Thread.sleep(ms);
        res.send("worked " + ms + " ms\n");
    }

    private static void badRequest(ServerResponse res, String message) {
        res.status(Status.BAD_REQUEST_400).send(message + "\n");
    }
}
