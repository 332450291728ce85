package dev.graceful.helidon;

import java.util.concurrent.CountDownLatch;

import dev.graceful.testing.ParticipantAssertions;

import org.junit.jupiter.api.Test;

/**
 * This covers a bug where the tests' wrapper forgot {@code minimumBudget()}, so a wrapped participant lost its
 * minimum budget: a wrapper must forward every method of the SPI.
 */
class WatchedParticipantTest {

    @Test
    void forwardsEveryMethodOfTheSpiToItsDelegate() {
        ParticipantAssertions.assertForwardsEverySpiMethod(p -> new WatchedParticipant(p, "figure", new CountDownLatch(1)));
    }
}
