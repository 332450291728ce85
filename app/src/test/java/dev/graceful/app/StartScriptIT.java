package dev.graceful.app;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * End to end: {@code bin/graceful}, the script the README starts the service with, finds a JDK 21+ by itself and
 * makes its class cache once per built jar.
 */
class StartScriptIT {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path SCRIPT = ROOT.resolve("bin/graceful");
    /** Whether the script makes the JDK's ahead-of-time cache (JDK 25+) rather than an AppCDS archive. */
    private static final boolean AOT = Runtime.version().feature() >= 25;
    private static final Path ARCHIVE = ROOT.resolve(AOT ? "app/target/graceful-app.aot" : "app/target/graceful-app.jsa");

    @Test
    void findsAJdk21OrNewerWhateverJavaHomeSays() throws Exception {
        String ours = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assertThat("a JAVA_HOME of 21+ is taken as it is", run(Map.of("JAVA_HOME", System.getProperty("java.home")),
                                                               "java").strip(), is(ours));
        // a JAVA_HOME that is no JDK: the PATH's (bin/graceful test puts its JDK first there)
        assertJdk21OrNewer(Map.of("JAVA_HOME", "/nonexistent"), run(Map.of("JAVA_HOME", "/nonexistent"), "java"));
        // a relative PATH entry to a JDK 21+: that JDK, named by an absolute path (the cache's training run and
        // Maven run in other directories)
        String relative = ROOT.relativize(Path.of(System.getProperty("java.home"), "bin")).toString();
        Map<String, String> throughRelative = Map.of("JAVA_HOME", "", "PATH", relative + ":/usr/bin:/bin");
        String found = run(throughRelative, "java").strip();
        assertThat(found, Path.of(found).isAbsolute(), is(true));
        assertJdk21OrNewer(throughRelative, found);
        // none, and only the system's own directories on the PATH: the newest under /usr/lib/jvm, or a clear error
        Map<String, String> bare = Map.of("JAVA_HOME", "", "PATH", "/usr/bin:/bin");
        Process process = start(bare, "java");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS), is(true));
        if (process.exitValue() == 0) {
            assertJdk21OrNewer(bare, output);
        } else {
            assertThat(output, containsString("no JDK 21 or newer found"));
        }
    }

    private static void assertJdk21OrNewer(Map<String, String> env, String output) throws IOException {
        Path java = Path.of(output.strip());
        Path release = java.getParent().getParent().resolve("release");
        String version = Files.readAllLines(release).stream()
                .filter(line -> line.startsWith("JAVA_VERSION="))
                .findFirst().orElseThrow().replaceAll("JAVA_VERSION=\"(1\\.)?([0-9]+).*", "$2");
        assertThat(env + " -> " + java, Integer.parseInt(version), greaterThanOrEqualTo(21));
    }

    /**
     * The cache's stamp (the JDK and its version, how the cache is made, the jars' paths), compared as it is, and each
     * jar's time against the one it had when the cache was made: an unchanged build reuses the cache, a changed one
     * (another jar, or a jar with another time) makes it again.
     */
    @Test
    void makesTheClassCacheOnceAndAgainOnlyWhenTheBuildChanged() throws Exception {
        Path stamp = Path.of(ARCHIVE + ".stamp");
        String options = run(Map.of(), "start-opts");
        assertThat(options, containsString(AOT ? "-XX:AOTCache=" + ARCHIVE : "-XX:SharedArchiveFile=" + ARCHIVE));
        assertThat(Files.exists(stamp), is(true));

        FileTime made = Files.getLastModifiedTime(ARCHIVE);
        String madeFrom = Files.readString(stamp);
        assertThat("an unchanged build uses the same cache", run(Map.of(), "start-opts"), is(options));
        assertThat(Files.getLastModifiedTime(ARCHIVE), is(made));

        Files.writeString(stamp, madeFrom.replace("graceful-app.jar", "graceful-app.jar.old"));
        assertThat(run(Map.of(), "cache-opts"), containsString(ARCHIVE.toString()));
        assertThat("a changed build makes the cache again", Files.getLastModifiedTime(ARCHIVE), is(not(made)));
        assertThat(Files.readString(stamp), is(madeFrom));

        // a jar replaced under the same name by a copy with an older time (a dependency copied from ~/.m2 keeps
        // its time, as rsync -a or a roll-back do): the JVM would no longer map the cache
        FileTime remade = Files.getLastModifiedTime(ARCHIVE);
        Path lib;
        try (var libs = Files.list(ROOT.resolve("app/target/libs"))) {
            lib = libs.filter(p -> p.toString().endsWith(".jar")).findFirst().orElseThrow();
        }
        Files.setLastModifiedTime(lib, FileTime.fromMillis(Files.getLastModifiedTime(lib).toMillis() - 86_400_000));
        assertThat(run(Map.of(), "cache-opts"), containsString(ARCHIVE.toString()));
        assertThat("a jar with another time, even an older one, makes the cache again",
                   Files.getLastModifiedTime(ARCHIVE), is(not(remade)));
        FileTime again = Files.getLastModifiedTime(ARCHIVE);
        assertThat(run(Map.of(), "cache-opts"), containsString(ARCHIVE.toString()));
        assertThat("which is then current", Files.getLastModifiedTime(ARCHIVE), is(again));
    }

    /**
     * What start adds besides the cache: on JDK 25+, the JIT's later compiles and no replay of training data, which
     * the cache does not hold, and nothing else (no huge pages); the JVM takes every option without a word. The
     * replay option, probed only as the cache is made, is kept beside it, and a cache without that record is made
     * again.
     */
    @Test
    void addsOnlyOptionsTheJvmTakesQuietly() throws Exception {
        String java = run(Map.of(), "java").strip();
        boolean replayOption = AOT && exitsCleanly(java, "-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTReplayTraining",
                                                   "-version");
        String options = run(Map.of(), "start-opts").strip();
        assertThat(options, options.contains("-XX:CompileThresholdScaling=5"), is(AOT));
        assertThat(options, not(containsString("UseTransparentHugePages")));
        assertThat(options, options.contains("-XX:-AOTReplayTraining"), is(replayOption));
        assertThat("cache-opts prints the cache's options, replay included", options,
                   startsWith(run(Map.of(), "cache-opts").strip()));

        // the cache must map with every option a start adds (AOTMode=on / -Xshare:on fail the JVM if it does not)
        List<String> command = new ArrayList<>(List.of(java, AOT ? "-XX:AOTMode=on" : "-Xshare:on"));
        command.addAll(List.of(options.split(" ")));
        command.addAll(List.of("-jar", ROOT.resolve("app/target/graceful-app.jar").toString(), "--help"));
        Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jvm.waitFor(60, TimeUnit.SECONDS), is(true));
        assertThat(output, jvm.exitValue(), is(0));
        assertThat(output, output.toLowerCase(Locale.ROOT), not(containsString("warning")));
        assertThat(output, output.strip(), startsWith("usage:"));

        FileTime made = Files.getLastModifiedTime(ARCHIVE);
        Files.delete(Path.of(ARCHIVE + ".opts"));
        assertThat("a cache whose options are not recorded is made again", run(Map.of(), "start-opts").strip(),
                   is(options));
        assertThat(Files.getLastModifiedTime(ARCHIVE), is(not(made)));
    }

    /**
     * JAVA_OPTS come after everything start adds, so that a JVM option of the user's has the last word (the JIT's
     * thresholds back to the JVM's own here), split without file-name expansion. The training run gets those that
     * decide whether the cache maps, not the service's settings ({@code -D}: here a port in use) nor logs; the cache
     * is made again when they change, and maps with the whole option line.
     */
    @Test
    void javaOptsComeLastAndTheCacheIsMadeWithThem() throws Exception {
        Path stamp = Path.of(ARCHIVE + ".stamp");
        String without = run(Map.of(), "start-opts").strip();
        FileTime plain = Files.getLastModifiedTime(ARCHIVE);
        // a file the pattern -Xlog:gc*=off would match, were the options expanded as file names
        Path decoy = Files.createFile(ROOT.resolve("-Xlog:gc-decoy=off"));

        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String javaOpts = "-XX:CompileThresholdScaling=1 -Xlog:gc*=off -Dserver.port=" + taken.getLocalPort();
            String with = run(Map.of("JAVA_OPTS", javaOpts), "start-opts").strip();

            assertThat(with, is(without + " " + javaOpts));
            assertThat("made again with them", Files.getLastModifiedTime(ARCHIVE), is(not(plain)));
            String madeWith = Files.readString(stamp);
            assertThat(madeWith, containsString("options: -XX:CompileThresholdScaling=1\n"));
            assertThat(madeWith, not(containsString("-D")));
            FileTime made = Files.getLastModifiedTime(ARCHIVE);
            assertThat("the same options use the same cache", run(Map.of("JAVA_OPTS", javaOpts), "start-opts").strip(),
                       is(with));
            assertThat(Files.getLastModifiedTime(ARCHIVE), is(made));

            List<String> command = new ArrayList<>(List.of(run(Map.of(), "java").strip(),
                                                           AOT ? "-XX:AOTMode=on" : "-Xshare:on"));
            command.addAll(List.of(with.split(" ")));
            command.addAll(List.of("-XX:+PrintFlagsFinal", "-jar", ROOT.resolve("app/target/graceful-app.jar").toString(),
                                   "--help"));
            Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(jvm.waitFor(60, TimeUnit.SECONDS), is(true));
            assertThat("the cache maps with them: " + output, jvm.exitValue(), is(0));
            assertThat(output.lines().filter(line -> line.contains(" CompileThresholdScaling ")).findFirst()
                               .orElseThrow(), containsString("= 1.0"));

            // the training run served, on a port of its own (one that could not bind never makes a RunningServer)
            command.removeIf(word -> word.equals("-XX:+PrintFlagsFinal") || word.equals("--help"));
            command.add(command.indexOf("-jar"), "-XX:+PrintSharedArchiveAndExit");
            Process print = new ProcessBuilder(command).redirectErrorStream(true).start();
            String classes = new String(print.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(print.waitFor(60, TimeUnit.SECONDS), is(true));
            assertThat(classes, containsString("dev.graceful.launcher.RunningServer"));
        } finally {
            Files.delete(decoy);
        }

        assertThat(run(Map.of(), "start-opts").strip(), is(without));
        assertThat("without them, made again", Files.readString(stamp), not(containsString("options:")));
    }

    /**
     * Class sharing turned off in JAVA_OPTS leaves the cache out; a cache that could not be made is not tried again
     * at every start with the same build and options, and is once they change.
     */
    @Test
    void theCacheIsLeftOutWhereJavaOptsSaySoOrItCannotBeMade() throws Exception {
        String cacheOption = AOT ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=";
        assertThat(run(Map.of(), "start-opts"), containsString(cacheOption));

        String off = run(Map.of("JAVA_OPTS", "-Xshare:off"), "start-opts").strip();
        assertThat(off, not(containsString(cacheOption)));
        assertThat(off, endsWith("-Xshare:off"));
        assertThat(run(Map.of("JAVA_OPTS", "-Xshare:off"), "cache-opts").strip(), is(""));

        // an option the JVM refuses: the training run fails at once
        Map<String, String> broken = Map.of("JAVA_OPTS", "-XX:+NoSuchGracefulOption");
        String first = run(broken, "start-opts");
        assertThat(first, containsString("no usable class cache was made"));
        assertThat(first, not(containsString(cacheOption)));
        assertThat(Files.exists(ARCHIVE), is(false));
        String second = run(broken, "start-opts");
        assertThat(second, containsString("making one failed with this build and these options"));
        assertThat(second, not(containsString("no usable class cache was made")));

        assertThat("other options try again", run(Map.of(), "start-opts"), containsString(cacheOption));
        assertThat(Files.exists(Path.of(ARCHIVE + ".failed")), is(false));
    }

    /** Whether {@code java} with {@code args} exits with 0. */
    private static boolean exitsCleanly(String java, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS), is(true));
        return process.exitValue() == 0;
    }

    /** Runs bin/graceful with {@code args}, the environment changed by {@code env} (an empty value removes a key). */
    private static Process start(Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        // the options of the shell that runs the tests are not the test's
        builder.environment().remove("JAVA_OPTS");
        env.forEach((key, value) -> {
            if (value.isEmpty()) {
                builder.environment().remove(key);
            } else {
                builder.environment().put(key, value);
            }
        });
        return builder.start();
    }

    /** Runs bin/graceful as {@link #start} does and returns what it printed, asserting that it succeeded. */
    private static String run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Process process = start(env, args);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat("bin/graceful " + String.join(" ", args) + " ended in time", process.waitFor(120, TimeUnit.SECONDS),
                   is(true));
        assertThat(output, process.exitValue(), is(0));
        return output;
    }
}
