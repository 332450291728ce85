package dev.graceful.launcher;

import java.util.ServiceConfigurationError;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** A failed start names its cause in words an operator can act on. */
class StartupExceptionTest {

    @Test
    void aClassMissingFromTheClassPathIsNamedAsSuch() {
        assertThat(StartupException.describe(new NoClassDefFoundError("io/micrometer/registry/otlp/OtlpConfig")),
                   is("class io.micrometer.registry.otlp.OtlpConfig is not on the class path: a jar that the service "
                              + "or its configuration needs is missing"));
    }

    @Test
    void aMissingClassBehindAServiceLoadersErrorIsNamedToo() {
        var wrapped = new ServiceConfigurationError("io.helidon.metrics.spi.MetricsFactoryProvider: "
                + "Provider io.example.Factory could not be instantiated", new NoClassDefFoundError("io/example/Dep"));
        assertThat(StartupException.describe(wrapped),
                   is("class io.example.Dep is not on the class path: a jar that the service or its configuration "
                              + "needs is missing"));
    }

    @Test
    void aClassWhoseInitialiserFailedKeepsItsOwnMessage() {
        assertThat(StartupException.describe(new NoClassDefFoundError("Could not initialize class com.example.Db")),
                   is("Could not initialize class com.example.Db"));
    }

    @Test
    void anyOtherFailureGivesItsMessageOrElseItsType() {
        assertThat(StartupException.describe(new IllegalStateException("pool closed")), is("pool closed"));
        assertThat(StartupException.describe(new IllegalStateException()), is("java.lang.IllegalStateException"));
    }
}
