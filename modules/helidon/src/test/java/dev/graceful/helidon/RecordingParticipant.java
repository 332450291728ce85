package dev.graceful.helidon;

import java.util.Objects;
import java.util.concurrent.CountDownLatch;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;

/**
 * Does nothing but count down a latch when its turn comes, so a test knows that every participant ordered before
 * it has ended.
 *
 * @param name  its name
 * @param phase its phase
 * @param order its order within the phase
 * @param ran   counted down when it runs
 */
record RecordingParticipant(String name, ShutdownPhase phase, int order, CountDownLatch ran)
        implements ShutdownParticipant {

    RecordingParticipant {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(ran, "ran");
    }

    @Override
    public void shutdown(ShutdownContext context) {
        ran.countDown();
    }
}
