package dev.graceful.app;

import java.time.Duration;
import java.util.Objects;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;

import com.zaxxer.hikari.HikariDataSource;

/**
 * The participants that keep acknowledged events: {@code events-flush} stores the buffer, then
 * {@code database-pool} closes the pool. Their order in {@link ShutdownPhase#RELEASE} guarantees the sequence.
 */
final class EventParticipants {

    /** Order of {@code events-flush} in RELEASE: first. */
    static final int FLUSH_ORDER = 0;
    /** Order of {@code database-pool} in RELEASE: after every flush. */
    static final int POOL_ORDER = 100;
    /** The least time the flush gets, whatever ran before it. */
    static final Duration MINIMUM = Duration.ofSeconds(1);

    private EventParticipants() {
    }

    /** Stops taking events (503 from now on) and stores everything acknowledged. */
    record Flush(EventBuffer buffer) implements ShutdownParticipant {
        Flush {
            Objects.requireNonNull(buffer, "buffer");
        }

        @Override
        public String name() {
            return "events-flush";
        }

        @Override
        public int order() {
            return FLUSH_ORDER;
        }

        /** Reserved from the drain's budget, so a drain that hits its bound cannot leave the flush no time. */
        @Override
        public Duration minimumBudget() {
            return MINIMUM;
        }

        @Override
        public void shutdown(ShutdownContext context) throws InterruptedException {
            context.record("pending-at-start", buffer.pending());
            long stored = buffer.flushAndClose(context.remaining());
            context.record("stored", stored);
        }
    }

    /** Closes the connection pool. */
    record Pool(HikariDataSource dataSource) implements ShutdownParticipant {
        Pool {
            Objects.requireNonNull(dataSource, "dataSource");
        }

        @Override
        public String name() {
            return "database-pool";
        }

        @Override
        public int order() {
            return POOL_ORDER;
        }

        @Override
        public void shutdown(ShutdownContext context) {
            context.record("active-connections", dataSource.getHikariPoolMXBean() == null
                    ? 0 : dataSource.getHikariPoolMXBean().getActiveConnections());
            dataSource.close();
        }
    }
}
