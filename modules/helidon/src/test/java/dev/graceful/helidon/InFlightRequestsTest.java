package dev.graceful.helidon;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.http1.Http1ClientResponse;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * The in-flight filter in memory: routing is called through Helidon's {@link DirectClient} (the client
 * {@code @RoutingTest} injects), without a socket. Each test builds its own filter and client, because
 * {@link InFlightRequests#closeConnections()} cannot be undone and {@code @RoutingTest} routing is per class.
 *
 * <p>{@code /held} blocks until the test releases it; {@code /failing} blocks the same way, then throws (500).
 */
class InFlightRequestsTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final InFlightRequests requests = new InFlightRequests();
    private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore entered = new Semaphore(0);
    private final CountDownLatch release = new CountDownLatch(1);
    private DirectClient client;

    @BeforeEach
    void setUp() {
        client = new DirectClient(HttpRouting.builder()
                                          .addFilter(requests)
                                          .get("/", (req, res) -> res.send("hello"))
                                          .get("/held", (req, res) -> {
                                              hold();
                                              res.send("released");
                                          })
                                          .get("/failing", (req, res) -> {
                                              hold();
                                              throw new IllegalStateException("handler failed on purpose");
                                          }));
    }

    @AfterEach
    void tearDown() {
        release.countDown();
        clients.shutdownNow();
        client.close();
    }

    @Test
    void countsRequestsWhileTheirHandlersRunAndNoneAfterwards() throws Exception {
        Future<Status> first = statusInBackground("/held");
        Future<Status> second = statusInBackground("/held");
        assertThat("both handlers entered", entered.tryAcquire(2, WAIT.toSeconds(), TimeUnit.SECONDS), is(true));

        assertThat(requests.inFlight(), is(2L));

        release.countDown();
        assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS), is(Status.OK_200));
        assertThat(second.get(WAIT.toSeconds(), TimeUnit.SECONDS), is(Status.OK_200));
        // The response can reach the client just before the filter's finally block runs.
        assertThat(requests.awaitIdle(WAIT), is(true));
        assertThat(requests.inFlight(), is(0L));
        assertThat(requests.completed(), is(2L));
    }

    @Test
    void countsARequestWhoseHandlerThrowsUntilItsErrorResponseIsDone() throws Exception {
        Future<Status> failing = statusInBackground("/failing");
        assertThat("handler entered", entered.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS), is(true));

        assertThat(requests.inFlight(), is(1L));

        release.countDown();
        assertThat(failing.get(WAIT.toSeconds(), TimeUnit.SECONDS), is(Status.INTERNAL_SERVER_ERROR_500));
        assertThat(requests.awaitIdle(WAIT), is(true));
        assertThat(requests.inFlight(), is(0L));
        assertThat(requests.completed(), is(1L));
    }

    @Test
    void awaitIdleReturnsAtOnceWhenNothingIsInFlight() throws Exception {
        long start = System.nanoTime();

        assertThat(requests.awaitIdle(Duration.ofSeconds(10)), is(true));

        assertThat(Duration.ofNanos(System.nanoTime() - start), lessThan(Duration.ofSeconds(1)));
    }

    @Test
    void awaitIdleIsWokenByTheLastRequestToComplete() throws Exception {
        Future<Status> held = statusInBackground("/held");
        assertThat("handler entered", entered.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS), is(true));
        Future<Boolean> idle = clients.submit(() -> requests.awaitIdle(Duration.ofSeconds(10)));
        assertThat("awaitIdle returned while a request was in flight", idle.isDone(), is(false));

        long released = System.nanoTime();
        release.countDown();

        assertThat(idle.get(WAIT.toSeconds(), TimeUnit.SECONDS), is(true));
        // Far below the 10 s timeout: the last request signalled the waiter, nothing polled or timed out.
        assertThat(Duration.ofNanos(System.nanoTime() - released), lessThan(Duration.ofSeconds(2)));
        assertThat(held.get(WAIT.toSeconds(), TimeUnit.SECONDS), is(Status.OK_200));
    }

    @Test
    void awaitIdleReturnsFalseWhenTheTimeRunsOutWithARequestStillInFlight() throws Exception {
        Future<Status> held = statusInBackground("/held");
        assertThat("handler entered", entered.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS), is(true));

        assertThat(requests.awaitIdle(Duration.ofMillis(200)), is(false));
        assertThat(requests.inFlight(), is(1L));

        release.countDown();
        assertThat(held.get(WAIT.toSeconds(), TimeUnit.SECONDS), is(Status.OK_200));
    }

    @Test
    void keepsConnectionsOpenUntilToldToCloseThem() {
        try (Http1ClientResponse response = client.get("/").request()) {
            assertThat(response.status(), is(Status.OK_200));
            assertThat(response.headers().contains(HeaderNames.CONNECTION), is(true));
            assertThat(response.headers().get(HeaderNames.CONNECTION).get(), is("keep-alive"));
        }
        assertThat(requests.isClosingConnections(), is(false));
    }

    @Test
    void marksResponsesConnectionCloseAfterCloseConnections() {
        requests.closeConnections();

        try (Http1ClientResponse response = client.get("/").request()) {
            assertThat(response.status(), is(Status.OK_200));
            assertThat(response.headers().get(HeaderNames.CONNECTION).get(), is("close"));
            assertThat(response.as(String.class), is("hello"));
        }
        assertThat(requests.isClosingConnections(), is(true));
    }

    @Test
    void marksAnErrorResponseConnectionCloseAfterCloseConnections() throws Exception {
        requests.closeConnections();
        release.countDown();

        try (Http1ClientResponse response = client.get("/failing").request()) {
            assertThat(response.status(), is(Status.INTERNAL_SERVER_ERROR_500));
            assertThat(response.headers().get(HeaderNames.CONNECTION).get(), is("close"));
        }
        assertThat(requests.awaitIdle(WAIT), is(true));
    }

    private Future<Status> statusInBackground(String path) {
        return clients.submit(() -> {
            try (Http1ClientResponse response = client.get(path).request()) {
                return response.status();
            }
        });
    }

    private void hold() {
        entered.release();
        try {
            if (!release.await(WAIT.toSeconds() * 2, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the handler");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while held", e);
        }
    }
}
