package dev.graceful.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.graceful.Durations;
import dev.graceful.ShutdownConfigException;

import io.helidon.config.Config;

/**
 * The {@code restart} section: how SIGHUP hands over to a new process.
 *
 * @param timeout       how long the new process has to become ready before it is killed and the old one goes on
 * @param handOverDelay how long the old process keeps serving, with {@code Connection: close}, once the new one is
 *                      ready, so keep-alive clients move over before its listener closes
 * @param pidFile       a file that always names the serving process, for supervisors
 */
record RestartConfig(Duration timeout, Duration handOverDelay, Optional<Path> pidFile) {

    static final String TIMEOUT = "restart.timeout";
    static final String HAND_OVER_DELAY = "restart.hand-over-delay";
    static final String PID_FILE = "restart.pid-file";
    private static final Set<String> KEYS = Set.of("timeout", "hand-over-delay", "pid-file");

    static RestartConfig from(Config root) {
        Config node = root.get("restart");
        Map<String, String> flat = node.exists() ? node.detach().asMap().orElseGet(Map::of) : Map.of();
        for (String key : flat.keySet()) {
            if (!KEYS.contains(key)) {
                throw new ShutdownConfigException("restart." + key, flat.get(key),
                                                  "unknown key; known keys: " + java.util.List.of(TIMEOUT,
                                                          HAND_OVER_DELAY, PID_FILE));
            }
        }
        Duration timeout = Durations.positive(TIMEOUT, flat.getOrDefault("timeout", "30s"));
        Duration delay = Durations.zeroOrPositive(HAND_OVER_DELAY, flat.getOrDefault("hand-over-delay", "1s"));
        Optional<Path> pidFile = Optional.ofNullable(flat.get("pid-file")).filter(s -> !s.isBlank()).map(Path::of);
        return new RestartConfig(timeout, delay, pidFile);
    }
}
