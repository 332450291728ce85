package dev.graceful.helidon;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;

/**
 * The built-in {@code in-flight-requests} participant ({@link ShutdownPhase#DRAIN}): waits, without polling, until
 * every accepted request has completed and every connection has ended. Its budget is min(drain timeout, time left
 * before the deadline); when it is spent the coordinator interrupts this participant, which then interrupts the
 * handlers still running and closes their connections.
 *
 * <p>Figures in the report: {@code in-flight-at-start}, {@code completed} (requests that ended during the drain,
 * including ones that arrived on open keep-alive connections) and {@code aborted}.
 */
public final class DrainParticipant implements ShutdownParticipant {

    /** The participant's name. */
    public static final String NAME = "in-flight-requests";

    /**
     * How far this participant's own waits reach past its budget. The coordinator interrupts it when the budget ends;
     * that interrupt, not a timeout of its own at the same instant, must end the wait, or whichever thread woke first
     * would decide between TIMED_OUT and FAILED in the report.
     */
    private static final Duration INTERRUPT_SLACK = Duration.ofSeconds(1);

    private final InFlightRequests requests;
    private final OpenConnections connections;
    private final CompletableFuture<Void> serverStopped;
    private final Optional<Duration> timeout;

    /**
     * Creates the participant.
     *
     * @param requests      the in-flight filter
     * @param connections   the connection tracker
     * @param serverStopped completes when the server's stop has returned
     * @param timeout       the drain timeout, or empty for the deadline alone
     */
    public DrainParticipant(InFlightRequests requests, OpenConnections connections,
                            CompletableFuture<Void> serverStopped, Optional<Duration> timeout) {
        this.requests = Objects.requireNonNull(requests, "requests");
        this.connections = Objects.requireNonNull(connections, "connections");
        this.serverStopped = Objects.requireNonNull(serverStopped, "serverStopped");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
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
    public Optional<Duration> timeout() {
        return timeout;
    }

    @Override
    public void shutdown(ShutdownContext context) throws Exception {
        long atStart = requests.inFlight();
        long completedBefore = requests.completed();
        context.record("in-flight-at-start", atStart);
        context.record("aborted", 0);
        try {
            if (!requests.awaitIdle(context.remaining().plus(INTERRUPT_SLACK))) {
                throw new TimeoutException(requests.inFlight() + " requests still in flight after the budget ended");
            }
            context.record("completed", requests.completed() - completedBefore);
            serverStopped.get(context.remaining().plus(INTERRUPT_SLACK).toNanos(), TimeUnit.NANOSECONDS);
            context.record("incomplete-heads-closed", connections.incompleteHeadsClosed());
        } catch (InterruptedException | TimeoutException e) {
            long aborted = requests.inFlight();
            context.record("completed", requests.completed() - completedBefore);
            context.record("aborted", aborted);
            int cut = connections.abort();
            context.record("connections-cut", cut);
            context.record("incomplete-heads-closed", connections.incompleteHeadsClosed());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e;
        } catch (ExecutionException e) {
            throw new IllegalStateException("The server's stop failed", e.getCause());
        }
        context.record("completed", requests.completed() - completedBefore);
    }
}
