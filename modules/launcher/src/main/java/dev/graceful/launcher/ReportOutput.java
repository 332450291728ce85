package dev.graceful.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.graceful.ParticipantOutcome;
import dev.graceful.ShutdownPlan;
import dev.graceful.ShutdownRendering;
import dev.graceful.ShutdownReport;
import dev.graceful.spi.ShutdownPhase;
import dev.graceful.spi.ShutdownReason;


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

    /**
     * Renders, and throws away, a report of the plan in which every outcome occurs, so the code that renders the
     * real one is loaded and linked before a stop needs it: the report is on the path from the last response to the
     * exit, and rendering it cold takes tens of milliseconds. Run once the service is serving, off its threads.
     *
     * @param plan the plan the real report will follow
     * @return what was rendered (nothing is written)
     */
    String rehearse(ShutdownPlan plan) {
        // durations that are not round, so that every branch of their formatting runs too
        Duration odd = Duration.ofMillis(1234);
        List<ParticipantOutcome> outcomes = new ArrayList<>();
        Map<ShutdownPhase, Duration> phases = new EnumMap<>(ShutdownPhase.class);
        for (ShutdownPlan.Step step : plan.steps()) {
            outcomes.add(new ParticipantOutcome.Completed(step.name(), step.phase(), step.order(), odd,
                                                          Map.of("rehearsal", 0L)));
            phases.put(step.phase(), odd);
        }
        outcomes.add(new ParticipantOutcome.Failed("rehearsal", ShutdownPhase.RELEASE, 0, Duration.ZERO, Map.of(),
                                                   new IllegalStateException("rehearsal")));
        outcomes.add(new ParticipantOutcome.TimedOut("rehearsal", ShutdownPhase.RELEASE, 0, odd, Map.of(),
                                                     "rehearsal", false));
        outcomes.add(new ParticipantOutcome.Skipped("rehearsal", ShutdownPhase.RELEASE, 0, "rehearsal"));
        ShutdownReport report = new ShutdownReport(ShutdownReason.SIGTERM, Instant.now(), odd, plan.deadline(), false,
                                                   outcomes, phases);
        return render(report, json(report));
    }

    private String json(ShutdownReport report) {
        return ownsExit ? jsonLine(report) : ShutdownRendering.json(report);
    }

    /** The JSON line, the heading and the table, as printed. */
    private String render(ShutdownReport report, String json) {
        return json + System.lineSeparator()
                + ShutdownRendering.heading(report) + (ownsExit ? ", exit code " + ExitCode.of(report).code() : "")
                + System.lineSeparator() + ShutdownRendering.rows(report);
    }

    void publish(ShutdownReport report) {
        if (!written.compareAndSet(false, true)) {
            return;
        }
        String json = json(report);
        err.print(render(report, json));
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
