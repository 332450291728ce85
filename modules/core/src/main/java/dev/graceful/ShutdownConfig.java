package dev.graceful;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The shutdown configuration: one global deadline, the readiness delay, the drain bound, the report file and
 * per-participant overrides. Validated when built; every error names the key, the value and what was expected.
 *
 * @param deadline       the one global deadline, counted from the trigger; positive
 * @param readinessDelay how long readiness stays off while the server keeps serving; zero or more and less than
 *                       the deadline
 * @param drainTimeout   the bound on draining in-flight requests; when empty, the deadline alone bounds it
 * @param reportFile     where a copy of the report is written, if anywhere
 * @param participants   per-participant overrides, keyed by participant name
 * @param quietPeriod    when set, the readiness delay ends early once no new request has arrived for this long;
 *                       the readiness delay stays the maximum
 * @param gracePeriod    the supervisor's budget (Kubernetes' terminationGracePeriodSeconds, systemd's
 *                       TimeoutStopSec), when known: the deadline plus {@link #EXIT_MARGIN} must fit inside it
 */
public record ShutdownConfig(Duration deadline,
                             Duration readinessDelay,
                             Optional<Duration> drainTimeout,
                             Optional<Path> reportFile,
                             Map<String, ParticipantConfig> participants,
                             Optional<Duration> quietPeriod,
                             Optional<Duration> gracePeriod) {

    /** Configuration prefix of every key here. */
    public static final String PREFIX = "shutdown";
    /** Key of the global deadline. */
    public static final String DEADLINE = "shutdown.deadline";
    /** Key of the readiness delay. */
    public static final String READINESS_DELAY = "shutdown.readiness-delay";
    /** Key of the drain timeout. */
    public static final String DRAIN_TIMEOUT = "shutdown.drain-timeout";
    /** Key of the report file. */
    public static final String REPORT_FILE = "shutdown.report-file";
    /** Prefix of per-participant keys: {@code shutdown.participants.<name>.timeout|enabled|settings.*}. */
    public static final String PARTICIPANTS = "shutdown.participants";
    /** Key of the quiet period that may end the readiness delay early. */
    public static final String QUIET_PERIOD = "shutdown.quiet-period";
    /** Key of the supervisor's grace period. */
    public static final String GRACE_PERIOD = "shutdown.grace-period";

    /** Time kept between the deadline and the supervisor's grace period, for the report and the JVM's exit. */
    public static final Duration EXIT_MARGIN = Duration.ofSeconds(1);

    /** The default global deadline: inside Kubernetes' default 30 s grace period, with margin. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(25);

    private static final List<String> TOP_LEVEL_KEYS = List.of(DEADLINE, READINESS_DELAY, DRAIN_TIMEOUT, REPORT_FILE,
                                                              QUIET_PERIOD, GRACE_PERIOD, PARTICIPANTS + ".<name>");

    /**
     * Validates the configuration.
     */
    public ShutdownConfig {
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(readinessDelay, "readinessDelay");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(reportFile, "reportFile");
        Objects.requireNonNull(participants, "participants");
        Objects.requireNonNull(quietPeriod, "quietPeriod");
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        quietPeriod.ifPresent(q -> {
            if (q.isZero() || q.isNegative()) {
                throw new ShutdownConfigException(QUIET_PERIOD, Durations.format(q), "must be a positive duration");
            }
        });
        gracePeriod.ifPresent(g -> {
            if (deadline.plus(EXIT_MARGIN).compareTo(g) > 0) {
                throw new ShutdownConfigException(GRACE_PERIOD, Durations.format(g), DEADLINE + " ("
                        + Durations.format(deadline) + ") plus " + Durations.format(EXIT_MARGIN)
                        + " for the report and the exit must fit inside it, or the supervisor kills the process "
                        + "(SIGKILL) before the shutdown ends; lower the deadline or raise the grace period");
            }
        });
        if (deadline.isZero() || deadline.isNegative()) {
            throw new ShutdownConfigException(DEADLINE, Durations.format(deadline), "must be a positive duration");
        }
        if (readinessDelay.isNegative()) {
            throw new ShutdownConfigException(READINESS_DELAY, Durations.format(readinessDelay),
                                              "must be zero or a positive duration");
        }
        if (readinessDelay.compareTo(deadline) >= 0) {
            throw new ShutdownConfigException(READINESS_DELAY, Durations.format(readinessDelay),
                                              "must be less than " + DEADLINE + " (" + Durations.format(deadline)
                                                      + "), or nothing is left to drain and release");
        }
        drainTimeout.ifPresent(d -> {
            if (d.isZero() || d.isNegative()) {
                throw new ShutdownConfigException(DRAIN_TIMEOUT, Durations.format(d), "must be a positive duration");
            }
            if (d.compareTo(deadline) > 0) {
                throw new ShutdownConfigException(DRAIN_TIMEOUT, Durations.format(d),
                                                  "must not exceed " + DEADLINE + " (" + Durations.format(deadline)
                                                          + ")");
            }
        });
        participants = Map.copyOf(participants);
    }

    /**
     * Returns the defaults: a 25 s deadline, no readiness delay, no drain timeout, no report file.
     *
     * @return the default configuration
     */
    public static ShutdownConfig defaults() {
        return new ShutdownConfig(DEFAULT_DEADLINE, Duration.ZERO, Optional.empty(), Optional.empty(), Map.of(),
                                  Optional.empty(), Optional.empty());
    }

    /**
     * Returns a copy with another deadline.
     *
     * @param deadline the new deadline
     * @return the copy
     */
    public ShutdownConfig withDeadline(Duration deadline) {
        return new ShutdownConfig(deadline, readinessDelay, drainTimeout, reportFile, participants, quietPeriod,
                                  gracePeriod);
    }

    /**
     * Returns a copy with another readiness delay; every other setting is kept.
     *
     * @param readinessDelay the new readiness delay
     * @return the copy
     */
    public ShutdownConfig withReadinessDelay(Duration readinessDelay) {
        return new ShutdownConfig(deadline, readinessDelay, drainTimeout, reportFile, participants, quietPeriod,
                                  gracePeriod);
    }

    /**
     * Returns a copy with other per-participant overrides; every other setting is kept.
     *
     * @param participants the new overrides, keyed by participant name
     * @return the copy
     */
    public ShutdownConfig withParticipants(Map<String, ParticipantConfig> participants) {
        return new ShutdownConfig(deadline, readinessDelay, drainTimeout, reportFile, Map.copyOf(participants),
                                  quietPeriod, gracePeriod);
    }

    /**
     * Returns the overrides of one participant.
     *
     * @param name the participant's name
     * @return its overrides, or the empty defaults when it has none
     */
    public ParticipantConfig participant(String name) {
        return participants.getOrDefault(name, ParticipantConfig.DEFAULT);
    }

    /**
     * Reads one of a participant's settings ({@code shutdown.participants.<name>.settings.<key>}) as a positive
     * duration.
     *
     * @param participant  the participant's name
     * @param setting      the setting's key, relative to its {@code settings}
     * @param defaultValue the value when the setting is not there
     * @return the duration
     * @throws ShutdownConfigException naming the full key when the value is not a positive duration
     */
    public Duration durationSetting(String participant, String setting, Duration defaultValue) {
        String raw = participant(participant).settings().get(setting);
        return raw == null
                ? defaultValue
                : Durations.positive(PARTICIPANTS + "." + participant + ".settings." + setting, raw);
    }

    /**
     * Builds the configuration from flat keys, as a config system lists them ({@code shutdown.deadline=5s},
     * {@code shutdown.participants.db-pool.timeout=2s}). Keys outside {@code shutdown.} are ignored; unknown keys
     * inside it are rejected.
     *
     * @param flat the keys and values
     * @return the validated configuration
     * @throws ShutdownConfigException naming the first bad key
     */
    public static ShutdownConfig fromProperties(Map<String, String> flat) {
        Duration deadline = DEFAULT_DEADLINE;
        Duration readinessDelay = Duration.ZERO;
        Optional<Duration> drainTimeout = Optional.empty();
        Optional<Path> reportFile = Optional.empty();
        Optional<Duration> quietPeriod = Optional.empty();
        Optional<Duration> gracePeriod = Optional.empty();
        Map<String, Map<String, String>> perParticipant = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(flat).entrySet()) {
            String key = e.getKey();
            String value = e.getValue() == null ? "" : e.getValue().strip();
            if (!key.startsWith(PREFIX + ".")) {
                continue;
            }
            switch (key) {
            case DEADLINE -> deadline = Durations.positive(key, value);
            case READINESS_DELAY -> readinessDelay = Durations.zeroOrPositive(key, value);
            case DRAIN_TIMEOUT -> drainTimeout = value.isEmpty()
                    ? Optional.empty()
                    : Optional.of(Durations.positive(key, value));
            case REPORT_FILE -> reportFile = value.isEmpty() ? Optional.empty() : Optional.of(Path.of(value));
            case QUIET_PERIOD -> quietPeriod = value.isEmpty()
                    ? Optional.empty()
                    : Optional.of(Durations.positive(key, value));
            case GRACE_PERIOD -> gracePeriod = value.isEmpty()
                    ? Optional.empty()
                    : Optional.of(Durations.positive(key, value));
            default -> {
                if (!key.startsWith(PARTICIPANTS + ".")) {
                    throw new ShutdownConfigException(key, value, "unknown key; known keys: " + TOP_LEVEL_KEYS);
                }
                String rest = key.substring(PARTICIPANTS.length() + 1);
                int dot = rest.indexOf('.');
                if (dot <= 0) {
                    throw new ShutdownConfigException(key, value, "expected " + PARTICIPANTS
                            + ".<name>.timeout, .enabled or .settings.<key>");
                }
                perParticipant.computeIfAbsent(rest.substring(0, dot), n -> new TreeMap<>())
                        .put(rest.substring(dot + 1), value);
            }
            }
        }
        Map<String, ParticipantConfig> participants = new LinkedHashMap<>();
        perParticipant.forEach((name, entries) -> participants.put(name, ParticipantConfig.from(name, entries)));
        return new ShutdownConfig(deadline, readinessDelay, drainTimeout, reportFile, participants, quietPeriod,
                                  gracePeriod);
    }

    /**
     * The overrides of one participant.
     *
     * @param timeout  its timeout, replacing its own default; positive
     * @param enabled  {@code false} to leave it out of the run
     * @param settings its own settings ({@code shutdown.participants.<name>.settings.*}, keys relative)
     */
    public record ParticipantConfig(Optional<Duration> timeout, boolean enabled, Map<String, String> settings) {

        /** No overrides: enabled, its own timeout, no settings. */
        public static final ParticipantConfig DEFAULT = new ParticipantConfig(Optional.empty(), true, Map.of());

        /**
         * Validates the overrides.
         */
        public ParticipantConfig {
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(settings, "settings");
            timeout.ifPresent(t -> {
                if (t.isZero() || t.isNegative()) {
                    throw new IllegalArgumentException("timeout must be > 0: " + t);
                }
            });
            settings = Map.copyOf(settings);
        }

        static ParticipantConfig from(String name, Map<String, String> entries) {
            String base = PARTICIPANTS + "." + name + ".";
            Optional<Duration> timeout = Optional.empty();
            boolean enabled = true;
            Map<String, String> settings = new TreeMap<>();
            for (Map.Entry<String, String> e : entries.entrySet()) {
                String key = base + e.getKey();
                String value = e.getValue();
                if (e.getKey().equals("timeout")) {
                    timeout = Optional.of(Durations.positive(key, value));
                } else if (e.getKey().equals("enabled")) {
                    if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                        throw new ShutdownConfigException(key, value, "expected true or false");
                    }
                    enabled = Boolean.parseBoolean(value);
                } else if (e.getKey().startsWith("settings.") && e.getKey().length() > "settings.".length()) {
                    settings.put(e.getKey().substring("settings.".length()), value);
                } else {
                    throw new ShutdownConfigException(key, value,
                                                      "unknown key; a participant takes timeout, enabled "
                                                              + "and settings.<key>");
                }
            }
            return new ParticipantConfig(timeout, enabled, settings);
        }
    }
}
