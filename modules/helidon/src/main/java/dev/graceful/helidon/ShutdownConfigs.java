package dev.graceful.helidon;

import java.util.Map;

import dev.graceful.ShutdownConfig;

import io.helidon.config.Config;

/**
 * Reads a {@link ShutdownConfig} from Helidon {@link Config}.
 */
public final class ShutdownConfigs {

    private ShutdownConfigs() {
    }

    /**
     * Reads the {@code shutdown} node of the given root configuration. Missing keys take their defaults.
     *
     * @param root the root configuration (the node that holds {@code shutdown})
     * @return the validated configuration
     * @throws dev.graceful.ShutdownConfigException naming the first bad key, its value and what was expected
     */
    public static ShutdownConfig from(Config root) {
        Config node = root.get(ShutdownConfig.PREFIX);
        if (!node.exists()) {
            return ShutdownConfig.defaults();
        }
        Map<String, String> flat = node.detach().asMap().orElseGet(Map::of);
        Map<String, String> prefixed = new java.util.HashMap<>();
        flat.forEach((k, v) -> prefixed.put(ShutdownConfig.PREFIX + "." + k, v));
        return ShutdownConfig.fromProperties(prefixed);
    }
}
