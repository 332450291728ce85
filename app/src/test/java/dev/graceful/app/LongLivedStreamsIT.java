package dev.graceful.app;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.graceful.process.ServiceProcess;
import dev.graceful.wire.RawHttp2Connection;
import dev.graceful.wire.RawHttpConnection;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;

/**
 * End to end: long-lived connections at SIGTERM, on the real jar. Server-sent event streams get a final
 * {@code event: shutdown} with {@code retry:} and end cleanly, WebSocket sessions get close code 1001, an HTTP/2
 * connection gets a GOAWAY with a last-stream id covering its stream in flight and then the complete response; none
 * of them holds the drain, and the report counts each kind.
 */
class LongLivedStreamsIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void cleanUp() throws Exception {
        clients.shutdownNow();
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    @Test
    void twentySseClientsGetTheFinalEventWithRetryAndACleanEndAtSigterm() throws Exception {
        ServiceProcess service = start();
        int port = service.port();
        List<SseClient> streams = openSse(port, 20);
        assertThat("open event streams are not requests in flight (the probe is)", service.inFlight(), is(1L));

        try (RawHttpConnection http = RawHttpConnection.open(port)) {
            assertThat(http.post("/events", "{\"id\":\"live-1\",\"payload\":{\"n\":1}}").status(), is(202));
        }
        for (SseClient s : streams) {
            List<String> event = s.next();
            // issue 16: the SSE id is the event's place in the stored order (the first event stored: 1)
            assertThat(event, hasItem("id: 1"));
            assertThat(event, hasItem("data: {\"seq\":1,\"id\":\"live-1\",\"payload\":{\"n\":1}}"));
        }

        List<Future<SseEnd>> ends = new ArrayList<>();
        for (SseClient s : streams) {
            ends.add(clients.submit(() -> readToEnd(s)));
        }
        long sent = signal(service, "TERM");
        long slowest = 0;
        for (Future<SseEnd> f : ends) {
            SseEnd end = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(end.finalEvent(), hasItem("event: shutdown"));
            assertThat(end.finalEvent(), hasItem("retry: 1000"));
            assertThat("connection closed after the last chunk", end.closedByServer(), is(true));
            slowest = Math.max(slowest, end.endedAt() - sent);
        }
        int code = service.awaitExit(WAIT);
        long exitMillis = (System.nanoTime() - sent) / 1_000_000;
        System.out.printf("20 SSE streams: slowest clean end %d ms after kill -TERM; exit after %d ms%n",
                          slowest / 1_000_000, exitMillis);
        assertThat("every stream ended soon after SIGTERM", slowest / 1_000_000, lessThan(2_000L));
        assertThat(exitMillis, lessThan(5_000L));
        assertThat(code, is(0));

        JsonObject report = service.report();
        JsonObject figures = figures(report, "streams");
        assertThat(ServiceProcess.participant(report, "streams").getString("outcome"), is("COMPLETED"));
        assertThat(figures.getInt("sse-streams"), is(20));
        assertThat(figures.getInt("sse-closed"), is(20));
        assertThat(figures.getInt("sse-cut"), is(0));
        assertThat("streams did not count as requests to drain",
                   figures(report, "in-flight-requests").getInt("in-flight-at-start"), is(0));
    }

    @Test
    void twentyWebSocketClientsSeeGoingAwayAndNone1006AtSigterm() throws Exception {
        ServiceProcess service = start();
        List<WsClient> sessions = openWebSockets(service.port(), 20);

        long sent = signal(service, "TERM");
        List<String> problems = new ArrayList<>();
        long slowest = 0;
        for (WsClient ws : sessions) {
            try {
                int status = ws.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                if (status != 1001) {
                    problems.add("onClose(" + status + ", " + ws.reason + ")");
                }
                slowest = Math.max(slowest, ws.closedAt - sent);
            } catch (java.util.concurrent.ExecutionException e) {
                problems.add("onError: " + e.getCause());
            }
        }
        int code = service.awaitExit(WAIT);
        System.out.printf("20 WebSocket sessions: slowest onClose(1001) %d ms after kill -TERM%n",
                          slowest / 1_000_000);
        assertThat(problems, is(empty()));
        assertThat(code, is(0));
        JsonObject figures = figures(service.report(), "streams");
        assertThat(figures.getInt("websocket-sessions"), is(20));
        assertThat(figures.getInt("websocket-closed-1001"), is(20));
        assertThat(figures.getInt("websocket-cut"), is(0));
    }

