package dev.graceful.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;
import dev.graceful.spi.ShutdownReason;

/**
 * Runs a participant while telling it that it has more time than its real budget, so that even a participant that
 * honours {@link ShutdownContext#remaining()} is still busy when the coordinator interrupts it at the real budget.
 * Once the real budget is spent, {@code remaining()} says zero again, as it does in the service, so clean-up that
 * is bounded by it does not hold the participant past the interrupt. Remembers when the participant returned.
 */
final class StretchedParticipant implements ShutdownParticipant {

    private final ShutdownParticipant delegate;
    private final Duration stretch;
    private final CountDownLatch returned = new CountDownLatch(1);
    private volatile long budgetEndNanos;
    private volatile long returnedNanos;

    StretchedParticipant(ShutdownParticipant delegate, Duration stretch) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.stretch = Objects.requireNonNull(stretch, "stretch");
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public ShutdownPhase phase() {
        return delegate.phase();
    }

    @Override
    public int order() {
        return delegate.order();
    }

    @Override
    public Optional<Duration> timeout() {
        return delegate.timeout();
    }

    @Override
    public Duration minimumBudget() {
        return delegate.minimumBudget();
    }

    @Override
    public void shutdown(ShutdownContext context) throws Exception {
        budgetEndNanos = System.nanoTime() + context.remaining().toNanos();
        try {
            delegate.shutdown(new Stretched(context, stretch));
        } finally {
            returnedNanos = System.nanoTime();
            returned.countDown();
        }
    }

    /**
     * Waits for the participant to return, and says how long after the end of its real budget it did.
     *
     * @return the time from the end of the budget to its return, or empty if it has not returned within
     *         {@code patience}
     */
    Optional<Duration> awaitReturn(Duration patience) throws InterruptedException {
        if (!returned.await(patience.toNanos(), TimeUnit.NANOSECONDS)) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(Math.max(0, returnedNanos - budgetEndNanos)));
    }

    /** A context whose budget looks {@code stretch} longer while the real one lasts. */
    private record Stretched(ShutdownContext real, Duration stretch) implements ShutdownContext {
        @Override
        public ShutdownReason reason() {
            return real.reason();
        }

        @Override
        public Instant budgetEnd() {
            return real.budgetEnd().plus(stretch);
        }

        @Override
        public Duration remaining() {
            Duration left = real.remaining();
            return left.isZero() ? left : left.plus(stretch);
        }

        @Override
        public void log(String message) {
            real.log(message);
        }

        @Override
        public void record(String key, long value) {
            real.record(key, value);
        }

        @Override
        public Map<String, String> settings() {
            return real.settings();
        }
    }
}
