package dev.graceful.launcher;

import io.helidon.config.Config;
import io.helidon.webserver.spi.ServerFeatureProvider;

/**
 * Lets Helidon discover {@link GracefulFeature} ({@code server.features.graceful}) through
 * {@link java.util.ServiceLoader}.
 */
public final class GracefulFeatureProvider implements ServerFeatureProvider<GracefulFeature> {

    /**
     * Required by {@link java.util.ServiceLoader}.
     */
    public GracefulFeatureProvider() {
    }

    @Override
    public String configKey() {
        return GracefulFeature.CONFIG_KEY;
    }

    @Override
    public GracefulFeature create(Config config, String name) {
        return GracefulFeature.create(config, name);
    }
}
