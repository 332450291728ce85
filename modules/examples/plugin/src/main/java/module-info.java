/**
 * An example drop-in plugin: the {@code audit-trail} shutdown participant.
 */
module dev.graceful.example {
    requires dev.graceful.core;

    provides dev.graceful.spi.ShutdownParticipant with dev.graceful.example.AuditTrailParticipant;
}
