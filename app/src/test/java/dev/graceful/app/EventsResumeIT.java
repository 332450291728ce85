package dev.graceful.app;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.graceful.process.Poll;
import dev.graceful.process.ServiceProcess;
import dev.graceful.wire.RawHttpConnection;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/**
 * End to end, issue 16: a subscriber that behaves like a browser's {@code EventSource} (it honours {@code retry:} and
 * reconnects with {@code Last-Event-ID}) gets every acknowledged event exactly once, in order, while events are
 * posted at about 200 a second across a SIGHUP restart and across a SIGTERM followed by a new start.
 */
class EventsResumeIT {

    private static final Pattern DATA_ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    @Test
    void aResumingSubscriberGetsEveryAcknowledgedEventOnceAcrossARestartAndAStopAndAStart() throws Exception {
        int port = ServiceProcess.freePort();
        String yaml = "server:\n  port: " + port + "\n  host: 127.0.0.1\n";
        try (ServiceProcess first = ServiceProcess.launch(dir, yaml);
                Subscriber subscriber = new Subscriber(port);
                Poster poster = new Poster(port)) {
            first.port();
            subscriber.start();
            subscriber.awaitConnects(1);
            poster.start();
            poster.awaitAcknowledged(150);

            first.signal("HUP");
            assertThat(first.awaitExit(WAIT), is(0));
            long copy = first.servingPids().get(1);
            poster.awaitAcknowledged(150);

            new ProcessBuilder("kill", "-TERM", Long.toString(copy)).start().waitFor();
            ProcessHandle.of(copy).ifPresent(p -> p.onExit().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join());
            try (ServiceProcess second = ServiceProcess.launch(dir, yaml)) {
                second.port();
                poster.awaitAcknowledged(150);
                poster.stopPosting();
                subscriber.awaitAll(poster.acknowledged(), WAIT);
                second.signal("TERM");
                assertThat(second.awaitExit(WAIT), is(0));
            }

            List<String> received = subscriber.ids();
            Set<String> distinct = new HashSet<>(received);
            List<String> missing = poster.acknowledged().stream().filter(id -> !distinct.contains(id)).toList();
            System.out.printf("resume: %d acknowledged, %d received, %d connects, %d missing, %d duplicates%n",
                              poster.acknowledged().size(), received.size(), subscriber.connects(), missing.size(),
                              received.size() - distinct.size());
            assertThat("acknowledged events never received", missing, is(empty()));
            assertThat("events received more than once", received.size(), is(distinct.size()));
            assertThat("problems seen by the subscriber", subscriber.problems(), is(empty()));
            List<Long> seqs = subscriber.seqs();
            for (int i = 1; i < seqs.size(); i++) {
                assertThat("seq rises: " + seqs.subList(Math.max(0, i - 3), i + 1), seqs.get(i),
                           greaterThan(seqs.get(i - 1)));
            }
            assertThat("the subscriber reconnected after each stop", subscriber.connects(), greaterThan(2));
        }
    }

    /** Like a browser's EventSource: follows retry:, resumes with Last-Event-ID, reconnects while refused. */
    private static final class Subscriber implements AutoCloseable {
        private final int port;
        private final List<String> ids = new CopyOnWriteArrayList<>();
        private final List<Long> seqs = new CopyOnWriteArrayList<>();
        private final List<String> problems = new CopyOnWriteArrayList<>();
        private final AtomicInteger connects = new AtomicInteger();
        private volatile long lastSeq = -1;
        private volatile boolean stopped;
        private Thread thread;

        Subscriber(int port) {
            this.port = port;
        }

        void start() {
            thread = Thread.ofVirtual().name("sse-subscriber").start(this::run);
        }

        private void run() {
            long retry = 1_000;
            while (!stopped) {
                String resume = lastSeq >= 0 ? "Last-Event-ID: " + lastSeq + "\r\n" : "";
                try (SseClient client = SseClient.open(port, "/events/stream", resume)) {
                    if (client.status() != 200) {
                        pause(100);
                        continue;
                    }
                    connects.incrementAndGet();
                    List<String> block;
                    while ((block = client.next()) != null) {
                        retry = read(block, retry);
                    }
                    pause(retry);
                } catch (ConnectException e) {
                    pause(50);
                } catch (IOException e) {
                    if (!stopped) {
                        problems.add("stream cut: " + e);
                    }
                    pause(100);
                }
            }
        }

        private long read(List<String> block, long retry) {
            String event = "message";
            Long id = null;
            String data = null;
            for (String line : block) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("id: ")) {
                    id = Long.parseLong(line.substring(4));
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                } else if (line.startsWith("retry: ")) {
                    retry = Long.parseLong(line.substring(7));
                }
            }
            if (event.equals("event") && id != null && data != null) {
                Matcher m = DATA_ID.matcher(data);
                if (!m.find()) {
                    problems.add("event without an id: " + data);
                } else {
                    ids.add(m.group(1));
                    seqs.add(id);
                    lastSeq = id;
                }
            } else if (event.equals(EventFeed.RESET_EVENT)) {
                problems.add("reset: " + data);
            }
            return retry;
        }

        private static void pause(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void awaitConnects(int n) throws Exception {
            Poll.await(WAIT, () -> connects.get() >= n, () -> connects.get() + " connects of " + n);
        }

        void awaitAll(Set<String> expected, Duration timeout) throws Exception {
            Poll.until(timeout, () -> new HashSet<>(ids).containsAll(expected));
        }

        List<String> ids() {
            return List.copyOf(ids);
        }

        List<Long> seqs() {
            return List.copyOf(seqs);
        }

        List<String> problems() {
            return List.copyOf(problems);
        }

        int connects() {
            return connects.get();
        }

        @Override
        public void close() throws InterruptedException {
            stopped = true;
            if (thread != null) {
                thread.interrupt();
                thread.join(5_000);
            }
        }
    }

    /** Posts unique events at about 200 a second, reconnecting as needed; records which got 202. */
    private static final class Poster implements AutoCloseable {
        private final int port;
        private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        private volatile boolean stopped;
        private Thread thread;

        Poster(int port) {
            this.port = port;
        }

        void start() {
            thread = Thread.ofVirtual().name("poster").start(this::run);
        }

        private void run() {
            int n = 0;
            while (!stopped) {
                try (RawHttpConnection http = RawHttpConnection.open(port)) {
                    while (!stopped) {
                        String id = "r-" + (n++);
                        RawHttpConnection.Response r = http.post("/events", "{\"id\":\"" + id + "\",\"payload\":" + n + "}");
                        if (r.status() == 202) {
                            acknowledged.add(id);
                        }
                        Thread.sleep(5);
                        if (r.closesConnection()) {
                            break;
                        }
                    }
                } catch (IOException e) {
                    Subscriber.pause(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void awaitAcknowledged(int more) throws Exception {
            long target = acknowledged.size() + more;
            Poll.await(WAIT, () -> acknowledged.size() >= target, () -> acknowledged.size() + " acknowledged");
        }

        void stopPosting() throws InterruptedException {
            stopped = true;
            thread.join(10_000);
        }

        Set<String> acknowledged() {
            return Set.copyOf(acknowledged);
        }

        @Override
        public void close() throws InterruptedException {
            stopped = true;
            if (thread != null) {
                thread.interrupt();
                thread.join(5_000);
            }
        }
    }
}
