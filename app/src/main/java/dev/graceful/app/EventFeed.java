package dev.graceful.app;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.graceful.helidon.SseStream;

import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import jakarta.json.Json;

/**
 * The live feed of acknowledged events: {@link #publish} hands each event that {@code POST /events} has acknowledged
 * to every open SSE stream ({@code GET /events/stream}) and WebSocket session ({@code /ws/events}). A subscriber
 * that cannot keep up misses events; nothing here blocks the acknowledging request. Thread-safe.
 */
final class EventFeed {

    private static final System.Logger LOG = System.getLogger(EventFeed.class.getName());

    private final Set<SseStream> streams = ConcurrentHashMap.newKeySet();
    private final Set<WsSession> sessions = ConcurrentHashMap.newKeySet();

    void publish(EventStore.Event event) {
        String json = "{\"id\":" + Json.createValue(event.id()) + ",\"payload\":" + event.payload() + "}";
        SseStream.Event sse = new SseStream.Event("event", event.id(), json);
        for (SseStream s : streams) {
            s.offer(sse);
        }
        for (WsSession s : sessions) {
            try {
                s.send(json, true);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "A WebSocket subscriber has gone", e);
                sessions.remove(s);
            }
        }
    }

    void subscribe(SseStream stream) {
        streams.add(Objects.requireNonNull(stream, "stream"));
    }

    void unsubscribe(SseStream stream) {
        streams.remove(stream);
    }

    /** The WebSocket endpoint: greets with {@code {"type":"open"}}, then sends each event as a JSON text message. */
    WsListener webSocket() {
        return new WsListener() {
            @Override
            public void onOpen(WsSession session) {
                sessions.add(session);
                session.send("{\"type\":\"open\"}", true);
            }

            @Override
            public void onClose(WsSession session, int status, String reason) {
                sessions.remove(session);
            }

            @Override
            public void onError(WsSession session, Throwable t) {
                sessions.remove(session);
            }
        };
    }
}
