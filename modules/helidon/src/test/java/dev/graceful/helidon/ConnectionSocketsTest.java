package dev.graceful.helidon;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Pins the Helidon internals that {@link ConnectionSockets} reaches into. When this fails after a Helidon upgrade,
 * connections are being closed without a lingering close (the fallback): re-read {@code ConnectionHandler} and adapt
 * {@link ConnectionSockets}.
 */
class ConnectionSocketsTest {

    @Test
    void findsTheSocketOfAConnectionOfThisHelidonVersion() {
        assertThat(ConnectionSockets.isAvailable(), is(true));
    }

    @Test
    void aClientOnALoopbackAddressOrTheConnectionsOwnAddressIsOnThisHost() throws UnknownHostException {
        InetAddress local = InetAddress.getByName("10.1.2.3");
        assertThat(ConnectionSockets.isSameHost(InetAddress.getByName("127.0.0.1"), local), is(true));
        assertThat(ConnectionSockets.isSameHost(InetAddress.getByName("127.8.9.10"), local), is(true));
        assertThat(ConnectionSockets.isSameHost(InetAddress.getByName("::1"), local), is(true));
        assertThat(ConnectionSockets.isSameHost(InetAddress.getByName("10.1.2.3"), local), is(true));
    }

    @Test
    void aClientOnAnotherAddressIsNot() throws UnknownHostException {
        InetAddress local = InetAddress.getByName("10.1.2.3");
        assertThat(ConnectionSockets.isSameHost(InetAddress.getByName("10.1.2.4"), local), is(false));
        assertThat(ConnectionSockets.isSameHost(InetAddress.getByName("fd00::3"), local), is(false));
        assertThat(ConnectionSockets.isSameHost(null, local), is(false));
    }
}
