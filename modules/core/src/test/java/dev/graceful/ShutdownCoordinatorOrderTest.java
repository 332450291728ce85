package dev.graceful;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import dev.graceful.spi.ShutdownReason;

import org.junit.jupiter.api.Test;

import static dev.graceful.spi.ShutdownPhase.DRAIN;
import static dev.graceful.spi.ShutdownPhase.READINESS;
import static dev.graceful.spi.ShutdownPhase.RELEASE;
import static dev.graceful.spi.ShutdownPhase.STOP_ACCEPTING;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;

class ShutdownCoordinatorOrderTest {

    private final Recorder recorder = new Recorder();

    @Test
    void runsPhasesInDeclaredOrder() {
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .add(new RecordingParticipant("release", RELEASE, recorder))
                .add(new RecordingParticipant("drain", DRAIN, recorder))
                .add(new RecordingParticipant("stop-accepting", STOP_ACCEPTING, recorder))
                .add(new RecordingParticipant("readiness", READINESS, recorder))
                .build();

        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

        assertThat(recorder.events(), contains("readiness:start", "readiness:end",
                                               "stop-accepting:start", "stop-accepting:end",
                                               "drain:start", "drain:end",
                                               "release:start", "release:end"));
        assertThat(report.outcomes().stream().map(ParticipantOutcome::name).toList(),
                   contains("readiness", "stop-accepting", "drain", "release"));
        assertThat(report.isClean(), is(true));
    }

    @Test
    void runsAscendingOrderWithinAPhase() {
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .add(new RecordingParticipant("close-pool", RELEASE, 5, recorder))
                .add(new RecordingParticipant("flush-events", RELEASE, -1, recorder))
                .add(new RecordingParticipant("close-clients", RELEASE, 2, recorder))
                .add(new RecordingParticipant("deregister", READINESS, 100, recorder))
                .build();

        coordinator.run(ShutdownReason.SIGTERM);

        assertThat(recorder.events(), contains("deregister:start", "deregister:end",
                                               "flush-events:start", "flush-events:end",
                                               "close-clients:start", "close-clients:end",
                                               "close-pool:start", "close-pool:end"));
    }

    @Test
    void runsEqualOrderConcurrentlyEachOnAPlatformThreadOfItsOwn() {
        CyclicBarrier bothRunning = new CyclicBarrier(2);
        BarrierParticipant first = new BarrierParticipant("first", bothRunning);
        BarrierParticipant second = new BarrierParticipant("second", bothRunning);
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .config(ShutdownConfig.defaults().withDeadline(Duration.ofSeconds(10)))
                .add(first)
                .add(second)
                .build();

        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

        // Each waits at the barrier for the other: had they run one after the other, both would have failed.
        assertThat(report.outcome("first").orElseThrow().kind(), is("COMPLETED"));
        assertThat(report.outcome("second").orElseThrow().kind(), is("COMPLETED"));
        // platform daemon threads: a virtual one would queue behind a loaded server's request handlers
        assertThat(first.thread().isVirtual(), is(false));
        assertThat(second.thread().isVirtual(), is(false));
        assertThat(first.thread().isDaemon(), is(true));
        assertThat(first.threadName(), is("graceful-first"));
        assertThat(first.thread(), not(sameInstance(second.thread())));
        assertThat(first.thread(), not(sameInstance(Thread.currentThread())));
    }

    @Test
    void startsALaterOrderOnlyOnceEveryParticipantOfTheEarlierOrderHasEnded() {
        CountDownLatch laterStarted = new CountDownLatch(1);
        // "early-wait" gives a wrongly early start of "later" 300 ms to show up before "early-wait" ends.
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .add(new RecordingParticipant("later", DRAIN, 1, recorder).doing(context -> laterStarted.countDown()))
                .add(new RecordingParticipant("early-wait", DRAIN, 0, recorder)
                             .doing(context -> laterStarted.await(300, TimeUnit.MILLISECONDS)))
                .add(new RecordingParticipant("early-quick", DRAIN, 0, recorder))
                .build();

        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

        assertThat(recorder.indexOf("later:start"), greaterThan(recorder.indexOf("early-wait:end")));
        assertThat(recorder.indexOf("later:start"), greaterThan(recorder.indexOf("early-quick:end")));
        assertThat(report.outcomes().stream().map(ParticipantOutcome::name).toList(),
                   contains("early-wait", "early-quick", "later"));
    }

    @Test
    void tellsTheListenerAsEachPhaseWithParticipantsStarts() {
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .add(new RecordingParticipant("release", RELEASE, recorder))
                .add(new RecordingParticipant("readiness", READINESS, recorder))
                .add(new RecordingParticipant("drain", DRAIN, recorder))
                .build();

        coordinator.run(ShutdownReason.SIGTERM, (phase, remaining) -> {
            assertThat(remaining.isNegative(), is(false));
            recorder.record("phase:" + phase);
        });

        assertThat(recorder.events(), contains("phase:READINESS", "readiness:start", "readiness:end",
                                               "phase:DRAIN", "drain:start", "drain:end",
                                               "phase:RELEASE", "release:start", "release:end"));
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheShutdown() {
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .add(new RecordingParticipant("readiness", READINESS, recorder))
                .add(new RecordingParticipant("release", RELEASE, recorder))
                .build();

        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM, (phase, remaining) -> {
            throw new IllegalStateException("listener broke");
        });

        assertThat(report.isClean(), is(true));
        assertThat(recorder.events(), contains("readiness:start", "readiness:end", "release:start", "release:end"));
    }
}
