/**
 * Plugs the graceful coordinator into the Helidon SE 4 WebServer: the in-flight request filter
 * ({@link dev.graceful.helidon.InFlightRequests}), the connection tracking that lets keep-alive clients finish
 * ({@link dev.graceful.helidon.OpenConnections}), the registry of long-lived streams (SSE and WebSocket) and their
 * wind-down with HTTP/2 GOAWAY ({@link dev.graceful.helidon.OpenStreams}, {@link dev.graceful.helidon.SseStream},
 * {@link dev.graceful.helidon.StreamsParticipant}), the readiness health check
 * ({@link dev.graceful.helidon.ReadinessGate}), the built-in participants, and the binding from Helidon
 * {@link io.helidon.config.Config} ({@link dev.graceful.helidon.ShutdownConfigs}).
 * {@link dev.graceful.helidon.ServerShutdown} assembles them.
 */
package dev.graceful.helidon;
