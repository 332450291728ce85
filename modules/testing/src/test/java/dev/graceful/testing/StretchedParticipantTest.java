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

        assertThat(e.getMessage(), containsString("minimumBudget()"));
    }

    @Test
    void theAssertionFailsAWrapperWhoseShutdownDoesNotRunTheWrappedParticipant() {
        AssertionError e = assertThrows(AssertionError.class, () -> ParticipantAssertions.assertForwardsEverySpiMethod(
                p -> new SilentWrapper(new ForgetfulWrapper(p))));

        assertThat(e.getMessage(), containsString("did not run the wrapped participant"));
    }

    /** Forwards every accessor, through its delegate's, but never runs it. */
    private record SilentWrapper(ForgetfulWrapper delegate) implements ShutdownParticipant {
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
        public Duration minimumBudget() {
            return delegate.delegate().minimumBudget();
        }

        @Override
        public void shutdown(ShutdownContext context) {
            // forgets to run it
        }
    }

    /** Forwards everything but the minimum budget, as StretchedParticipant once did. */
    private record ForgetfulWrapper(ShutdownParticipant delegate) implements ShutdownParticipant {
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
}
