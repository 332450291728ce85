/**
 * A test kit for writing a {@link dev.graceful.spi.ShutdownParticipant} that is right the first time.
 *
 * <p>{@link dev.graceful.testing.ParticipantProbe} runs one participant, or a set, through a real
 * {@link dev.graceful.ShutdownCoordinator} with a chosen deadline, reason, timeout and settings, and returns the
 * {@link dev.graceful.ShutdownReport}. {@link dev.graceful.testing.ParticipantAssertions} checks the contract that
 * the coordinator relies on: a participant finishes within its timeout, returns promptly when interrupted, does not
 * start work it cannot finish in {@link dev.graceful.spi.ShutdownContext#remaining()}, can be found by
 * {@link java.util.ServiceLoader}, and, where its author claims it, runs again. Each assertion throws an
 * {@link java.lang.AssertionError} whose message names the participant and says what to fix, so it works with
 * JUnit 5 or any other test framework.
 *
 * <pre>{@code
 * ParticipantProbe probe = ParticipantProbe.of(new AuditTrailParticipant())
 *         .setting("file", dir.resolve("audit.log").toString());
 * ParticipantAssertions.assertCompletesWithinTimeout(probe);
 * ParticipantAssertions.assertDiscoverable(AuditTrailParticipant.class);
 * }</pre>
 */
package dev.graceful.testing;
