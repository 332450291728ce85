package dev.graceful;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;
import dev.graceful.spi.ShutdownReason;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.graceful.spi.ShutdownPhase.DRAIN;
import static dev.graceful.spi.ShutdownPhase.RELEASE;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ShutdownCoordinatorValidationTest {

    private final Recorder recorder = new Recorder();

    @Test
    void rejectsDuplicateParticipantNames() {
        ShutdownCoordinator.Builder builder = ShutdownCoordinator.builder()
                .add(new RecordingParticipant("db-pool", RELEASE, recorder))
                .add(new FailingParticipant("db-pool", DRAIN, new IllegalStateException()));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);

        assertThat(e.getMessage(), containsString("'db-pool'"));
        assertThat(e.getMessage(), containsString(RecordingParticipant.class.getName()));
        assertThat(e.getMessage(), containsString(FailingParticipant.class.getName()));
    }

    @Test
    void rejectsConfigurationOfAnUnknownParticipant() {
        ShutdownCoordinator.Builder builder = ShutdownCoordinator.builder()
                .config(ShutdownConfig.fromProperties(Map.of("shutdown.participants.db-pol.timeout", "2s")))
                .add(new RecordingParticipant("db-pool", RELEASE, recorder));

        ShutdownConfigException e = assertThrows(ShutdownConfigException.class, builder::build);

        assertThat(e.key(), is("shutdown.participants.db-pol"));
        assertThat(e.getMessage(), containsString("'db-pol'"));
        assertThat(e.getMessage(), containsString("known participants: [db-pool]"));
    }

    @Test
    void acceptsConfigurationOfADisabledParticipant() {
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .config(ShutdownConfig.fromProperties(Map.of("shutdown.participants.db-pool.enabled", "false")))
                .add(new RecordingParticipant("db-pool", RELEASE, recorder))
                .build();

        assertThat(coordinator.plan().disabled(), is(List.of("db-pool")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"DbPool", "db_pool", "db pool", "db.pool", "-db", "db-", "db--pool", "1db", ""})
    void rejectsANameThatIsNotKebabCase(String name) {
        ShutdownCoordinator.Builder builder = ShutdownCoordinator.builder()
                .add(new RecordingParticipant(name, RELEASE, recorder));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);

        assertThat(e.getMessage(), containsString("'" + name + "'"));
        assertThat(e.getMessage(), containsString("kebab-case"));
        assertThat(e.getMessage(), containsString(RecordingParticipant.class.getName()));
    }

    @Test
    void rejectsAMissingName() {
        ShutdownCoordinator.Builder builder = ShutdownCoordinator.builder()
                .add(new RecordingParticipant(null, RELEASE, recorder));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);

        assertThat(e.getMessage(), containsString(RecordingParticipant.class.getName()));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void rejectsAParticipantThatDeclaresANonPositiveTimeout(long millis) {
        ShutdownCoordinator.Builder builder = ShutdownCoordinator.builder()
                .add(new RecordingParticipant("db-pool", RELEASE, recorder).withTimeout(Duration.ofMillis(millis)));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);

        assertThat(e.getMessage(), containsString("'db-pool'"));
        assertThat(e.getMessage(), containsString(Duration.ofMillis(millis).toString()));
    }

    @Test
    void rejectsAParticipantWithoutAPhase() {
        ShutdownCoordinator.Builder builder = ShutdownCoordinator.builder()
                .add(new RecordingParticipant("db-pool", null, recorder));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);

        assertThat(e.getMessage(), containsString("'db-pool'"));
        assertThat(e.getMessage(), containsString("READINESS"));
    }

    @Test
    void namesAParticipantAfterItsClassInKebabCaseByDefault() {
        ShutdownParticipant participant = new DiscoverableParticipant();

        assertThat(participant.name(), is("discoverable-participant"));
        assertThat(participant.phase(), is(ShutdownPhase.RELEASE));
        assertThat(participant.order(), is(0));
        assertThat(participant.timeout(), is(Optional.empty()));
    }

    @Test
    void rejectsANullParticipantOrConfigAtOnce() {
        ShutdownCoordinator.Builder builder = ShutdownCoordinator.builder();

        assertThrows(NullPointerException.class, () -> builder.add(null));
        assertThrows(NullPointerException.class, () -> builder.config(null));
        assertThrows(NullPointerException.class, () -> builder.build().run(null));
    }

    @Test
    void runsWithNoParticipantsAndReportsACleanStop() {
        ShutdownReport report = ShutdownCoordinator.builder().build().run(ShutdownReason.REQUESTED);

        assertThat(report.outcomes().isEmpty(), is(true));
        assertThat(report.isClean(), is(true));
    }
}
