package dev.graceful.testing;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.graceful.ShutdownConfig;
import dev.graceful.ShutdownConfig.ParticipantConfig;
import dev.graceful.ShutdownCoordinator;
import dev.graceful.ShutdownReport;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownReason;

/**
 * Runs one participant, or a set of them, through a real {@link ShutdownCoordinator}, as the service would at a
 * stop, and returns the {@link ShutdownReport}.
 *
 * <pre>{@code
 * ShutdownReport report = ParticipantProbe.of(new AuditTrailParticipant())
 *         .deadline(Duration.ofSeconds(5))
 *         .reason(ShutdownReason.SIGTERM)
 *         .setting("file", dir.resolve("audit.log").toString())
 *         .run();
 * }</pre>
 *
 * <p>By default the probe runs under the service's default deadline ({@link ShutdownConfig#DEFAULT_DEADLINE}),
 * with reason {@link ShutdownReason#SIGTERM}, each participant with its own timeout and no settings. Configuration
 * goes through {@link ShutdownConfig}, so it is validated as the service validates its YAML.
 *
 * <p>A probe is immutable and thread-safe: every setter returns a new probe, so one probe can be the base of
 * several runs. Each {@link #run()} builds a new coordinator and runs the same participant instances again.
 */
public final class ParticipantProbe {

    private final List<ShutdownParticipant> participants;
    private final Optional<Duration> deadline;
    private final ShutdownReason reason;
    private final Optional<Duration> timeout;
    private final Map<String, String> settings;
    private final Map<String, String> properties;

    private ParticipantProbe(List<ShutdownParticipant> participants, Optional<Duration> deadline,
                             ShutdownReason reason, Optional<Duration> timeout, Map<String, String> settings,
                             Map<String, String> properties) {
        this.participants = participants;
        this.deadline = deadline;
        this.reason = reason;
        this.timeout = timeout;
        this.settings = settings;
        this.properties = properties;
    }

    /**
     * Returns a probe that runs the given participants, in the order the coordinator gives them: by phase, then
     * by order, equal order concurrently.
     *
     * @param participants one participant or more; their names must be unique and kebab-case
     * @return a new probe with the default deadline and reason
     * @throws IllegalArgumentException when no participant is given
     */
    public static ParticipantProbe of(ShutdownParticipant... participants) {
        Objects.requireNonNull(participants, "participants");
        if (participants.length == 0) {
            throw new IllegalArgumentException("a probe needs at least one participant");
        }
        return new ParticipantProbe(List.of(participants), Optional.empty(), ShutdownReason.SIGTERM,
                                    Optional.empty(), Map.of(), Map.of());
    }

    /**
     * Returns a copy with another global deadline: the time the whole run may take, counted from {@link #run()}.
     *
     * @param deadline the deadline; positive
     * @return the copy
     * @throws IllegalArgumentException when the deadline is not positive
     */
    public ParticipantProbe deadline(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline");
        if (deadline.isZero() || deadline.isNegative()) {
            throw new IllegalArgumentException("deadline must be > 0: " + deadline);
        }
        return new ParticipantProbe(participants, Optional.of(deadline), reason, timeout, settings, properties);
    }

    /**
     * Returns a copy that runs with another reason, which participants see as
     * {@link dev.graceful.spi.ShutdownContext#reason()}.
     *
     * @param reason the reason
     * @return the copy
     */
    public ParticipantProbe reason(ShutdownReason reason) {
        return new ParticipantProbe(participants, deadline, Objects.requireNonNull(reason, "reason"), timeout,
                                    settings, properties);
    }

