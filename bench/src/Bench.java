import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark client for bench/run: starts the server under test as its own child process (so exits are timed
 * precisely), drives it over loopback, and prints one line of key=value figures.
 *
 * <pre>
 * java Bench.java startup PORT READY_PATH RUNS -- COMMAND...   startup-to-ready, idle RSS, idle SIGTERM-to-exit
 * java Bench.java drain PORT READY_PATH N MS -- COMMAND...     N concurrent GET /work?ms=MS, SIGTERM mid-way
 * java Bench.java loss PORT READY_PATH C -- COMMAND...         C keep-alive clients on GET /, SIGTERM after 2 s
 * java Bench.java idle-keepalive PORT READY_PATH RUNS C read|idle -- COMMAND...
 *                                         C keep-alive connections, one GET / each, then idle: read (a reader per
 *                                         connection that closes it at the server's FIN, as Go's, the JDK's
 *                                         HttpClient and browsers do) or not read at all (a blocking client's pool);
 *                                         SIGTERM half a second later: time to exit, and how each connection ended
 * java Bench.java startup-ratio PORT READY_PATH PAIRS -- BASELINE... --vs-- COMMAND...
 *                                         startup-to-ready, idle RSS and the CPU time spent until ready of COMMAND
 *                                         as ratios to BASELINE, runs alternating pair by pair; medians with their
 *                                         ranges
 * </pre>
 */
public final class Bench {

    public static void main(String[] args) throws Exception {
        int dash = Arrays.asList(args).indexOf("--");
        List<String> command = Arrays.asList(args).subList(dash + 1, args.length);
        int port = Integer.parseInt(args[1]);
        String ready = args[2];
        switch (args[0]) {
        case "startup" -> startup(port, ready, Integer.parseInt(args[3]), command);
        case "drain" -> drain(port, ready, Integer.parseInt(args[3]), Integer.parseInt(args[4]), command);
        case "loss" -> loss(port, ready, Integer.parseInt(args[3]), command);
        case "idle-keepalive" -> idleKeepAlive(port, ready, Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                                               args[5].equals("read"), command);
        case "startup-ratio" -> {
            int vs = command.indexOf("--vs--");
            startupRatio(port, ready, Integer.parseInt(args[3]), command.subList(0, vs),
                         command.subList(vs + 1, command.size()));
        }
        default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    /**
     * Starts the server, its output going to {@code bench-server.log} in the working directory: replaced by each
     * launch, so the last server's log is there to read after a failure and nothing piles up.
     */
    private static Process launch(List<String> command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(new File("bench-server.log"))
                .start();
    }

    /** Polls the ready path until it answers 2xx; returns the nanoTime it did. */
    private static long awaitReady(Process p, int port, String path) throws Exception {
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException("server exited with " + p.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                int status = exchange(s, path);
                if (status / 100 == 2) {
                    return System.nanoTime();
                }
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(5);
        }
    }

    private static void startup(int port, String ready, int runs, List<String> command) throws Exception {
        long[] startup = new long[runs];
        long[] exit = new long[runs];
        long[] rss = new long[runs];
        int[] codes = new int[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            Process p = launch(command);
            long up = awaitReady(p, port, ready);
            startup[i] = (up - t0) / 1_000_000;
            Thread.sleep(500);
            rss[i] = status(p.pid(), "VmRSS");
            long t1 = System.nanoTime();
            p.destroy();
            codes[i] = p.onExit().get(60, TimeUnit.SECONDS).exitValue();
            exit[i] = (System.nanoTime() - t1) / 1_000_000;
        }
        System.out.println("startup_ms_median=" + median(startup) + " idle_rss_mb=" + median(rss) / 1024
                + " idle_exit_ms_median=" + median(exit) + " idle_exit_ms_all=" + join(exit)
                + " exit_codes=" + join(Arrays.stream(codes).asLongStream().toArray()));
    }

    private static void idleKeepAlive(int port, String ready, int runs, int connections, boolean read,
                                      List<String> command) throws Exception {
        long[] exit = new long[runs];
        AtomicLong clean = new AtomicLong();
        AtomicLong reset = new AtomicLong();
        int[] codes = new int[runs];
        for (int i = 0; i < runs; i++) {
            Process p = launch(command);
            awaitReady(p, port, ready);
            List<Socket> idle = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                Socket s = new Socket("127.0.0.1", port);
                s.setSoTimeout(10_000);
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                if (readResponse(s.getInputStream(), new boolean[1]) != 200) {
                    throw new IllegalStateException("GET / did not answer 200");
                }
                idle.add(s);
            }
            List<Thread> readers = new ArrayList<>();
            if (read) {
                for (Socket s : idle) {
                    readers.add(Thread.ofVirtual().start(() -> endOf(s, clean, reset)));
                }
            }
            Thread.sleep(500);
            long t0 = System.nanoTime();
            p.destroy();
            codes[i] = p.onExit().get(60, TimeUnit.SECONDS).exitValue();
            exit[i] = (System.nanoTime() - t0) / 1_000_000;
            if (read) {
                for (Thread r : readers) {
                    r.join();
                }
            } else {
                idle.forEach(s -> endOf(s, clean, reset));
            }
        }
        System.out.println("exit_ms_median=" + median(exit) + " exit_ms_all=" + join(exit) + " closed_clean=" + clean
                + " reset=" + reset + " connections=" + (long) runs * connections
                + " exit_codes=" + join(Arrays.stream(codes).asLongStream().toArray()));
    }

    /** Reads an idle connection to its end and closes it: a clean end of stream, a reset, or (neither) bytes. */
    private static void endOf(Socket s, AtomicLong clean, AtomicLong reset) {
        try (s) {
            if (s.getInputStream().read() == -1) {
                clean.incrementAndGet();
            }
        } catch (IOException e) {
            reset.incrementAndGet();
        }
    }

    private static void startupRatio(int port, String ready, int pairs, List<String> baseline, List<String> command)
            throws Exception {
        double[] startupRatios = new double[pairs];
        double[] rssRatios = new double[pairs];
        long[] baseStartup = new long[pairs];
        long[] ourStartup = new long[pairs];
        long[] baseRss = new long[pairs];
        long[] ourRss = new long[pairs];
        List<Long> baseCpu = new ArrayList<>();
        List<Long> ourCpu = new ArrayList<>();
        List<Double> cpuRatios = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            long[] b;
            long[] o;
            if (i % 2 == 0) {
                b = startOnce(port, ready, baseline);
                o = startOnce(port, ready, command);
            } else {
                o = startOnce(port, ready, command);
                b = startOnce(port, ready, baseline);
            }
            baseStartup[i] = b[0];
            ourStartup[i] = o[0];
            baseRss[i] = b[1] / 1024;
            ourRss[i] = o[1] / 1024;
            if (b[2] > 0 && o[2] > 0) {
                // a pair whose CPU could not be read is left out of that ratio
                baseCpu.add(b[2]);
                ourCpu.add(o[2]);
                cpuRatios.add((double) o[2] / b[2]);
            }
            startupRatios[i] = (double) o[0] / b[0];
            rssRatios[i] = (double) o[1] / b[1];
        }
        System.out.println("baseline_startup_ms=" + median(baseStartup) + " startup_ms=" + median(ourStartup)
                + " startup_ratio=" + ratioStats(startupRatios) + " baseline_rss_mb=" + median(baseRss)
                + " rss_mb=" + median(ourRss) + " rss_ratio=" + ratioStats(rssRatios)
                + (cpuRatios.isEmpty() ? " cpu_to_ready_ratio=unknown"
                        : " baseline_cpu_to_ready_ms=" + median(baseCpu.stream().mapToLong(Long::longValue).toArray())
                        + " cpu_to_ready_ms=" + median(ourCpu.stream().mapToLong(Long::longValue).toArray())
                        + " cpu_to_ready_ratio="
                        + ratioStats(cpuRatios.stream().mapToDouble(Double::doubleValue).toArray())));
    }

    /**
     * One start: {startup-to-ready ms, idle RSS KiB half a second later, CPU ms until ready}; then SIGTERM and wait.
     * The CPU is the launched process's (a script that execs {@code java} is the same process).
     */
    private static long[] startOnce(int port, String ready, List<String> command) throws Exception {
        long t0 = System.nanoTime();
        Process p = launch(command);
        long up = awaitReady(p, port, ready);
        long cpu = cpuMillis(p.pid());
        Thread.sleep(500);
        long rss = status(p.pid(), "VmRSS");
        p.destroy();
        p.onExit().get(60, TimeUnit.SECONDS);
        return new long[] {(up - t0) / 1_000_000, rss, cpu};
    }

    /**
     * The process's utime + stime so far, in ms ({@code /proc/PID/stat}, counted in Linux's USER_HZ, 100 ticks per
     * second on x86 and ARM); -1 if it cannot be read.
     */
    private static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String ratioStats(double[] ratios) {
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        return String.format(java.util.Locale.ROOT, "%.3f(%.3f–%.3f)", sorted[(sorted.length - 1) / 2], sorted[0],
                             sorted[sorted.length - 1]);
    }

    private static void drain(int port, String ready, int n, int ms, List<String> command) throws Exception {
        Process p = launch(command);
        awaitReady(p, port, ready);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong lastResponse = new AtomicLong();
        CountDownLatch sent = new CountDownLatch(n);
        CountDownLatch done = new CountDownLatch(n);
        AtomicLong peakRss = new AtomicLong();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                pool.submit(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port), 30_000);
                        s.setSoTimeout(120_000);
                        OutputStream out = s.getOutputStream();
                        out.write(("GET /work?ms=" + ms + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        sent.countDown();
                        int status = readStatus(s.getInputStream());
                        if (status == 200) {
                            ok.incrementAndGet();
                            lastResponse.accumulateAndGet(System.nanoTime(), Math::max);
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (IOException e) {
                        sent.countDown();
                        failed.incrementAndGet();
                    } finally {
                        done.countDown();
                    }
                    return null;
                });
            }
            sent.await();
            // Every request is written; give the server half the handler time to accept and route them all.
            Thread.sleep(ms / 2);
            peakRss.set(status(p.pid(), "VmHWM"));
            long term = System.nanoTime();
            p.destroy();
            Thread sampler = Thread.ofPlatform().daemon(true).start(() -> {
                while (p.isAlive()) {
                    long hwm = status(p.pid(), "VmHWM");
                    if (hwm > 0) {
                        peakRss.set(hwm);
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            done.await(120, TimeUnit.SECONDS);
            int code = p.onExit().get(120, TimeUnit.SECONDS).exitValue();
            long exited = System.nanoTime();
            sampler.interrupt();
            long lag = lastResponse.get() == 0 ? -1 : (exited - lastResponse.get()) / 1_000_000;
            System.out.println("n=" + n + " ok=" + ok.get() + " failed=" + failed.get() + " exit_code=" + code
                    + " drain_lag_ms=" + lag + " sigterm_to_exit_ms=" + (exited - term) / 1_000_000
                    + " peak_rss_mb=" + peakRss.get() / 1024);
        }
    }

    /**
     * Keep-alive clients sending GET / back to back; SIGTERM after 2 s. A request sent on an open connection that gets
     * no response is lost; a refused connect is counted apart; a response with Connection: close ends that
     * connection cleanly and the client reconnects.
     */
    private static void loss(int port, String ready, int clients, List<String> command) throws Exception {
        Process p = launch(command);
        awaitReady(p, port, ready);
        AtomicLong ok = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong lost = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        Socket s = new Socket();
                        try {
                            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                        } catch (IOException e) {
                            refused.incrementAndGet();
                            s.close();
                            return null;
                        }
                        try (s) {
                            s.setSoTimeout(30_000);
                            OutputStream out = s.getOutputStream();
                            InputStream in = s.getInputStream();
                            while (System.nanoTime() < end) {
                                out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                                out.flush();
                                boolean[] close = new boolean[1];
                                int status;
                                try {
                                    status = readResponse(in, close);
                                } catch (IOException e) {
                                    lost.incrementAndGet();
                                    return null;
                                }
                                if (status == 200) {
                                    ok.incrementAndGet();
                                }
                                if (close[0]) {
                                    break;
                                }
                            }
                        } catch (IOException e) {
                            lost.incrementAndGet();
                            return null;
                        }
                    }
                    return null;
                });
            }
            Thread.sleep(2000);
            p.destroy();
            p.onExit().get(60, TimeUnit.SECONDS);
        }
        System.out.println("ok=" + ok.get() + " lost=" + lost.get() + " refused=" + refused.get()
                + " exit_code=" + p.exitValue());
    }

    private static int readResponse(InputStream in, boolean[] close) throws IOException {
        String status = readLine(in);
        int length = 0;
        String header;
        while (!(header = readLine(in)).isEmpty()) {
            String h = header.toLowerCase();
            if (h.startsWith("content-length:")) {
                length = Integer.parseInt(header.substring(15).strip());
            } else if (h.startsWith("connection:") && h.contains("close")) {
                close[0] = true;
            }
        }
        if (in.readNBytes(length).length < length) {
            throw new IOException("truncated body");
        }
        return Integer.parseInt(status.split(" ")[1]);
    }

    private static String join(long[] values) {
        StringBuilder b = new StringBuilder();
        for (long v : values) {
            b.append(b.isEmpty() ? "" : ",").append(v);
        }
        return b.toString();
    }

    private static int exchange(Socket s, String path) throws IOException {
        s.setSoTimeout(2000);
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                                          .getBytes(StandardCharsets.US_ASCII));
        return readStatus(s.getInputStream());
    }

    private static int readStatus(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            line.write(b);
        }
        String status = line.toString(StandardCharsets.US_ASCII);
        if (!status.startsWith("HTTP/1.1 ")) {
            throw new IOException("no response: '" + status + "'");
        }
        // read the rest so the response counts only when complete
        int length = 0;
        String header;
        while (!(header = readLine(in)).isEmpty()) {
            if (header.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(header.substring(15).strip());
            }
        }
        if (in.readNBytes(length).length < length) {
            throw new IOException("truncated body");
        }
        return Integer.parseInt(status.split(" ")[1]);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b == -1) {
            throw new IOException("connection closed in the headers");
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    private static long status(long pid, String key) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith(key + ":")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // process gone
        }
        return 0;
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
