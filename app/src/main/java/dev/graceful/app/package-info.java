/**
 * The demo service: signals, server, coordinator, exit codes.
 */
package dev.graceful.app;
