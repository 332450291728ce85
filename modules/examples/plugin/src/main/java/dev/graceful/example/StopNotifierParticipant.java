package dev.graceful.example;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;

/**
 * The {@code stop-notifier} participant: tells an HTTP endpoint that this instance is stopping, for example to take
 * it out of a service registry, while readiness turns off (READINESS, order 0). It posts
 * {@code {"event":"stopping","reason":"SIGTERM"}} and closes its {@link HttpClient} before it returns.
 *
 * <p>Settings ({@code shutdown.participants.stop-notifier.settings.*}): {@code url}, the endpoint; without it the
 * participant does nothing. Default timeout 3 s; {@code shutdown.participants.stop-notifier.timeout} overrides it.
 *
 * <p>Time and interruption: it waits for the answer no longer than {@link ShutdownContext#remaining()} less a
 * reserve of {@value #CLOSE_RESERVE_MS} ms for closing the client, and does not send at all when less than that is
 * left. An endpoint that does not answer in time is recorded ({@code notified=0}) and the participant completes.
 * Waiting for the answer is interruptible: when the coordinator interrupts it, it closes the client at once and
 * returns. An answer other than 2xx fails the participant. Each run uses a client of its own, so it can run again;
 * creating it costs a few hundred milliseconds in a JVM that has made no HTTP call yet, well within the timeout.
 *
 * <p>Figures: {@code notified} (1 or 0) and {@code status}, the HTTP status of the answer.
 */
public final class StopNotifierParticipant implements ShutdownParticipant {

    /** The participant's name, also its configuration key. */
    public static final String NAME = "stop-notifier";
    /** How much of its budget is kept for closing the HTTP client, in milliseconds. */
    public static final long CLOSE_RESERVE_MS = 250;

    private static final Duration CLOSE_RESERVE = Duration.ofMillis(CLOSE_RESERVE_MS);

    /**
     * Creates the participant; called by {@link java.util.ServiceLoader}. Opens nothing: the client is created when
     * the shutdown runs, so {@code --print-plan} and a service that never stops pay nothing for it.
     */
    public StopNotifierParticipant() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ShutdownPhase phase() {
        return ShutdownPhase.READINESS;
    }

    @Override
    public Optional<Duration> timeout() {
        return Optional.of(Duration.ofSeconds(3));
    }

    @Override
    public void shutdown(ShutdownContext context) throws IOException, InterruptedException {
        String url = context.settings().get("url");
        if (url == null || url.isBlank()) {
            context.log("no settings.url: nothing to notify");
            context.record("notified", 0);
            return;
        }
        URI endpoint = URI.create(url.strip());
        Duration wait = context.remaining().minus(CLOSE_RESERVE);
        if (wait.compareTo(Duration.ofMillis(1)) < 0) {
            context.log("only " + context.remaining().toMillis() + "ms left: not notifying " + endpoint);
            context.record("notified", 0);
            return;
        }
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(wait)
                .build();
        boolean cut = false;
        try {
            HttpRequest request = HttpRequest.newBuilder(endpoint)
                    .timeout(wait)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"event\":\"stopping\",\"reason\":\"" + context.reason() + "\"}"))
                    .build();
            // send() is interruptible: the coordinator's interrupt at the end of the budget cancels the request.
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            context.record("status", response.statusCode());
            if (response.statusCode() / 100 != 2) {
                context.record("notified", 0);
                throw new IOException("POST " + endpoint + " answered " + response.statusCode() + "; expected 2xx");
            }
            context.record("notified", 1);
        } catch (HttpTimeoutException e) {
            context.log("no answer from " + endpoint + " within " + wait.toMillis() + "ms: not notified");
            context.record("notified", 0);
            cut = true;
        } catch (InterruptedException e) {
            cut = true;
            throw e;
        } finally {
            close(client, context, cut);
        }
    }

    /**
     * Closes the client: at once after a timeout or an interrupt, as nothing is worth waiting for then; otherwise
     * letting exchanges still under way finish in the time left, and cutting them when it is spent or on an
     * interrupt.
     */
    private static void close(HttpClient client, ShutdownContext context, boolean cut) throws InterruptedException {
        if (cut) {
            client.shutdownNow();
            return;
        }
        client.shutdown();
        try {
            if (!client.awaitTermination(context.remaining())) {
                client.shutdownNow();
            }
        } catch (InterruptedException e) {
            client.shutdownNow();
            throw e;
        }
    }
}
