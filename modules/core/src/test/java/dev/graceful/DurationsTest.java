package dev.graceful;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DurationsTest {

    @Test
    void parsesEveryAcceptedForm() {
        assertThat(Durations.parse("500ms"), is(Duration.ofMillis(500)));
        assertThat(Durations.parse("5s"), is(Duration.ofSeconds(5)));
        assertThat(Durations.parse("2m"), is(Duration.ofMinutes(2)));
        assertThat(Durations.parse("1h"), is(Duration.ofHours(1)));
        assertThat(Durations.parse("PT5S"), is(Duration.ofSeconds(5)));
        assertThat(Durations.parse("PT0.25S"), is(Duration.ofMillis(250)));
    }

    @Test
    void ignoresSurroundingWhiteSpace() {
        assertThat(Durations.parse(" 5s\t"), is(Duration.ofSeconds(5)));
        assertThat(Durations.parse(" PT5S "), is(Duration.ofSeconds(5)));
    }

    @Test
    void parsesNegativeAndZeroDurationsForTheCallerToReject() {
        assertThat(Durations.parse("-1s"), is(Duration.ofSeconds(-1)));
        assertThat(Durations.parse("-PT1S"), is(Duration.ofSeconds(-1)));
        assertThat(Durations.parse("0s"), is(Duration.ZERO));
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "5 sec", "", "5", "ms", "5d", "1.5s", "PTsoon", "--1s"})
    void rejectsTextThatIsNotADurationNamingItAndTheAcceptedForms(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));

        assertThat(e.getMessage(), containsString("'" + text + "'"));
        assertThat(e.getMessage(), containsString(Durations.ACCEPTED_FORMS));
    }

    @Test
    void readsASettingThatMustBePositiveNamingTheKeyWhenItIsNot() {
        assertThat(Durations.positive("a.key", "250ms"), is(Duration.ofMillis(250)));

        ShutdownConfigException zero = assertThrows(ShutdownConfigException.class,
                                                    () -> Durations.positive("a.key", "0s"));
        ShutdownConfigException word = assertThrows(ShutdownConfigException.class,
                                                    () -> Durations.positive("a.key", "soon"));

        assertThat(zero.getMessage(), is("a.key='0s': must be a positive duration"));
        assertThat(word.key(), is("a.key"));
        assertThat(word.getMessage(), is("a.key='soon': expected a positive duration: " + Durations.ACCEPTED_FORMS));
    }

    @Test
    void readsASettingThatMayBeZeroButNeverNegative() {
        assertThat(Durations.zeroOrPositive("a.key", "0s"), is(Duration.ZERO));

        ShutdownConfigException e = assertThrows(ShutdownConfigException.class,
                                                 () -> Durations.zeroOrPositive("a.key", "-1s"));

        assertThat(e.getMessage(), is("a.key='-1s': must be zero or a positive duration"));
    }

    @Test
    void formatsForPeople() {
        assertThat(Durations.format(Duration.ZERO), is("0ms"));
        assertThat(Durations.format(Duration.ofMillis(250)), is("250ms"));
        assertThat(Durations.format(Duration.ofMillis(1500)), is("1.500s"));
        assertThat(Durations.format(Duration.ofSeconds(25)), is("25s"));
        assertThat(Durations.format(Duration.ofSeconds(-1)), is("-1s"));
    }
}
