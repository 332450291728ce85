/**
 * An example drop-in plugin, and the template for writing one: {@link dev.graceful.example.AuditTrailParticipant}
 * appends to a file, {@link dev.graceful.example.StopNotifierParticipant} calls an HTTP endpoint and closes its
 * client within the time left. Their tests use the {@code graceful-testing} kit.
 */
package dev.graceful.example;
