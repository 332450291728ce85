package dev.graceful.app;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.graceful.Durations;
import dev.graceful.helidon.OpenStreams;
import dev.graceful.helidon.SseStream;

import io.helidon.http.HeaderName;
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
 * {@code POST /events} acknowledges an event (202): with {@link Ack#COMMITTED} (the default) once the transaction
 * that stores it has committed, with {@link Ack#BUFFERED} once the queue in front of the database holds it.
 * {@code GET /events/stream} is the feed of stored events as server-sent events, resumable with
 * {@code Last-Event-ID}; {@code GET /events/count} and {@code GET /events/{id}} read the database.
 */
final class EventRoutes {

    static final int MAX_ID_LENGTH = 200;
    /** Longest silence on an event stream: a comment is sent then, so that a client that has gone is noticed. */
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    private static final HeaderName LAST_EVENT_ID = HeaderNames.create("Last-Event-ID");

    /** When {@code POST /events} answers 202 ({@code app.events.ack}). */
    enum Ack {
        /** Once the event's batch has committed: it survives SIGKILL (and, with durability full, power loss). */
        COMMITTED,
        /** Once the queue holds it: faster; what is queued is lost on SIGKILL (a graceful stop stores it). */
        BUFFERED
    }

    private final EventBuffer buffer;
    private final EventStore store;
    private final int maxBodyBytes;
    private final EventFeed feed;
    private final OpenStreams streams;
    private final Ack ack;
    private final Duration commitTimeout;

    EventRoutes(EventBuffer buffer, EventStore store, int maxBodyBytes, EventFeed feed, OpenStreams streams, Ack ack,
                Duration commitTimeout) {
        this.buffer = Objects.requireNonNull(buffer, "buffer");
        this.store = Objects.requireNonNull(store, "store");
        this.maxBodyBytes = maxBodyBytes;
        this.feed = Objects.requireNonNull(feed, "feed");
        this.streams = Objects.requireNonNull(streams, "streams");
        this.ack = Objects.requireNonNull(ack, "ack");
        this.commitTimeout = Objects.requireNonNull(commitTimeout, "commitTimeout");
    }

    void register(HttpRouting.Builder routing) {
        routing.post("/events", this::post)
                .get("/events/stream", this::stream)
                .get("/events/count", this::count)
                .get("/events/{id}", this::get);
    }

    private void stream(ServerRequest req, ServerResponse res) throws InterruptedException, SQLException {
        Optional<String> lastEventId = req.headers().first(LAST_EVENT_ID).or(() -> req.query().first("lastEventId")
                .asOptional());
        EventFeed.Start start;
        if (lastEventId.isEmpty() || lastEventId.get().isBlank()) {
            start = feed.start(OptionalLong.empty());
        } else {
            long after;
            try {
                after = Long.parseLong(lastEventId.get().strip());
            } catch (NumberFormatException e) {
                after = -1;
            }
            // Not a 400: an EventSource never reconnects after one. An id this feed did not send (an event id of
            // the version before seq, say) gets a reset event and the live feed.
            start = after < 0 ? feed.unknown(lastEventId.get()) : feed.start(OptionalLong.of(after));
        }
        Optional<SseStream> opened = streams.sse(req, res);
        if (opened.isEmpty()) {
            return;
        }
        try (SseStream stream = opened.get()) {
            feed.follow(stream, start);
            stream.run(HEARTBEAT);
        }
    }

    private void post(ServerRequest req, ServerResponse res) throws IOException {
        byte[] body;
        try (InputStream in = req.content().inputStream()) {
            body = in.readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
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
        CompletableFuture<Void> committed = new CompletableFuture<>();
        switch (buffer.offer(e, committed)) {
        case ACCEPTED -> {
            if (ack == Ack.BUFFERED || awaitCommit(committed, res)) {
                json(res, Status.ACCEPTED_202, Json.createObjectBuilder()
                        .add("id", e.id()).add("status", ack == Ack.BUFFERED ? "accepted" : "stored").build()
                        .toString());
            }
        }
        case CLOSED -> unavailable(res, "shutting down; event not accepted, retry elsewhere");
        default -> unavailable(res, "event queue full; event not accepted, retry later");
        }
    }

    /**
     * Waits, within the commit timeout, for the event's batch to commit; on time out answers 503 with
     * {@code Retry-After} and returns {@code false}. An event no batch has taken yet is taken back (it will not be
     * stored); one being written then is waited for once more, and if it is still not done, the 503 says it may be
     * stored: a retry with the same id is safe, since ids are stored once.
     */
    private boolean awaitCommit(CompletableFuture<Void> committed, ServerResponse res) {
        try {
            committed.get(commitTimeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            if (!buffer.withdraw(committed)) {
                try {
                    committed.get(commitTimeout.toNanos(), TimeUnit.NANOSECONDS);
                    return true;
                } catch (TimeoutException | ExecutionException again) {
                    unavailable(res, "the database did not commit the event within " + Durations.format(commitTimeout)
                            + " twice; it may be stored: retrying with the same id is safe");
                    return false;
                } catch (InterruptedException again) {
                    Thread.currentThread().interrupt();
                    unavailable(res, "interrupted while the event was being stored; it may be stored: retrying with "
                            + "the same id is safe");
                    return false;
                }
            }
            unavailable(res, "the database did not take the event within " + Durations.format(commitTimeout)
                    + "; not stored, retry later");
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a commit future never fails", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            boolean withdrawn = buffer.withdraw(committed);
            unavailable(res, "interrupted while waiting for the database; " + (withdrawn ? "not stored"
                    : "it may be stored: retrying with the same id is safe"));
            return false;
        }
    }

    private static void unavailable(ServerResponse res, String message) {
        res.header(HeaderNames.RETRY_AFTER, "1");
        json(res, Status.SERVICE_UNAVAILABLE_503, error(message));
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
}
