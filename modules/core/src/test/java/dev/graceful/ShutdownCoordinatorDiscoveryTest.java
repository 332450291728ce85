package dev.graceful;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.graceful.spi.ShutdownReason;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each test writes its own {@code META-INF/services} file into a temporary directory and discovers through a
 * throwaway class loader, so no services file is on the class path of the other tests.
 */
class ShutdownCoordinatorDiscoveryTest {

    @TempDir
    Path servicesRoot;

    @Test
    void discoversAndRunsAProviderNamedInAServicesFile() throws IOException {
        try (URLClassLoader loader = loaderProviding(DiscoverableParticipant.class.getName())) {
            ShutdownCoordinator coordinator = ShutdownCoordinator.builder().discover(loader).build();

            ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

            assertThat(coordinator.plan().steps().getFirst().type(), is(DiscoverableParticipant.class.getName()));
            ParticipantOutcome outcome = report.outcome("discoverable-participant").orElseThrow();
            assertThat(outcome.kind(), is("COMPLETED"));
            assertThat(outcome.figures().get("discovered"), is(1L));
        }
    }

    @Test
    void discoversNothingWithoutAServicesFile() throws IOException {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {servicesRoot.toUri().toURL()},
                                                        getClass().getClassLoader())) {
            ShutdownCoordinator coordinator = ShutdownCoordinator.builder().discover(loader).build();

            assertThat(coordinator.plan().steps().isEmpty(), is(true));
        }
    }

    @Test
    void failsNamingAProviderWhoseConstructorThrows() throws IOException {
        try (URLClassLoader loader = loaderProviding(ThrowingConstructorParticipant.class.getName())) {
            ShutdownCoordinator.Builder builder = ShutdownCoordinator.builder();

            IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder.discover(loader));

            assertThat(e.getMessage(), containsString(ThrowingConstructorParticipant.class.getName()));
            assertThat(e.getMessage(), containsString("could not be instantiated"));
            assertThat(e.getMessage(), containsString("plugin misconfigured"));
        }
    }

    @Test
    void failsNamingAProviderClassThatDoesNotExist() throws IOException {
        try (URLClassLoader loader = loaderProviding("dev.graceful.NoSuchParticipant")) {
            ShutdownCoordinator.Builder builder = ShutdownCoordinator.builder();

            IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder.discover(loader));

            assertThat(e.getMessage(), containsString("dev.graceful.NoSuchParticipant"));
        }
    }

    @Test
    void failsNamingAProviderClassThatIsNotAParticipant() throws IOException {
        try (URLClassLoader loader = loaderProviding(Recorder.class.getName())) {
            ShutdownCoordinator.Builder builder = ShutdownCoordinator.builder();

            IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder.discover(loader));

            assertThat(e.getMessage(), containsString(Recorder.class.getName()));
        }
    }

    private URLClassLoader loaderProviding(String className) throws IOException {
        Path services = servicesRoot.resolve("META-INF/services/dev.graceful.spi.ShutdownParticipant");
        Files.createDirectories(services.getParent());
        Files.writeString(services, "# written by " + getClass().getSimpleName() + "\n" + className + "\n");
        return new URLClassLoader(new URL[] {servicesRoot.toUri().toURL()}, getClass().getClassLoader());
    }
}
