package dev.graceful.helidon;

import java.time.Duration;
import java.util.Objects;

import dev.graceful.Durations;
import dev.graceful.ShutdownReason;
import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;

/**
 * The built-in {@code readiness} participant ({@link ShutdownPhase#READINESS}): turns readiness off, marks every
 * response {@code Connection: close}, and keeps serving for the readiness delay so that load balancers stop
 * sending traffic before the listener closes.
 */
public final class ReadinessParticipant implements ShutdownParticipant {

    /** The participant's name. */
    public static final String NAME = "readiness";

    private final ReadinessGate gate;
    private final InFlightRequests requests;
    private final Duration delay;
    private final Duration restartDelay;

    /**
     * Creates the participant.
     *
     * @param gate         the readiness check to close
     * @param requests     the filter to switch to {@code Connection: close}
     * @param delay        how long to keep serving after readiness is off; may be zero
     * @param restartDelay the least time to keep serving when the reason is {@link ShutdownReason#RESTART}: the
     *                     new process already shares the port, and keep-alive clients move to it as their
     *                     responses close their connections
     */
    public ReadinessParticipant(ReadinessGate gate, InFlightRequests requests, Duration delay, Duration restartDelay) {
        this.gate = Objects.requireNonNull(gate, "gate");
        this.requests = Objects.requireNonNull(requests, "requests");
        this.delay = Objects.requireNonNull(delay, "delay");
        this.restartDelay = Objects.requireNonNull(restartDelay, "restartDelay");
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
    public void shutdown(ShutdownContext context) throws InterruptedException {
        // Connection: close first, so that anyone who sees readiness DOWN also gets closing responses.
        requests.closeConnections();
        gate.close();
        Duration wanted = context.reason() == ShutdownReason.RESTART && restartDelay.compareTo(delay) > 0
                ? restartDelay : delay;
        Duration wait = wanted.compareTo(context.remaining()) < 0 ? wanted : context.remaining();
        if (!wait.isZero()) {
            context.log("readiness is DOWN; serving with Connection: close for " + Durations.format(wait));
            Thread.sleep(wait);
        }
        context.record("readiness-delay-ms", wait.toMillis());
    }
}
