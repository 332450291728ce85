package dev.graceful.helidon;

import java.util.ArrayList;
import java.util.List;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

/** The send listener that marks HTTP/1.1 responses {@code Connection: close} once the filter is closing. */
class ClosingSendListenerTest {

    private final InFlightRequests requests = new InFlightRequests();
    private final EventsListener next = new EventsListener();
    private final Http1ConnectionListener listener = requests.sendListener(next);

    @Test
    void leavesAResponseAloneWhileServing() {
        ServerResponseHeaders headers = ServerResponseHeaders.create();

        listener.headers(null, headers);

        assertThat(headers.contains(HeaderNames.CONNECTION), is(false));
    }

    @Test
    void marksAResponseConnectionCloseOnceClosingAndOverridesKeepAlive() {
        requests.closeConnections();
        ServerResponseHeaders headers = ServerResponseHeaders.create();
        headers.set(HeaderValues.CONNECTION_KEEP_ALIVE);

        listener.headers(null, headers);

        assertThat(headers.get(HeaderNames.CONNECTION).allValues(), contains("close"));
    }

    @Test
    void leavesAnUpgradeItsConnectionUpgradeOnceClosing() {
        requests.closeConnections();
        ServerResponseHeaders headers = ServerResponseHeaders.create();
        headers.set(HeaderNames.UPGRADE, "websocket");
        headers.set(HeaderNames.CONNECTION, "Upgrade");

        listener.headers(null, headers);

        assertThat(headers.get(HeaderNames.CONNECTION).allValues(), contains("Upgrade"));
    }

    @Test
    void passesEveryEventOnToTheListenerItWraps() {
        requests.closeConnections();
        ServerResponseHeaders headers = ServerResponseHeaders.create();

        listener.status(null, Status.OK_200);
        listener.headers(null, headers);
        listener.data(null, BufferData.create("body"));
        listener.data(null, new byte[4], 0, 4);

        assertThat(next.events, contains("status 200", "headers close", "data 4", "bytes 4"));
    }

    /** Records the events it is told of, the headers as they were when it was told. */
    private static final class EventsListener implements Http1ConnectionListener {
        private final List<String> events = new ArrayList<>();

        @Override
        public void status(ConnectionContext ctx, Status status) {
            events.add("status " + status.code());
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            events.add("headers " + (headers.contains(HeaderNames.CONNECTION) ? headers.get(HeaderNames.CONNECTION).get()
                    : "none"));
        }

        @Override
        public void data(ConnectionContext ctx, BufferData data) {
            events.add("data " + data.available());
        }

        @Override
        public void data(ConnectionContext ctx, byte[] bytes, int offset, int length) {
            events.add("bytes " + length);
        }
    }
}
