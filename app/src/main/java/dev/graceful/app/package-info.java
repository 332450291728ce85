/**
 * The demo service: its routes, the events store and buffer with their participants, on graceful's public API.
 */
package dev.graceful.app;
