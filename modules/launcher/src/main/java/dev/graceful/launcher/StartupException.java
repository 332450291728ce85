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
     * Says what went wrong in {@code e}, a failure that is not the configuration's: a class missing from the class
     * path, the failure itself or one of its causes (a service loader wraps it), is named as such, with a
     * dot-separated name, since its error's own message is only the class's path.
     */
    static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // "Could not initialize class X" (a class whose initialiser failed earlier) says what it is already
            if (t instanceof NoClassDefFoundError missing && missing.getMessage() != null
                    && !missing.getMessage().contains(" ")) {
                return "class " + missing.getMessage().replace('/', '.') + " is not on the class path: a jar that "
                        + "the service or its configuration needs is missing";
            }
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
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
