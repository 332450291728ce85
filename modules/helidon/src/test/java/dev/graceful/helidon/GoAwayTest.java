package dev.graceful.helidon;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/**
 * Pins the Helidon internals that {@link GoAway} reaches into. When this fails after a Helidon upgrade, HTTP/2
 * connections are being closed without a GOAWAY (the fallback): re-read {@code Http2Connection} and adapt
 * {@link GoAway}, the only class that depends on them.
 */
class GoAwayTest {

    @Test
    void findsTheHttp2ConnectionInternalsOfThisHelidonVersion() {
        assertThat(GoAway.problem(), is(nullValue()));
        assertThat(GoAway.isAvailable(), is(true));
    }
}
