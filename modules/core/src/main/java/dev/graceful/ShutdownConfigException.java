package dev.graceful;

import java.util.Objects;

/**
 * Thrown when shutdown configuration is invalid. The message names the key, the value found and what was
 * expected; {@link #key()} gives the key alone.
 */
public class ShutdownConfigException extends IllegalArgumentException {

    private final String key;

    /**
     * Creates an exception for one bad configuration key.
     *
     * @param key      the full key, for example {@code shutdown.deadline}
     * @param value    the value found, or {@code null} when the key itself is the problem
     * @param expected what was expected instead
     */
    public ShutdownConfigException(String key, String value, String expected) {
        super(key + (value == null ? "" : "='" + value + "'") + ": " + expected);
        this.key = Objects.requireNonNull(key, "key");
    }

    /**
     * Returns the configuration key at fault.
     *
     * @return the full key
     */
    public String key() {
        return key;
    }
}
