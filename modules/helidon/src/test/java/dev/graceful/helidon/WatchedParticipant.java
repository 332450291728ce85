package dev.graceful.helidon;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;
import dev.graceful.spi.ShutdownReason;

/**
 * Runs another participant unchanged, and counts down a latch as soon as that one records a given figure. A test
 * uses it to act at a precise point inside a built-in participant, for example right after the drain has counted the
 * requests in flight at its start.
 *
 * @param delegate the participant that does the work
 * @param figure   the figure to watch for
 * @param recorded counted down once the delegate has recorded the figure
 */
record WatchedParticipant(ShutdownParticipant delegate, String figure, CountDownLatch recorded)
        implements ShutdownParticipant {

    WatchedParticipant {
        Objects.requireNonNull(delegate, "delegate");
        Objects.requireNonNull(figure, "figure");
        Objects.requireNonNull(recorded, "recorded");
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
        delegate.shutdown(new ShutdownContext() {
            @Override
            public ShutdownReason reason() {
                return context.reason();
            }

            @Override
            public Instant budgetEnd() {
                return context.budgetEnd();
            }

            @Override
            public Duration remaining() {
                return context.remaining();
            }

            @Override
            public void log(String message) {
                context.log(message);
            }

            @Override
            public void record(String key, long value) {
                context.record(key, value);
                if (key.equals(figure)) {
                    recorded.countDown();
                }
            }

            @Override
            public Map<String, String> settings() {
                return context.settings();
            }
        });
    }
}
