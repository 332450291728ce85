/**
 * An example drop-in plugin, and the template for writing one: see {@link dev.graceful.example.AuditTrailParticipant}.
 */
package dev.graceful.example;
