package dev.graceful.helidon;

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
}
