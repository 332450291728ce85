package dev.graceful.spi;

/**
 * Why a shutdown started.
 */
public enum ShutdownReason {
    /** The process received SIGTERM, as a supervisor sends it. */
    SIGTERM,
    /** The process received SIGINT (Ctrl-C). */
    SIGINT,
    /** A zero-downtime restart: a new process is ready and this one hands over. */
    RESTART,
    /** The JVM is exiting ({@code System.exit} or the last thread ended) without a signal of ours. */
    JVM_EXIT,
    /** The application asked for it in code. */
    REQUESTED
}
