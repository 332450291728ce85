/**
 * The entry point a service's {@code main} calls: {@link dev.graceful.launcher.GracefulServer}. It loads the
 * configuration, builds the Helidon server with graceful shutdown installed on every listener, handles signals
 * (SIGTERM and SIGINT stop, a second one forces, SIGHUP restarts with zero downtime), writes the report and exits with
 * a documented {@link dev.graceful.launcher.ExitCode}; {@link dev.graceful.launcher.GracefulServer#start()} is the
 * embeddable form for tests.
 */
package dev.graceful.launcher;
