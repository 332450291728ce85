/**
 * A test kit for shutdown participant authors: {@link dev.graceful.testing.ParticipantProbe} runs participants
 * through a real {@link dev.graceful.ShutdownCoordinator}, and {@link dev.graceful.testing.ParticipantAssertions}
 * checks the participant contract. Depends on the JDK and graceful-core only.
 */
module dev.graceful.testing {
    requires transitive dev.graceful.core;

    exports dev.graceful.testing;

    uses dev.graceful.spi.ShutdownParticipant;
}