    @Test
    void http2ClientWithASlowRequestGetsGoAwayThenTheComplete200() throws Exception {
        ServiceProcess service = start();
        RawHttp2Connection h2 = RawHttp2Connection.connect(service.port());
        toClose.add(h2);
        h2.get(1, "/");
        assertThat(awaitResponse(h2, 1).status(), is(200));
        h2.get(3, "/work?ms=1500");
        service.awaitInFlight(2, WAIT);

        long sent = signal(service, "TERM");
        List<RawHttp2Connection.Frame> frames = new ArrayList<>();
        RawHttp2Connection.Frame f;
        while ((f = h2.read()) != null) {
            frames.add(f);
        }
        int goAway = indexOf(frames, RawHttp2Connection.GOAWAY);
        int end = lastEndOfStream(frames, 3);
        System.out.println("HTTP/2 frames after kill -TERM: " + frames);
        assertThat("a GOAWAY arrived", goAway, greaterThanOrEqualTo(0));
        RawHttp2Connection.Frame frame = frames.get(goAway);
        System.out.printf("GOAWAY %d ms after kill -TERM; response end %d ms after it%n",
                          (frame.atNanos() - sent) / 1_000_000,
                          end < 0 ? -1 : (frames.get(end).atNanos() - frame.atNanos()) / 1_000_000);
        assertThat("NO_ERROR", frame.errorCode(), is(0));
        assertThat("last-stream id covers the stream in flight", frame.lastStreamId(), greaterThanOrEqualTo(3));
        assertThat("the response ends after the GOAWAY", end, greaterThanOrEqualTo(goAway));
        assertThat(headersOf(frames, 3).status(), is(200));
        assertThat(bodyOf(frames, 3), is("worked 1500 ms\n"));
        assertThat(service.awaitExit(WAIT), is(0));
        JsonObject figures = figures(service.report(), "streams");
        // ServiceProcess's metrics probe is a JDK client too, and it keeps an h2c connection of its own.
        assertThat(figures.getInt("http2-connections"), greaterThanOrEqualTo(1));
        assertThat(figures.getInt("http2-goaway"), is(figures.getInt("http2-connections")));
    }

