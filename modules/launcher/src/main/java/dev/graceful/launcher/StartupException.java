package dev.graceful.launcher;

import java.util.Objects;

/**
 * The service could not start: its configuration is invalid, or something it needs is not available (the port is in
 * use, a plugin cannot be loaded, a start-up action failed). The message names the culprit; nothing keeps serving.
 */
public final class StartupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ExitCode exitCode;

    StartupException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = Objects.requireNonNull(exitCode, "exitCode");
    }

    static StartupException invalidConfig(String message, Throwable cause) {
        return new StartupException(ExitCode.INVALID_CONFIG, "invalid configuration: " + message, cause);
    }

    static StartupException cannotStart(String message, Throwable cause) {
        return new StartupException(ExitCode.STARTUP_FAILED, "cannot start: " + message, cause);
    }

    /**
     * Returns the exit code that {@link GracefulServer#run} ends the process with for this failure.
     *
     * @return {@link ExitCode#INVALID_CONFIG} or {@link ExitCode#STARTUP_FAILED}
     */
    public ExitCode exitCode() {
        return exitCode;
    }
}
