/**
 * An example drop-in plugin: the {@code audit-trail} and {@code stop-notifier} shutdown participants.
 */
module dev.graceful.example {
    requires dev.graceful.core;
    requires java.net.http;

    provides dev.graceful.spi.ShutdownParticipant with dev.graceful.example.AuditTrailParticipant,
            dev.graceful.example.StopNotifierParticipant;
}
