package dev.graceful.helidon;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import dev.graceful.Durations;
import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;
import dev.graceful.spi.ShutdownReason;

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
    private final Optional<Duration> quietPeriod;

    /**
     * Creates the participant.
     *
     * @param gate         the readiness check to close
     * @param requests     the filter to switch to {@code Connection: close}
     * @param delay        how long to keep serving after readiness is off; may be zero
     * @param restartDelay the least time to keep serving when the reason is {@link ShutdownReason#RESTART}: the
     *                     new process already shares the port, and keep-alive clients move to it as their
     *                     responses close their connections
     * @param quietPeriod  when set, the delay ends early once no request (other than health probes and metrics
     *                     scrapes) has arrived for this long
     */
    public ReadinessParticipant(ReadinessGate gate, InFlightRequests requests, Duration delay, Duration restartDelay,
                                Optional<Duration> quietPeriod) {
        this.gate = Objects.requireNonNull(gate, "gate");
        this.requests = Objects.requireNonNull(requests, "requests");
        this.delay = Objects.requireNonNull(delay, "delay");
        this.restartDelay = Objects.requireNonNull(restartDelay, "restartDelay");
        this.quietPeriod = Objects.requireNonNull(quietPeriod, "quietPeriod");
    }

    @Override
    public void shutdown(ShutdownContext context) throws InterruptedException {
        Duration wanted = context.reason() == ShutdownReason.RESTART && restartDelay.compareTo(delay) > 0
                ? restartDelay : delay;
        Duration wait = wanted.compareTo(context.remaining()) < 0 ? wanted : context.remaining();
        if (!wait.isZero()) {
            // Connection: close first, so that anyone who sees readiness DOWN also gets closing responses. With no
            // delay the listener closes first instead (see ListenerStopParticipant): clients told to reconnect
            // while it is still open would race its close and be reset in the kernel's accept queue.
            requests.closeConnections();
        }
        gate.close();
        long start = System.nanoTime();
        boolean quiet = false;
        if (!wait.isZero()) {
            context.log("readiness is DOWN; serving with Connection: close for up to " + Durations.format(wait)
                    + quietPeriod.map(q -> ", or until no request for " + Durations.format(q)).orElse(""));
            quiet = serve(start, start + wait.toNanos());
        }
        context.record("readiness-delay-ms", Duration.ofNanos(System.nanoTime() - start).toMillis());
        context.record("ended-by-quiet-period", quiet ? 1 : 0);
        if (quiet) {
            context.log("no request for " + Durations.format(quietPeriod.orElseThrow())
                    + ": readiness delay ended early");
        }
    }

    /** Sleeps until the delay ends, or the quiet period passes without a request; true for the latter. */
    private boolean serve(long start, long end) throws InterruptedException {
        if (quietPeriod.isEmpty()) {
            Thread.sleep(Duration.ofNanos(end - start));
            return false;
        }
        long quiet = quietPeriod.get().toNanos();
        while (true) {
            long now = System.nanoTime();
            long lastArrival = Math.max(requests.lastArrivalNanos(), start);
            long quietEnd = lastArrival + quiet;
            if (now - quietEnd >= 0 && quietEnd - end < 0) {
                return true;
            }
            if (now - end >= 0) {
                return false;
            }
            Thread.sleep(Duration.ofNanos(Math.min(end, quietEnd > now ? quietEnd : end) - now));
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ShutdownPhase phase() {
        return ShutdownPhase.READINESS;
    }
}
