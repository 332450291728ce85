package dev.graceful.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.graceful.ShutdownReport;

/**
 * Writes the shutdown report once: one JSON line and a table on stderr, and a copy in the report file if one is
 * configured. Uses stderr directly, not logging: JUL may already be reset by shutdown hooks.
 */
final class ReportOutput {

    private final Optional<Path> file;
    private final PrintStream err;
    private final AtomicBoolean written = new AtomicBoolean();

    ReportOutput(Optional<Path> file, PrintStream err) {
        this.file = file;
        this.err = err;
    }

    void publish(ShutdownReport report) {
        if (!written.compareAndSet(false, true)) {
            return;
        }
        String json = report.toJson();
        err.println(json);
        err.print(report.toTable());
        err.flush();
        file.ifPresent(path -> {
            try {
                Path dir = path.toAbsolutePath().getParent();
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, ".shutdown-report", ".tmp");
                Files.writeString(tmp, json + System.lineSeparator(), StandardCharsets.UTF_8);
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                err.println("graceful: could not write the report file " + path + ": " + e);
            }
        });
    }
}
