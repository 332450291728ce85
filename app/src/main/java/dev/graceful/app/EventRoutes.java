package dev.graceful.app;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import dev.graceful.helidon.OpenStreams;
import dev.graceful.helidon.SseStream;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * {@code POST /events} acknowledges an event (202) once the write-behind buffer holds it, and publishes it to the
 * live feed; {@code GET /events/stream} is that feed as server-sent events; {@code GET /events/count} and
 * {@code GET /events/{id}} read the database.
 */
final class EventRoutes {

    static final int MAX_ID_LENGTH = 200;
    /** Longest silence on an event stream: a comment is sent then, so that a client that has gone is noticed. */
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final EventBuffer buffer;
    private final EventStore store;
    private final int maxBodyBytes;
    private final EventFeed feed;
    private final OpenStreams streams;

    EventRoutes(EventBuffer buffer, EventStore store, int maxBodyBytes, EventFeed feed, OpenStreams streams) {
        this.buffer = Objects.requireNonNull(buffer, "buffer");
        this.store = Objects.requireNonNull(store, "store");
        this.maxBodyBytes = maxBodyBytes;
        this.feed = Objects.requireNonNull(feed, "feed");
        this.streams = Objects.requireNonNull(streams, "streams");
    }

    void register(HttpRouting.Builder routing) {
        routing.post("/events", this::post)
                .get("/events/stream", this::stream)
                .get("/events/count", this::count)
                .get("/events/{id}", this::get);
    }

    private void stream(ServerRequest req, ServerResponse res) throws InterruptedException {
        Optional<SseStream> opened = streams.sse(req, res);
        if (opened.isEmpty()) {
            return;
        }
        try (SseStream stream = opened.get()) {
            feed.subscribe(stream);
            stream.run(HEARTBEAT);
        } finally {
            feed.unsubscribe(opened.get());
        }
    }

    private void post(ServerRequest req, ServerResponse res) throws IOException {
        byte[] body;
        try (InputStream in = req.content().inputStream()) {
            body = in.readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                in.transferTo(OutputSink.INSTANCE);
                json(res, Status.BAD_REQUEST_400, error("request body exceeds " + maxBodyBytes + " bytes"));
                return;
            }
        }
        JsonObject event;
        try {
            JsonValue value = Json.createReader(new ByteArrayInputStream(body)).readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                json(res, Status.BAD_REQUEST_400, error("expected a JSON object {\"id\": \"...\", \"payload\": ...}"));
                return;
            }
            event = value.asJsonObject();
        } catch (RuntimeException e) {
            // A JsonException, or the plain RuntimeException Parsson throws for input nested deeper than its limit:
            // either way the client's own error.
            json(res, Status.BAD_REQUEST_400, error("malformed JSON: " + e.getMessage()));
            return;
        }
        JsonValue id = event.get("id");
        if (!(id instanceof JsonString idString) || idString.getString().isBlank()
                || idString.getString().length() > MAX_ID_LENGTH) {
            json(res, Status.BAD_REQUEST_400,
                 error("field 'id' is required: a non-empty string of at most " + MAX_ID_LENGTH + " characters"));
            return;
        }
        if (!event.containsKey("payload")) {
            json(res, Status.BAD_REQUEST_400, error("field 'payload' is required (any JSON value)"));
            return;
        }
        EventStore.Event e = new EventStore.Event(idString.getString(), event.get("payload").toString(),
                                                  System.currentTimeMillis());
        switch (buffer.offer(e)) {
        case ACCEPTED -> {
            json(res, Status.ACCEPTED_202, Json.createObjectBuilder()
                    .add("id", e.id()).add("status", "accepted").build().toString());
            feed.publish(e);
        }
        case CLOSED -> {
            res.header(HeaderNames.RETRY_AFTER, "1");
            json(res, Status.SERVICE_UNAVAILABLE_503, error("shutting down; event not accepted, retry elsewhere"));
        }
        default -> {
            res.header(HeaderNames.RETRY_AFTER, "1");
            json(res, Status.SERVICE_UNAVAILABLE_503, error("event buffer full; event not accepted, retry later"));
        }
        }
    }

    private void count(ServerRequest req, ServerResponse res) throws SQLException {
        json(res, Status.OK_200, Json.createObjectBuilder().add("count", store.count()).build().toString());
    }

    private void get(ServerRequest req, ServerResponse res) throws SQLException {
        String id = req.path().pathParameters().get("id");
        Optional<String> payload = store.payload(id);
        if (payload.isEmpty()) {
            json(res, Status.NOT_FOUND_404, error("no event with id '" + id + "'"));
            return;
        }
        JsonValue value = Json.createReader(new StringReader(payload.get())).readValue();
        json(res, Status.OK_200, Json.createObjectBuilder().add("id", id).add("payload", value).build().toString());
    }

    private static String error(String message) {
        return Json.createObjectBuilder().add("error", message).build().toString();
    }

    private static void json(ServerResponse res, Status status, String body) {
        res.status(status).header(HeaderValues.CONTENT_TYPE_JSON).send(body);
    }

    /** Discards the rest of an oversized body so the connection stays usable. */
    private static final class OutputSink extends java.io.OutputStream {
        static final OutputSink INSTANCE = new OutputSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