    /**
     * Returns a copy in which the probe's only participant has a configured timeout, as
     * {@code shutdown.participants.<name>.timeout} gives it: it replaces the participant's own
     * {@link ShutdownParticipant#timeout()}, and the deadline still caps it.
     *
     * @param timeout the timeout; positive
     * @return the copy
     * @throws IllegalArgumentException when the timeout is not positive
     * @throws IllegalStateException    when the probe runs more than one participant; use
     *                                  {@link #property(String, String)} for those
     */
    public ParticipantProbe timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be > 0: " + timeout);
        }
        only("timeout(...)");
        return new ParticipantProbe(participants, deadline, reason, Optional.of(timeout), settings, properties);
    }

    /**
     * Returns a copy in which the probe's only participant has one more setting, as
     * {@code shutdown.participants.<name>.settings.<key>} gives it; the participant reads it from
     * {@link dev.graceful.spi.ShutdownContext#settings()}.
     *
     * @param key   the key, relative to the participant's {@code settings} node, for example {@code file}
     * @param value the value
     * @return the copy
     * @throws IllegalStateException when the probe runs more than one participant; use
     *                               {@link #property(String, String)} for those
     */
    public ParticipantProbe setting(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        only("setting(...)");
        Map<String, String> copy = new LinkedHashMap<>(settings);
        copy.put(key, value);
        return new ParticipantProbe(participants, deadline, reason, timeout, Map.copyOf(copy), properties);
    }

    /**
     * Returns a copy with one more configuration key, written as the flattened YAML key of the service, for
     * example {@code shutdown.participants.db-pool.enabled=false} or
     * {@code shutdown.participants.db-pool.settings.url=jdbc:...}. Keys outside {@code shutdown.} are ignored, as
     * the service ignores them; unknown keys inside it make {@link #run()} throw.
     *
     * @param key   the key
     * @param value the value, as it would be written in YAML
     * @return the copy
     */
    public ParticipantProbe property(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Map<String, String> copy = new LinkedHashMap<>(properties);
        copy.put(key, value);
        return new ParticipantProbe(participants, deadline, reason, timeout, settings, Map.copyOf(copy));
    }

    /**
     * Runs the participants once through a new {@link ShutdownCoordinator} and returns its report. Blocks until
     * the coordinator returns: no later than the deadline plus a small margin. A participant that ignores the
     * coordinator's interrupt is abandoned as the service would abandon it: its thread goes on running.
     *
     * @return the report, with one outcome per enabled participant in the order they ran
     * @throws IllegalArgumentException                as the coordinator's builder throws it: a name that is not
     *                                                 kebab-case, a duplicate name, a missing phase
     * @throws dev.graceful.ShutdownConfigException naming the key, for a configuration the service would reject
     */
    public ShutdownReport run() {
        ShutdownCoordinator.Builder builder = ShutdownCoordinator.builder().config(config());
        participants.forEach(builder::add);
        return builder.build().run(reason);
    }

    /** Returns the configuration a run uses: the properties, then the deadline, timeout and settings on top. */
    ShutdownConfig config() {
        ShutdownConfig base = ShutdownConfig.fromProperties(properties);
        if (deadline.isPresent()) {
            base = base.withDeadline(deadline.get());
        }
        if (timeout.isEmpty() && settings.isEmpty()) {
            return base;
        }
        String name = participants.getFirst().name();
        ParticipantConfig own = base.participant(name);
        Map<String, String> mergedSettings = new HashMap<>(own.settings());
        mergedSettings.putAll(settings);
        Map<String, ParticipantConfig> perParticipant = new HashMap<>(base.participants());
        perParticipant.put(name, new ParticipantConfig(timeout.or(own::timeout), own.enabled(), mergedSettings));
        // a wither: the positional constructor once dropped the quiet period and the grace period here
        return base.withParticipants(perParticipant);
    }

    /** Returns the only participant. */
    ShutdownParticipant participant() {
        only("an assertion");
        return participants.getFirst();
    }

    /** Returns a copy that runs another participant in place of the only one, with the same configuration. */
    ParticipantProbe replacing(ShutdownParticipant participant) {
        only("an assertion");
        return new ParticipantProbe(List.of(participant), deadline, reason, timeout, settings, properties);
    }

    private void only(String what) {
        if (participants.size() != 1) {
            throw new IllegalStateException(what + " applies to a probe of one participant; this one runs "
                    + participants.size() + ": " + participants.stream().map(ShutdownParticipant::name).toList()
                    + " (use property(\"shutdown.participants.<name>...\", value) for one of several)");
        }
    }
}
