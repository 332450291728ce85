package dev.graceful.helidon;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;

/**
 * The readiness health check named {@code shutdown}: UP while the service takes traffic, DOWN from the moment
 * shutdown starts. Liveness is not affected. Thread-safe; once closed it stays closed.
 */
public final class ReadinessGate implements HealthCheck {

    private volatile boolean open = true;

    /**
     * Creates an open gate.
     */
    public ReadinessGate() {
    }

    /**
     * Turns readiness off for good.
     */
    public void close() {
        open = false;
    }

    /**
     * Returns whether readiness is still on.
     *
     * @return {@code true} until {@link #close()}
     */
    public boolean isOpen() {
        return open;
    }

    @Override
    public HealthCheckType type() {
        return HealthCheckType.READINESS;
    }

    @Override
    public String name() {
        return "shutdown";
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.builder()
                .status(open)
                .detail("state", open ? "serving" : "shutting down")
                .build();
    }
}
