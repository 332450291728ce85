package dev.graceful.helidon;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerResponseHeaders;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** The allocation-free scan for {@code Connection: close} that replaces Helidon's tokenizing one on every response. */
class ConnectionCloseTokenTest {

    @ParameterizedTest
    @ValueSource(strings = {"close", "Close", " CLOSE ", "keep-alive, close", "close,upgrade", "upgrade ,\tclose\t,x"})
    void findsTheCloseToken(String value) {
        assertThat(InFlightRequests.hasToken(value, "close"), is(true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "keep-alive", "closed", "enclose", "clo se", "close-later", ",", "upgrade, keep-alive"})
    void doesNotFindWhatIsNotTheToken(String value) {
        assertThat(InFlightRequests.hasToken(value, "close"), is(false));
    }

    @Test
    void readsEveryConnectionHeaderValueOfAResponse() {
        ServerResponseHeaders headers = ServerResponseHeaders.create();
        assertThat(InFlightRequests.saysClose(headers), is(false));
        headers.set(HeaderValues.CONNECTION_KEEP_ALIVE);
        assertThat(InFlightRequests.saysClose(headers), is(false));
        headers.add(HeaderNames.CONNECTION, "upgrade", "Close");
        assertThat(InFlightRequests.saysClose(headers), is(true));
    }
}
