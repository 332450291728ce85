package dev.graceful.launcher;

import java.nio.file.Files;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** The port lock's rehearsal, which a training run does on the free port it was given. */
class PortLockTest {

    /** A port number whose lock file no other test uses (the file is named by the number only). */
    private static int somePort() {
        return ThreadLocalRandom.current().nextInt(50_000, 60_000);
    }

    @Test
    void rehearsalTakesTheLockAndLeavesNeitherLockNorFile() throws Exception {
        int port = somePort();
        Files.deleteIfExists(PortLock.fileFor(port));

        PortLock.rehearse(port);

        assertThat("the lock file is removed", Files.exists(PortLock.fileFor(port)), is(false));
        PortLock after = PortLock.acquire(port, Optional.empty());
        try {
            assertThat("nothing holds the port afterwards", after.isHeld(), is(true));
        } finally {
            after.release();
            Files.deleteIfExists(PortLock.fileFor(port));
        }
    }

    @Test
    void rehearsalLeavesAHeldLockAndItsFileAlone() throws Exception {
        int port = somePort();
        PortLock holder = PortLock.acquire(port, Optional.empty());
        try {
            String held = Files.readString(PortLock.fileFor(port));

            PortLock.rehearse(port);

            assertThat(holder.isHeld(), is(true));
            assertThat("the holder's file is kept as it was", Files.readString(PortLock.fileFor(port)), is(held));
        } finally {
            holder.release();
            Files.deleteIfExists(PortLock.fileFor(port));
        }
    }
}
