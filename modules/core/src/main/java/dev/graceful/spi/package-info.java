/**
 * The service-provider interface for shutdown participants: what a plugin implements
 * ({@link dev.graceful.spi.ShutdownParticipant}), the phase it runs in
 * ({@link dev.graceful.spi.ShutdownPhase}) and what it is told while it runs
 * ({@link dev.graceful.spi.ShutdownContext}).
 */
package dev.graceful.spi;
