package dev.graceful.app;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.graceful.process.ServiceProcess;
import dev.graceful.wire.RawHttpConnection;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * End to end: 64, then 1,000, keep-alive connections sending {@code GET /} back to back, SIGTERM mid-load, default
 * configuration. No client may see a reset or an EOF for a request it sent before it received a response carrying
 * {@code Connection: close}; refused connects after the listener closed are expected and counted apart.
 */
class KeepAliveLoadIT {

    @TempDir
    Path dir;

    /** 64 as wrk {@code -c64} runs it; 1,000 for scale, where the exit must also follow the last response closely. */
    @ParameterizedTest(name = "{0} connections")
    @ValueSource(ints = {64, 1_000})
    void sigtermUnderKeepAliveLoadLosesNoRequest(int connections) throws Exception {
        try (ServiceProcess service = ServiceProcess.start(dir, ServiceProcess.yaml())) {
            int port = service.port();
            AtomicLong ok = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            AtomicLong closedByServer = new AtomicLong();
            AtomicLong lastResponseNanos = new AtomicLong();
            ConcurrentLinkedQueue<String> lost = new ConcurrentLinkedQueue<>();
            CountDownLatch warm = new CountDownLatch(5_000);
            long stopAt = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            List<Future<?>> clients = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < connections; c++) {
                    clients.add(pool.submit(() -> {
                        while (System.nanoTime() < stopAt) {
                            RawHttpConnection http;
                            try {
                                http = RawHttpConnection.open(port);
                            } catch (ConnectException e) {
                                refused.incrementAndGet();
                                return;
                            } catch (IOException e) {
                                lost.add("connect: " + e);
                                return;
                            }
                            try (http) {
                                int sentOnThisConnection = 0;
                                RawHttpConnection.Response previous = null;
                                while (System.nanoTime() < stopAt) {
                                    RawHttpConnection.Response r;
                                    try {
                                        sentOnThisConnection++;
                                        r = http.get("/");
                                    } catch (IOException e) {
                                        lost.add("request " + sentOnThisConnection + " on a connection: " + e
                                                         + (previous == null ? "" : "; previous response "
                                                         + previous.headers()));
                                        return;
                                    }
                                    if (r.status() != 200) {
                                        lost.add("status " + r.status());
                                        return;
                                    }
                                    previous = r;
                                    ok.incrementAndGet();
                                    lastResponseNanos.accumulateAndGet(System.nanoTime(), Math::max);
                                    warm.countDown();
                                    if (r.closesConnection()) {
                                        closedByServer.incrementAndGet();
                                        break;
                                    }
                                }
                            } catch (IOException e) {
                                lost.add("close: " + e);
                                return;
                            }
                        }
                    }));
                }
                assertThat("load reached 5,000 responses", warm.await(30, TimeUnit.SECONDS), is(true));
                CompletableFuture<Long> exitedNanos = service.onExit().thenApply(v -> System.nanoTime());
                service.signal("TERM");
                assertThat(service.awaitExit(Duration.ofSeconds(30)), is(0));
                long exitAfterLastResponse = Duration.ofNanos(exitedNanos.get() - lastResponseNanos.get()).toMillis();
                System.out.printf("%d connections: exit %d ms after the last response%n", connections,
                                  exitAfterLastResponse);
                assertThat("exit within 2 s of the last response", exitAfterLastResponse, lessThan(2_000L));
                for (Future<?> f : clients) {
                    f.get(30, TimeUnit.SECONDS);
                }
            }
            System.out.printf("keep-alive load: %d ok, %d answered with Connection: close, %d connects refused,"
                                      + " %d lost%n", ok.get(), closedByServer.get(), refused.get(), lost.size());
            lost.stream().limit(10).forEach(l -> System.out.println("  lost: " + l));
            assertThat(ok.get(), greaterThan(5_000L));
            assertThat("clients stopped by refused connects", refused.get(), is((long) connections));
            assertThat(List.copyOf(lost), is(empty()));
        }
    }
}
