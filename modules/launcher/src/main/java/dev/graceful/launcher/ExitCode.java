package dev.graceful.launcher;

import dev.graceful.ShutdownReport;

/**
 * The process exit codes, documented in the README: the launcher's policy, which the shutdown report itself does not
 * know.
 */
public enum ExitCode {
    /** Every participant completed within the deadline. */
    CLEAN(0),
    /** The stop was not clean: a participant failed, timed out or was skipped, or the stop was forced. */
    NOT_CLEAN(1),
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
     * Returns the exit code a graceful stop ends the process with.
     *
     * @param report the stop's report
     * @return {@link #CLEAN} for a clean report, else {@link #NOT_CLEAN}
     */
    public static ExitCode of(ShutdownReport report) {
        return report.isClean() ? CLEAN : NOT_CLEAN;
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
