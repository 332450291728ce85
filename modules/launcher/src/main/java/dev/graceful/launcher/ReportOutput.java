package dev.graceful.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.graceful.ShutdownRendering;
import dev.graceful.ShutdownReport;


/**
 * Writes the shutdown report once, with the exit code it means: one JSON line and a table on stderr, and a copy in
 * the report file if one is configured. Uses stderr directly, not logging: JUL may already be reset by shutdown
 * hooks.
 */
final class ReportOutput {

    private final Optional<Path> file;
    private final PrintStream err;
    private final boolean ownsExit;
    private final AtomicBoolean written = new AtomicBoolean();

    /**
     * Creates the output.
     *
     * @param file     the report file, if one is configured
     * @param err      where the report goes
     * @param ownsExit whether this process's exit code follows the report ({@link GracefulServer}); when not
     *                 ({@link GracefulFeature}), the report says no exit code
     */
    ReportOutput(Optional<Path> file, PrintStream err, boolean ownsExit) {
        this.file = file;
        this.err = err;
        this.ownsExit = ownsExit;
    }

    /**
     * The report as core renders it, with the exit code it means for this process after {@code clean}.
     *
     * @param report the report
     * @return the JSON line
     */
    static String jsonLine(ShutdownReport report) {
        return ShutdownRendering.json(report, Map.of("exitCode", (long) ExitCode.of(report).code()));
    }

    void publish(ShutdownReport report) {
        if (!written.compareAndSet(false, true)) {
            return;
        }
        String json = ownsExit ? jsonLine(report) : ShutdownRendering.json(report);
        err.println(json);
        err.println(ShutdownRendering.heading(report)
                            + (ownsExit ? ", exit code " + ExitCode.of(report).code() : ""));
        err.print(ShutdownRendering.rows(report));
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
