package dev.graceful.helidon;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Duration;

import io.helidon.webserver.ConnectionContext;

/**
 * The TCP socket under a Helidon server connection, for the two things its public API cannot do: tell whether the
 * kernel holds input that nobody has read yet, and close with a lingering close (FIN first, then the input read and
 * dropped for a short bound), so that a request still in transit meets a clean FIN, which clients retry safely,
 * instead of the reset that closing a socket with unread input makes the kernel send. Like {@link GoAway}, it reaches
 * into Helidon internals: the private field {@code socket} of {@code ConnectionHandler}, Helidon's
 * {@link ConnectionContext} of a connection.
 *
 * <p>Self-check: the field is looked up once, when this class is first used ({@link ServerShutdown#configure} does so
 * at startup). If it is missing or cannot be opened, one WARNING is logged, {@link #unread} answers 0 and
 * {@link #lingeringClose} does nothing: connections are then closed as Helidon closes them. {@code ConnectionSocketsTest}
 * pins the Helidon version this works with. Thread-safe.
 */
final class ConnectionSockets {

    /** The longest a lingering close reads and drops input before Helidon closes the socket. */
    static final Duration LINGER = Duration.ofMillis(500);

    private static final System.Logger LOG = System.getLogger(ConnectionSockets.class.getName());
    private static final ConnectionSockets INSTANCE = probe();

    private final Field socket;
    private final String problem;

    private ConnectionSockets(Field socket, String problem) {
        this.socket = socket;
        this.problem = problem;
    }

    /**
     * Returns whether the socket of a connection can be reached on this Helidon version.
     *
     * @return {@code true} if the self-check passed
     */
    static boolean isAvailable() {
        return INSTANCE.problem == null;
    }

    /**
     * Returns how many bytes the kernel holds for the connection that have not been read.
     *
     * @param ctx the connection
     * @return the count; 0 when it cannot be told
     */
    static int unread(ConnectionContext ctx) {
        SocketChannel channel = channel(ctx);
        if (channel == null || !channel.isOpen()) {
            return 0;
        }
        try {
            return channel.socket().getInputStream().available();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Returns whether the client of a connection is on this host: its address is a loopback address, or the
     * connection's own local address.
     *
     * @param ctx the connection
     * @return {@code true} if so; {@code false} also when it cannot be told
     */
    static boolean isLocalPeer(ConnectionContext ctx) {
        SocketChannel channel = channel(ctx);
        if (channel == null) {
            return false;
        }
        try {
            return channel.getRemoteAddress() instanceof InetSocketAddress remote
                    && channel.getLocalAddress() instanceof InetSocketAddress local
                    && isSameHost(remote.getAddress(), local.getAddress());
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether a peer address is on this host, seen from a connection's local address.
     *
     * @param remote the peer's address
     * @param local  the connection's local address
     * @return {@code true} for a loopback peer, or one whose address is the local one
     */
    static boolean isSameHost(InetAddress remote, InetAddress local) {
        return remote != null && (remote.isLoopbackAddress() || remote.equals(local));
    }

    /**
     * Sends FIN on a plain (not TLS) connection, after everything written: the first half of closing an idle
     * connection without a reset. Its handler goes on reading; the client answers with its own FIN, which ends it.
     *
     * @param ctx the connection
     * @return {@code true} if FIN was sent; {@code false} when it cannot be, and the caller closes as Helidon does
     */
    static boolean shutdownOutput(ConnectionContext ctx) {
        SocketChannel channel = ctx.isSecure() ? null : channel(ctx);
        if (channel == null || !channel.isOpen() || !channel.isConnected()) {
            return false;
        }
        try {
            channel.shutdownOutput();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Starts closing a plain (not TLS) connection whose handling has ended: sends FIN after everything written, then
     * reads and drops what the client still sends, until it closes its side or {@link #LINGER} has passed. Helidon
     * closes the socket afterwards. Does nothing on an interrupted thread (an aborted connection closes at once).
     *
     * @param ctx the connection
     */
    static void lingeringClose(ConnectionContext ctx) {
        if (Thread.currentThread().isInterrupted() || ctx.isSecure()) {
            return;
        }
        SocketChannel channel = channel(ctx);
        if (channel == null || !channel.isOpen() || !channel.isConnected()) {
            return;
        }
        Socket s = channel.socket();
        try {
            if (!s.isOutputShutdown()) {
                channel.shutdownOutput();
            }
            if (s.isInputShutdown()) {
                return;
            }
            long end = System.nanoTime() + LINGER.toNanos();
            InputStream in = s.getInputStream();
            byte[] drop = new byte[4096];
            long left;
            while ((left = end - System.nanoTime()) > 0) {
                s.setSoTimeout((int) Math.max(1, Duration.ofNanos(left).toMillis()));
                if (in.read(drop) < 0) {
                    return;
                }
            }
        } catch (SocketTimeoutException e) {
            // the client kept its side open: Helidon closes now
        } catch (IOException e) {
            LOG.log(System.Logger.Level.TRACE, "Lingering close ended early", e);
        }
    }

    private static SocketChannel channel(ConnectionContext ctx) {
        if (!isAvailable() || !INSTANCE.socket.getDeclaringClass().isInstance(ctx)) {
            return null;
        }
        try {
            return (SocketChannel) INSTANCE.socket.get(ctx);
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    private static ConnectionSockets probe() {
        try {
            Class<?> handler = Class.forName("io.helidon.webserver.ConnectionHandler");
            Field socket = handler.getDeclaredField("socket");
            if (!SocketChannel.class.isAssignableFrom(socket.getType())) {
                throw new NoSuchFieldException("ConnectionHandler.socket is a " + socket.getType().getName());
            }
            socket.setAccessible(true);
            return new ConnectionSockets(socket, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            String problem = "the sockets of Helidon's connections cannot be reached (" + e + "); connections close "
                    + "without a lingering close, and an idle one with unread input may be closed";
            LOG.log(System.Logger.Level.WARNING, problem);
            return new ConnectionSockets(null, problem);
        }
    }
}
