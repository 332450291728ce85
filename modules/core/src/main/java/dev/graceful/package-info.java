/**
 * The shutdown coordinator and its values: the resolved {@link dev.graceful.ShutdownPlan}, the
 * {@link dev.graceful.ShutdownReport} with one {@link dev.graceful.ParticipantOutcome} per participant,
 * the {@link dev.graceful.ShutdownConfig} and duration parsing.
 */
package dev.graceful;
