package dev.graceful.launcher;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The port lock's rehearsal, which a training run does on the free port it was given. The lock files go to a
 * directory of the test's own ({@code java.io.tmpdir}, which {@link PortLock#fileFor} reads at each call), so no
 * service's lock on this machine is touched.
 */
class PortLockTest {

    private static final int PORT = 18_999;

    @TempDir
    Path tmp;
    private String savedTmp;

    @BeforeEach
    void ownTemporaryDirectory() {
        savedTmp = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", tmp.toString());
    }

    @AfterEach
    void restoreTemporaryDirectory() {
        System.setProperty("java.io.tmpdir", savedTmp);
    }

    @Test
    void rehearsalRemovesAStaleLockFileAndHoldsNothing() throws Exception {
        Path file = PortLock.fileFor(PORT);
        assertThat(file.startsWith(tmp), is(true));
        Files.writeString(file, "pid=1\ntoken=stale\n");

        PortLock.rehearse(PORT);

        assertThat("the lock file is removed", Files.exists(file), is(false));
        PortLock after = PortLock.acquire(PORT, Optional.empty());
        try {
            assertThat("nothing holds the port afterwards", after.isHeld(), is(true));
        } finally {
            after.release();
        }
    }

    @Test
    void rehearsalLeavesTheLockOfAnotherProcessAndItsFileAlone() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process holder = new ProcessBuilder(java.toString(), "-Djava.io.tmpdir=" + tmp,
                                            "-cp", System.getProperty("java.class.path"),
                                            Holder.class.getName(), String.valueOf(PORT))
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                                                                          StandardCharsets.UTF_8));
            assertThat("the other process took the lock", out.readLine(), is("held"));
            String held = Files.readString(PortLock.fileFor(PORT));

            PortLock.rehearse(PORT);

            assertThat("the holder's file is kept as it was", Files.readString(PortLock.fileFor(PORT)), is(held));
            assertThrows(PortLock.PortInUseException.class, () -> PortLock.acquire(PORT, Optional.empty()),
                         "the other process still holds the lock");
        } finally {
            holder.getOutputStream().close();
            assertThat(holder.waitFor(30, TimeUnit.SECONDS), is(true));
        }
    }

    /** Another process: takes the port's lock, says so, and keeps it until its standard input ends. */
    static final class Holder {

        private Holder() {
        }

        public static void main(String[] args) throws Exception {
            PortLock lock = PortLock.acquire(Integer.parseInt(args[0]), Optional.empty());
            System.out.println("held");
            System.out.flush();
            System.in.readAllBytes();
            lock.release();
        }
    }
}
