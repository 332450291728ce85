package dev.graceful;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;

/**
 * A participant resolved against configuration at {@link ShutdownCoordinator.Builder#build()}: its plan step, with
 * the metadata read once, its settings, and its place among the participants as they were added.
 *
 * @param participant the participant
 * @param step        what the plan shows of it
 * @param settings    its settings from configuration
 * @param index       its place in the order participants were added, which breaks ties of phase and order
 */
record PlannedParticipant(ShutdownParticipant participant, ShutdownPlan.Step step, Map<String, String> settings,
                          int index) {

    String name() {
        return step.name();
    }

    ShutdownPhase phase() {
        return step.phase();
    }

    int order() {
        return step.order();
    }

    Optional<Duration> timeout() {
        return step.timeout();
    }

    Duration minimumBudget() {
        return step.minimumBudget();
    }
}
