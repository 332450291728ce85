package dev.graceful.helidon;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.graceful.ShutdownConfig;
import dev.graceful.ShutdownConfigException;
import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;

/**
 * The built-in {@code streams} participant ({@link ShutdownPhase#DRAIN}, order {@value #ORDER}, before
 * {@code in-flight-requests}): winds down long-lived connections under a budget of their own, so that one open
 * stream cannot hold the whole deadline.
 * <ul>
 *     <li>Every HTTP/2 connection gets a GOAWAY (NO_ERROR, last-stream id = the highest stream it has seen); its
 *     streams in flight finish (they are requests: {@code in-flight-requests} drains them), later ones are refused,
 *     and the connection closes once idle.</li>
 *     <li>Every SSE stream gets a final {@code event: shutdown} with {@code retry: <ms>} and ends cleanly.</li>
 *     <li>Every WebSocket session gets a close frame with code 1001 (Going Away) and ends with the client's reply.</li>
 *     <li>From its start, new SSE streams and WebSocket upgrades are refused with 503 and {@code Retry-After}.</li>
 * </ul>
 * It waits, without polling, until every stream and session has ended. When its budget (min({@value #NAME} timeout,
 * default {@code 5s}; time left before the deadline)) is spent, the coordinator interrupts it; it then cuts what is
 * left (interrupts SSE handlers, closes WebSocket connections) and is recorded TIMED_OUT.
 *
 * <p>Settings: {@code shutdown.participants.streams.settings.retry} (default {@code 1s}), the reconnection delay
 * hinted to SSE clients. Figures in the report: {@code sse-streams}, {@code sse-closed}, {@code sse-cut},
 * {@code websocket-sessions}, {@code websocket-closed-1001}, {@code websocket-cut}, {@code http2-connections},
 * {@code http2-goaway}.
 */
public final class StreamsParticipant implements ShutdownParticipant {

    /** The participant's name. */
    public static final String NAME = "streams";

    /** Its position in {@link ShutdownPhase#DRAIN}: before {@code in-flight-requests} (order 0). */
    public static final int ORDER = -10;

    /** Its own default timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** The settings key of the reconnection delay hinted to SSE clients. */
    public static final String RETRY_SETTING = "retry";

    /** The default reconnection delay hinted to SSE clients. */
    public static final Duration DEFAULT_RETRY = Duration.ofSeconds(1);

    /** The settings key of the wait between an HTTP/2 connection's first GOAWAY and its final one. */
    public static final String GOAWAY_GRACE_SETTING = "goaway-grace";

    /**
     * The default wait between the first GOAWAY and the final one: Go's HTTP/2 server waits as long. A client learns
     * of the first one after half a round trip and stops opening streams; those it sent before then arrive within
     * the other half.
     */
    public static final Duration DEFAULT_GOAWAY_GRACE = Duration.ofSeconds(1);

    /** How far its own wait reaches past its budget, so that the coordinator's interrupt ends it (see the drain). */
    private static final Duration INTERRUPT_SLACK = Duration.ofSeconds(1);

    private final OpenStreams streams;

    /**
     * Creates the participant.
     *
     * @param streams the registry of the server's streams
     */
    public StreamsParticipant(OpenStreams streams) {
        this.streams = Objects.requireNonNull(streams, "streams");
    }

    /**
     * Reads the reconnection delay from {@code shutdown.participants.streams.settings.retry}.
     *
     * @param config the shutdown configuration
     * @return the delay, {@link #DEFAULT_RETRY} when not set
     * @throws ShutdownConfigException naming the key when the value is not a positive duration
     */
    public static Duration retry(ShutdownConfig config) {
        return config.durationSetting(NAME, RETRY_SETTING, DEFAULT_RETRY);
    }

    /**
     * Reads the wait between an HTTP/2 connection's first GOAWAY and its final one from
     * {@code shutdown.participants.streams.settings.goaway-grace}.
     *
     * @param config the shutdown configuration
     * @return the wait, {@link #DEFAULT_GOAWAY_GRACE} when not set
     * @throws ShutdownConfigException naming the key when the value is not a positive duration
     */
    public static Duration goAwayGrace(ShutdownConfig config) {
        return config.durationSetting(NAME, GOAWAY_GRACE_SETTING, DEFAULT_GOAWAY_GRACE);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ShutdownPhase phase() {
        return ShutdownPhase.DRAIN;
    }

    @Override
    public int order() {
        return ORDER;
    }

    @Override
    public Optional<Duration> timeout() {
        return Optional.of(DEFAULT_TIMEOUT);
    }

    @Override
    public void shutdown(ShutdownContext context) throws Exception {
        OpenStreams.WindDown windDown = streams.windDown();
        context.record("sse-streams", windDown.sse().size());
        context.record("websocket-sessions", windDown.sessions().size());
        context.record("http2-connections", windDown.goAway().size());
        context.record("sse-cut", 0);
        context.record("websocket-cut", 0);
        try {
            windDown.ended().get(context.remaining().plus(INTERRUPT_SLACK).toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException | TimeoutException e) {
            OpenStreams.Cut cut = windDown.cut();
            context.record("sse-cut", cut.sse());
            context.record("websocket-cut", cut.webSocket());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e;
        } finally {
            context.record("http2-goaway", windDown.goAwaySent());
            context.record("sse-closed", windDown.sseClosed());
            context.record("websocket-closed-1001", windDown.sessionsClosed());
        }
    }
}
