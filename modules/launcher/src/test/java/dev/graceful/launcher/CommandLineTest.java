package dev.graceful.launcher;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CommandLineTest {

    @Test
    void noArgumentsServesWithTheLookedUpConfiguration() {
        assertThat(CommandLine.parse(), is(new CommandLine(Optional.empty(), Optional.empty(), false)));
    }

    @Test
    void readsTheConfigFileInBothForms() {
        assertThat(CommandLine.parse("--config", "a.yaml").configFile(), is(Optional.of("a.yaml")));
        assertThat(CommandLine.parse("--config=b.yaml").configFile(), is(Optional.of("b.yaml")));
    }

    @Test
    void readsThePrintPlanForms() {
        assertThat(CommandLine.parse("--print-plan").printPlan(), is(Optional.of("table")));
        assertThat(CommandLine.parse("--print-plan=table").printPlan(), is(Optional.of("table")));
        assertThat(CommandLine.parse("--print-plan=json", "--config", "x").printPlan(), is(Optional.of("json")));
        assertThat(CommandLine.parse("-h").help(), is(true));
    }

    @Test
    void anUnknownArgumentIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                                  () -> CommandLine.parse("--config", "a.yaml", "--verbose"));
        assertThat(e.getMessage(), containsString("unknown argument '--verbose'"));
        assertThat(e.getMessage(), containsString(CommandLine.USAGE));
    }

    @Test
    void aConfigFlagWithoutItsValueIsUnknown() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommandLine.parse("--config"));
        assertThat(e.getMessage(), containsString("'--config'"));
    }
}
