package dev.graceful.helidon;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

import io.helidon.http.http2.Http2ConnectionWriter;
import io.helidon.http.http2.Http2ErrorCode;
import io.helidon.http.http2.Http2Flag;
import io.helidon.http.http2.Http2GoAway;
import io.helidon.http.http2.Http2Settings;
import io.helidon.webserver.http2.Http2Connection;

/**
 * Sends an HTTP/2 GOAWAY frame on a Helidon server connection. Helidon 4.5.0 has no public API for it (its only
 * GOAWAY, written when the read loop ends, says {@code last_stream=0}), so this is the one class of the project that
 * reaches into Helidon internals: two private fields of {@link Http2Connection}.
 * <ul>
 *     <li>{@code connectionWriter}: the connection's {@link Http2ConnectionWriter}; writing through it takes the lock
 *     that serialises every frame of the connection, so the GOAWAY never lands inside another frame.</li>
 *     <li>{@code lastStreamId}: the highest client stream id the connection has seen.</li>
 * </ul>
 *
 * <p>Self-check: both fields are looked up once, when this class is first used ({@link ServerShutdown#configure}
 * does so at startup). If either is missing, has another type, or cannot be opened (for example on the module path
 * without {@code --add-opens}), one WARNING is logged and {@link #isAvailable()} is {@code false}: HTTP/2 connections
 * are then closed without a GOAWAY, as Helidon itself closes them. {@code GoAwayTest} pins the Helidon version this
 * works with. Thread-safe.
 */
final class GoAway {

    /** The debug data sent with the frame. */
    static final String DETAILS = "server shutting down";

    private static final System.Logger LOG = System.getLogger(GoAway.class.getName());
    private static final Http2Settings DEFAULT_SETTINGS = Http2Settings.create();
    private static final GoAway INSTANCE = probe();

    private final Field writer;
    private final Field lastStreamId;
    private final String problem;

    private GoAway(Field writer, Field lastStreamId, String problem) {
        this.writer = writer;
        this.lastStreamId = lastStreamId;
        this.problem = problem;
    }

    /**
     * Returns whether GOAWAY frames can be sent on this Helidon version.
     *
     * @return {@code true} if the self-check passed
     */
    static boolean isAvailable() {
        return INSTANCE.problem == null;
    }

    /**
     * Returns why GOAWAY frames cannot be sent.
     *
     * @return the self-check's finding, or {@code null} when they can
     */
    static String problem() {
        return INSTANCE.problem;
    }

    /**
     * Returns the highest client stream id the connection has seen: the last-stream id its GOAWAY must carry. Read
     * from another thread than the connection's, it may lag behind by a stream or two; the caller refuses streams above
     * the id it sends, so a lag turns a request away instead of running one the client was told did not run.
     *
     * @param connection the connection
     * @return the id, or {@code -1} if the self-check failed
     */
    static int lastStreamId(Http2Connection connection) {
        if (!isAvailable()) {
            return -1;
        }
        try {
            return INSTANCE.lastStreamId.getInt(connection);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Field checked at startup became inaccessible", e);
        }
    }

    /**
     * Writes GOAWAY (NO_ERROR, the given last-stream id) on the connection, after any frame being written.
     *
     * @param connection   the connection
     * @param lastStreamId the highest stream id that may still be (or have been) processed
     * @return {@code true} if the frame was written, {@code false} if the self-check failed or the connection is gone
     */
    static boolean send(Http2Connection connection, int lastStreamId) {
        if (!isAvailable()) {
            return false;
        }
        Http2ConnectionWriter w;
        try {
            w = (Http2ConnectionWriter) INSTANCE.writer.get(connection);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Field checked at startup became inaccessible", e);
        }
        try {
            w.write(new Http2GoAway(lastStreamId, Http2ErrorCode.NO_ERROR, DETAILS)
                            .toFrameData(DEFAULT_SETTINGS, 0, Http2Flag.NoFlags.create()));
            return true;
        } catch (RuntimeException e) {
            // the client has gone, or the writer's lock wait was interrupted
            LOG.log(System.Logger.Level.DEBUG, "Could not write GOAWAY on " + connection, e);
            return false;
        }
    }

    private static GoAway probe() {
        try {
            Field writer = field("connectionWriter", Http2ConnectionWriter.class);
            Field last = field("lastStreamId", int.class);
            return new GoAway(writer, last, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            String problem = "HTTP/2 GOAWAY unavailable (" + e + "); HTTP/2 connections will be closed without one. "
                    + "This build of graceful expects the internals of Helidon 4.5.0's " + Http2Connection.class.getName();
            LOG.log(System.Logger.Level.WARNING, problem, e);
            return new GoAway(null, null, problem);
        }
    }

    private static Field field(String name, Class<?> type) throws NoSuchFieldException {
        Field f = Http2Connection.class.getDeclaredField(name);
        if (f.getType() != type || Modifier.isStatic(f.getModifiers())) {
            throw new NoSuchFieldException(Http2Connection.class.getName() + "." + name + " is "
                                                   + f.getType().getName() + ", expected " + type.getName());
        }
        f.setAccessible(true);
        return f;
    }
}
