package dev.graceful.testing;

import java.time.Duration;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * This covers a bug where the wrapper the probe runs a participant in forgot {@code minimumBudget()}, so a
 * participant's minimum budget was silently dropped: a wrapper must forward every method of the SPI.
 */
class StretchedParticipantTest {

    @Test
    void forwardsEveryMethodOfTheSpiToItsDelegate() {
        ParticipantAssertions.assertForwardsEverySpiMethod(p -> new StretchedParticipant(p, Duration.ofSeconds(1)));
    }

    @Test
    void theAssertionNamesAMethodAWrapperDoesNotForward() {
        AssertionError e = assertThrows(AssertionError.class, () -> ParticipantAssertions.assertForwardsEverySpiMethod(
                ForgetfulWrapper::new));

        assertThat(e.getMessage(), containsString("does not override"));

        assertThat(e.getMessage(), containsString("minimumBudget()"));
    }

    @Test
    void theAssertionFailsAWrapperWhoseShutdownDoesNotRunTheWrappedParticipant() {
        AssertionError e = assertThrows(AssertionError.class, () -> ParticipantAssertions.assertForwardsEverySpiMethod(
                SilentWrapper::new));

        assertThat(e.getMessage(), containsString("did not run the wrapped participant"));
    }

    /**
     * Forwards name, phase, order and timeout, and runs the wrapped participant; as a base class, it also shows that
     * forwarding inherited from a superclass counts.
     */
    private static class ForgetfulWrapper implements ShutdownParticipant {
        final ShutdownParticipant delegate;

        ForgetfulWrapper(ShutdownParticipant delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public dev.graceful.spi.ShutdownPhase phase() {
            return delegate.phase();
        }

        @Override
        public int order() {
            return delegate.order();
        }

        @Override
        public java.util.Optional<Duration> timeout() {
            return delegate.timeout();
        }

        @Override
        public void shutdown(ShutdownContext context) throws Exception {
            delegate.shutdown(context);
        }
    }

    /** Forwards every accessor (four of them inherited), but never runs the wrapped participant. */
    private static final class SilentWrapper extends ForgetfulWrapper {
        SilentWrapper(ShutdownParticipant delegate) {
            super(delegate);
        }

        @Override
        public Duration minimumBudget() {
            return delegate.minimumBudget();
        }

        @Override
        public void shutdown(ShutdownContext context) {
            // forgets to run it
        }
    }
}
