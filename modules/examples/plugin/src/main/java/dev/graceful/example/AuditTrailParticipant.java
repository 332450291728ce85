package dev.graceful.example;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;

/**
 * The {@code audit-trail} participant: appends one line per shutdown to an audit file and forces it to disk, after
 * the service's own flushes (RELEASE, order 50) and before its pools close.
 *
 * <p>Settings ({@code shutdown.participants.audit-trail.settings.*}): {@code file}, the audit file
 * (default {@code data/audit.log}). Default timeout 2 s; {@code shutdown.participants.audit-trail.timeout}
 * overrides it.
 *
 * <p>Found by {@link java.util.ServiceLoader} through {@code META-INF/services/dev.graceful.spi.ShutdownParticipant}
 * (and {@code provides} in {@code module-info}); needs a public no-argument constructor.
 */
public final class AuditTrailParticipant implements ShutdownParticipant {

    /** The participant's name, also its configuration key. */
    public static final String NAME = "audit-trail";

    /**
     * Creates the participant; called by {@link java.util.ServiceLoader}.
     */
    public AuditTrailParticipant() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ShutdownPhase phase() {
        return ShutdownPhase.RELEASE;
    }

    @Override
    public int order() {
        return 50;
    }

    @Override
    public Optional<Duration> timeout() {
        return Optional.of(Duration.ofSeconds(2));
    }

    @Override
    public void shutdown(ShutdownContext context) throws IOException {
        Path file = Path.of(context.settings().getOrDefault("file", "data/audit.log"));
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        String line = "stopped reason=" + context.reason() + " at=" + Instant.now()
                + " remaining-ms=" + context.remaining().toMillis() + System.lineSeparator();
        // FileChannel is interruptible: if the budget ends mid-write, the coordinator's interrupt closes it.
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                                               StandardOpenOption.APPEND)) {
            ch.write(StandardCharsets.UTF_8.encode(line));
            ch.force(true);
        }
        context.record("lines-written", 1);
        context.log("appended to " + file.toAbsolutePath());
    }
}
