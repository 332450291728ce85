package dev.graceful;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.graceful.ShutdownConfig.ParticipantConfig;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ShutdownConfigTest {

    @Test
    void parsesEveryKey() {
        ShutdownConfig config = ShutdownConfig.fromProperties(Map.of(
                "shutdown.deadline", "20s",
                "shutdown.readiness-delay", "5s",
                "shutdown.drain-timeout", "PT10S",
                "shutdown.report-file", " /var/log/graceful/report.json ",
                "shutdown.participants.db-pool.timeout", "2m",
                "shutdown.participants.db-pool.enabled", "true",
                "shutdown.participants.db-pool.settings.url", "jdbc:h2:./data/events",
                "shutdown.participants.db-pool.settings.pool.size", "4",
                "shutdown.participants.events-flush.enabled", "FALSE",
                "server.port", "8080"));

        assertThat(config.deadline(), is(Duration.ofSeconds(20)));
        assertThat(config.readinessDelay(), is(Duration.ofSeconds(5)));
        assertThat(config.drainTimeout(), is(Optional.of(Duration.ofSeconds(10))));
        assertThat(config.reportFile(), is(Optional.of(Path.of("/var/log/graceful/report.json"))));
        assertThat(config.participant("db-pool"),
                   is(new ParticipantConfig(Optional.of(Duration.ofMinutes(2)), true,
                                            Map.of("url", "jdbc:h2:./data/events", "pool.size", "4"))));
        assertThat(config.participant("events-flush"), is(new ParticipantConfig(Optional.empty(), false, Map.of())));
        assertThat(config.participants().size(), is(2));
    }

    @Test
    void usesTheDefaultsForMissingKeys() {
        ShutdownConfig config = ShutdownConfig.fromProperties(Map.of("server.port", "8080"));

        assertThat(config, is(ShutdownConfig.defaults()));
        assertThat(config.deadline(), is(Duration.ofSeconds(25)));
        assertThat(config.readinessDelay(), is(Duration.ZERO));
        assertThat(config.drainTimeout(), is(Optional.empty()));
        assertThat(config.reportFile(), is(Optional.empty()));
        assertThat(config.participant("anyone"), is(ParticipantConfig.DEFAULT));
    }

    @Test
    void treatsAnEmptyDrainTimeoutAndReportFileAsUnset() {
        Map<String, String> flat = new HashMap<>();
        flat.put("shutdown.drain-timeout", "");
        flat.put("shutdown.report-file", null);

        ShutdownConfig config = ShutdownConfig.fromProperties(flat);

        assertThat(config.drainTimeout(), is(Optional.empty()));
        assertThat(config.reportFile(), is(Optional.empty()));
    }

    /** This covers a bug where the message named the value reformatted ({@code 0ms}, not the {@code 0s} written). */
    @ParameterizedTest
    @ValueSource(strings = {"-1s", "0s", "PT0S", "-500ms", "0ms"})
    void rejectsANonPositiveDeadlineNamingTheValueAsWritten(String value) {
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class,
                                                 () -> ShutdownConfig.fromProperties(
                                                         Map.of("shutdown.deadline", value)));

        assertThat(e.key(), is(ShutdownConfig.DEADLINE));
        assertThat(e.getMessage(), containsString("shutdown.deadline='" + value + "'"));
        assertThat(e.getMessage(), containsString("positive"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "5 sec", "", "5"})
    void rejectsADeadlineThatIsNotADuration(String value) {
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class,
                                                 () -> ShutdownConfig.fromProperties(
                                                         Map.of("shutdown.deadline", value)));

        assertThat(e.key(), is(ShutdownConfig.DEADLINE));
        assertThat(e.getMessage(), containsString("shutdown.deadline='" + value + "'"));
        assertThat(e.getMessage(), containsString(Durations.ACCEPTED_FORMS));
    }

    @Test
    void rejectsANonPositiveDeadlineBuiltInCode() {
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class,
                                                 () -> ShutdownConfig.defaults().withDeadline(Duration.ZERO));

        assertThat(e.key(), is(ShutdownConfig.DEADLINE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "-2s", "PT0S"})
    void rejectsANonPositiveParticipantTimeout(String value) {
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class,
                                                 () -> ShutdownConfig.fromProperties(
                                                         Map.of("shutdown.participants.db-pool.timeout", value)));

        assertThat(e.key(), is("shutdown.participants.db-pool.timeout"));
        assertThat(e.getMessage(), containsString("shutdown.participants.db-pool.timeout='" + value + "'"));
        assertThat(e.getMessage(), containsString("positive"));
    }

    @Test
    void rejectsAParticipantTimeoutThatIsNotADuration() {
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class,
                                                 () -> ShutdownConfig.fromProperties(
                                                         Map.of("shutdown.participants.db-pool.timeout", "2 secs")));

        assertThat(e.getMessage(), containsString("shutdown.participants.db-pool.timeout='2 secs'"));
        assertThat(e.getMessage(), containsString(Durations.ACCEPTED_FORMS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"5s", "6s", "PT1M"})
    void rejectsAReadinessDelayThatIsNotShorterThanTheDeadline(String value) {
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class,
                                                 () -> ShutdownConfig.fromProperties(Map.of(
                                                         "shutdown.deadline", "5s",
                                                         "shutdown.readiness-delay", value)));

        assertThat(e.key(), is(ShutdownConfig.READINESS_DELAY));
        assertThat(e.getMessage(), containsString("shutdown.readiness-delay='"));
        assertThat(e.getMessage(), containsString("less than shutdown.deadline (5s)"));
    }

    @Test
    void rejectsANegativeReadinessDelayNamingTheValueAsWritten() {
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class,
                                                 () -> ShutdownConfig.fromProperties(
                                                         Map.of("shutdown.readiness-delay", "-PT0.5S")));

        assertThat(e.key(), is(ShutdownConfig.READINESS_DELAY));
        assertThat(e.getMessage(), containsString("shutdown.readiness-delay='-PT0.5S'"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "-1s"})
    void rejectsANonPositiveDrainTimeout(String value) {
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class,
                                                 () -> ShutdownConfig.fromProperties(
                                                         Map.of("shutdown.drain-timeout", value)));

        assertThat(e.key(), is(ShutdownConfig.DRAIN_TIMEOUT));
        assertThat(e.getMessage(), containsString("shutdown.drain-timeout='" + value + "'"));
    }

    @Test
    void rejectsADrainTimeoutLongerThanTheDeadline() {
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class,
                                                 () -> ShutdownConfig.fromProperties(Map.of(
                                                         "shutdown.deadline", "10s",
                                                         "shutdown.drain-timeout", "11s")));

        assertThat(e.key(), is(ShutdownConfig.DRAIN_TIMEOUT));
        assertThat(e.getMessage(), containsString("shutdown.drain-timeout='11s'"));
        assertThat(e.getMessage(), containsString("shutdown.deadline (10s)"));
    }

    @Test
    void rejectsAnUnknownKey() {
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class,
                                                 () -> ShutdownConfig.fromProperties(
                                                         Map.of("shutdown.dedline", "5s")));

        assertThat(e.key(), is("shutdown.dedline"));
        assertThat(e.getMessage(), containsString("shutdown.dedline='5s'"));
        assertThat(e.getMessage(), containsString("unknown key"));
        assertThat(e.getMessage(), containsString(ShutdownConfig.DEADLINE));
    }

    @Test
    void rejectsAnUnknownParticipantKey() {
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class,
                                                 () -> ShutdownConfig.fromProperties(
                                                         Map.of("shutdown.participants.x.timout", "5s")));

        assertThat(e.key(), is("shutdown.participants.x.timout"));
        assertThat(e.getMessage(), containsString("shutdown.participants.x.timout='5s'"));
        assertThat(e.getMessage(), containsString("timeout, enabled and settings.<key>"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"shutdown.participants.x", "shutdown.participants.x.settings."})
    void rejectsAParticipantKeyWithoutAProperty(String key) {
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class,
                                                 () -> ShutdownConfig.fromProperties(Map.of(key, "1")));

        assertThat(e.key(), is(key));
        assertThat(e.getMessage(), containsString(key + "='1'"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "0", "", "off"})
    void rejectsEnabledOtherThanTrueOrFalse(String value) {
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class,
                                                 () -> ShutdownConfig.fromProperties(
                                                         Map.of("shutdown.participants.db-pool.enabled", value)));

        assertThat(e.key(), is("shutdown.participants.db-pool.enabled"));
        assertThat(e.getMessage(), containsString("shutdown.participants.db-pool.enabled='" + value + "'"));
        assertThat(e.getMessage(), containsString("true or false"));
    }

    @Test
    void readsAParticipantsDurationSettingWithItsDefaultAndNamesTheFullKeyWhenItIsBad() {
        ShutdownConfig config = ShutdownConfig.fromProperties(Map.of(
                "shutdown.participants.streams.settings.retry", "2s",
                "shutdown.participants.streams.settings.grace", "soon"));

        assertThat(config.durationSetting("streams", "retry", Duration.ofSeconds(9)), is(Duration.ofSeconds(2)));
        assertThat(config.durationSetting("streams", "other", Duration.ofSeconds(9)), is(Duration.ofSeconds(9)));
        assertThat(config.durationSetting("nobody", "retry", Duration.ofSeconds(9)), is(Duration.ofSeconds(9)));
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class,
                                                 () -> config.durationSetting("streams", "grace", Duration.ZERO));
        assertThat(e.key(), is("shutdown.participants.streams.settings.grace"));
        assertThat(e.getMessage(), containsString("'soon'"));
    }

    @Test
    void keepsEveryOtherValueWhenTheDeadlineChanges() {
        ShutdownConfig config = ShutdownConfig.fromProperties(Map.of(
                "shutdown.readiness-delay", "1s",
                "shutdown.participants.db-pool.timeout", "2s"));

        ShutdownConfig changed = config.withDeadline(Duration.ofSeconds(3));

        assertThat(changed.deadline(), is(Duration.ofSeconds(3)));
        assertThat(changed.readinessDelay(), is(Duration.ofSeconds(1)));
        assertThat(changed.participant("db-pool").timeout(), is(Optional.of(Duration.ofSeconds(2))));
    }

    @Test
    void withParticipantsKeepsEveryOtherSetting() {
        ShutdownConfig base = ShutdownConfig.fromProperties(Map.of(
                "shutdown.deadline", "20s", "shutdown.readiness-delay", "2s", "shutdown.drain-timeout", "10s",
                "shutdown.report-file", "r.json", "shutdown.quiet-period", "500ms", "shutdown.grace-period", "30s"));
        Map<String, ParticipantConfig> own = Map.of("db-pool",
                new ParticipantConfig(Optional.of(Duration.ofSeconds(3)), true, Map.of()));

        ShutdownConfig copy = base.withParticipants(own);

        assertThat(copy.participants(), is(own));
        assertThat(copy.withParticipants(base.participants()), is(base));
        assertThat(copy.quietPeriod(), is(Optional.of(Duration.ofMillis(500))));
        assertThat(copy.gracePeriod(), is(Optional.of(Duration.ofSeconds(30))));
        assertThat(copy.deadline(), is(Duration.ofSeconds(20)));
        assertThat(copy.reportFile(), is(Optional.of(Path.of("r.json"))));
    }
}
