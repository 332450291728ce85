package dev.graceful.launcher;

import dev.graceful.ShutdownReport;

/**
 * The process exit codes, documented in the README.
 */
public enum ExitCode {
    /** Every participant completed within the deadline. */
    CLEAN(ShutdownReport.EXIT_CLEAN),
    /** The stop was not clean: a participant failed, timed out or was skipped, or the stop was forced. */
    NOT_CLEAN(ShutdownReport.EXIT_NOT_CLEAN),
    /** The command line was wrong. */
    USAGE(64),
    /** The service could not start: the port is in use, or a plugin could not be loaded. */
    STARTUP_FAILED(69),
    /** The configuration is invalid; nothing was bound. */
    INVALID_CONFIG(78);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /**
     * Returns the numeric exit code.
     *
     * @return the code
     */
    public int code() {
        return code;
    }
}