    @Test
    void sseWebSocketHttp1AndHttp2AllAtOnceAtSigterm() throws Exception {
        ServiceProcess service = start();
        int port = service.port();
        List<SseClient> streams = openSse(port, 5);
        List<WsClient> sessions = openWebSockets(port, 5);
        List<Future<RawHttpConnection.Response>> http1 = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            http1.add(clients.submit(() -> {
                try (RawHttpConnection http = RawHttpConnection.open(port)) {
                    return http.get("/work?ms=1500");
                }
            }));
        }
        RawHttp2Connection h2 = RawHttp2Connection.connect(port);
        toClose.add(h2);
        h2.get(1, "/work?ms=1500");
        HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        toClose.add(jdk::shutdownNow);
        CompletableFuture<HttpResponse<String>> h2c = jdk.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/work?ms=1500")).build(),
                HttpResponse.BodyHandlers.ofString());
        service.awaitInFlight(1 + 5 + 1 + 1, WAIT);
        List<Future<SseEnd>> ends = new ArrayList<>();
        for (SseClient s : streams) {
            ends.add(clients.submit(() -> readToEnd(s)));
        }
        Future<List<RawHttp2Connection.Frame>> h2Frames = clients.submit(() -> {
            List<RawHttp2Connection.Frame> frames = new ArrayList<>();
            RawHttp2Connection.Frame f;
            while ((f = h2.read()) != null) {
                frames.add(f);
            }
            return frames;
        });

        long sent = signal(service, "TERM");
        for (Future<SseEnd> f : ends) {
            SseEnd end = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(end.finalEvent(), hasItem("retry: 1000"));
        }
        for (WsClient ws : sessions) {
            assertThat(ws.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS), is(1001));
        }
        for (Future<RawHttpConnection.Response> f : http1) {
            RawHttpConnection.Response r = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(r.status(), is(200));
            assertThat(r.body(), is("worked 1500 ms\n"));
        }
        List<RawHttp2Connection.Frame> frames = h2Frames.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        int goAway = indexOf(frames, RawHttp2Connection.GOAWAY);
        assertThat(frames.toString(), goAway, greaterThanOrEqualTo(0));
        assertThat(frames.get(goAway).lastStreamId(), greaterThanOrEqualTo(1));
        assertThat(lastEndOfStream(frames, 1), greaterThanOrEqualTo(goAway));
        assertThat(bodyOf(frames, 1), is("worked 1500 ms\n"));
        HttpResponse<String> upgraded = h2c.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(upgraded.statusCode(), is(200));
        assertThat(upgraded.version(), is(HttpClient.Version.HTTP_2));
        assertThat(upgraded.body(), is("worked 1500 ms\n"));

        int code = service.awaitExit(WAIT);
        System.out.printf("mixed: exit %d ms after kill -TERM%n", (System.nanoTime() - sent) / 1_000_000);
        assertThat(code, is(0));
        JsonObject report = service.report();
        assertThat(report.getBoolean("clean"), is(true));
        JsonObject figures = figures(report, "streams");
        assertThat(figures.getInt("sse-closed"), is(5));
        assertThat(figures.getInt("websocket-closed-1001"), is(5));
        assertThat("the raw client, the JDK client and the metrics probe's connection",
                   figures.getInt("http2-goaway"), greaterThanOrEqualTo(2));
        assertThat(figures.getInt("http2-goaway"), is(figures.getInt("http2-connections")));
        assertThat(figures(report, "in-flight-requests").getInt("in-flight-at-start"), is(5 + 1 + 1));
        assertThat(figures(report, "in-flight-requests").getInt("aborted"), is(0));
    }

    private ServiceProcess start() throws Exception {
        ServiceProcess p = ServiceProcess.start(dir, ServiceProcess.yaml());
        toClose.add(p);
        return p;
    }

    private static long signal(ServiceProcess service, String name) throws Exception {
        service.signal(name);
        return System.nanoTime();
    }

    /** Opens event streams and waits until each has received its opening comment (the server has registered it). */
    private List<SseClient> openSse(int port, int count) throws Exception {
        List<Future<SseClient>> opening = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            opening.add(clients.submit(() -> {
                SseClient s = SseClient.open(port, "/events/stream");
                toClose.add(s);
                assertThat(s.status(), is(200));
                assertThat(s.header("Content-Type"), startsWith("text/event-stream"));
                assertThat(s.next(), is(List.of(": stream open")));
                return s;
            }));
        }
        List<SseClient> open = new ArrayList<>();
        for (Future<SseClient> f : opening) {
            open.add(f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        return open;
    }

    /** Opens WebSocket sessions and waits until each has received the greeting (the server has registered it). */
    private List<WsClient> openWebSockets(int port, int count) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        toClose.add(http::shutdownNow);
        List<WsClient> open = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            WsClient ws = new WsClient();
            http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/events"), ws);
            open.add(ws);
        }
        for (WsClient ws : open) {
            ws.greeted.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        return open;
    }

    private static SseEnd readToEnd(SseClient s) throws IOException {
        List<String> last = List.of();
        List<String> block;
        while ((block = s.next()) != null) {
            last = block;
        }
        long endedAt = System.nanoTime();
        return new SseEnd(last, endedAt, s.isClosedByServer());
    }

    private static RawHttp2Connection.Frame awaitResponse(RawHttp2Connection h2, int stream) throws IOException {
        RawHttp2Connection.Frame headers = null;
        RawHttp2Connection.Frame f;
        while ((f = h2.read()) != null) {
            if (f.streamId() == stream && f.type() == RawHttp2Connection.HEADERS) {
                headers = f;
            }
            if (f.streamId() == stream && f.endStream()) {
                return headers;
            }
        }
        throw new IOException("connection ended before the response to stream " + stream);
    }

    private static int indexOf(List<RawHttp2Connection.Frame> frames, int type) {
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i).type() == type) {
                return i;
            }
        }
        return -1;
    }

    private static int lastEndOfStream(List<RawHttp2Connection.Frame> frames, int stream) {
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i).streamId() == stream && frames.get(i).endStream()) {
                return i;
            }
        }
        return -1;
    }

    private static RawHttp2Connection.Frame headersOf(List<RawHttp2Connection.Frame> frames, int stream) {
        return frames.stream()
                .filter(f -> f.streamId() == stream && f.type() == RawHttp2Connection.HEADERS)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no HEADERS for stream " + stream + " in " + frames));
    }

    private static String bodyOf(List<RawHttp2Connection.Frame> frames, int stream) {
        StringBuilder b = new StringBuilder();
        frames.stream().filter(f -> f.streamId() == stream && f.type() == RawHttp2Connection.DATA)
                .forEach(f -> b.append(f.text()));
        return b.toString();
    }

    private static JsonObject figures(JsonObject report, String participant) {
        return ServiceProcess.participant(report, participant).getJsonObject("figures");
    }

    /** How an event stream ended: its last block, when, and whether the server then closed the connection. */
    private record SseEnd(List<String> finalEvent, long endedAt, boolean closedByServer) {
    }

    /** A JDK WebSocket client that records the greeting, its close status and any error. */
    private static final class WsClient implements WebSocket.Listener {
        final CompletableFuture<Void> greeted = new CompletableFuture<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final List<String> messages = new CopyOnWriteArrayList<>();
        volatile String reason;
        volatile long closedAt;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            messages.add(data.toString());
            if (data.toString().contains("\"open\"")) {
                greeted.complete(null);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            this.reason = reason;
            closedAt = System.nanoTime();
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closedAt = System.nanoTime();
            closed.completeExceptionally(error);
            greeted.completeExceptionally(error);
        }
    }
}
