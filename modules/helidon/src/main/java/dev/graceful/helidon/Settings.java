package dev.graceful.helidon;

import java.time.Duration;

import dev.graceful.Durations;
import dev.graceful.ShutdownConfig;
import dev.graceful.ShutdownConfigException;

/**
 * Reads the settings of the built-in participants ({@code shutdown.participants.<name>.settings.<key>}).
 */
final class Settings {

    private Settings() {
    }

    /**
     * Reads a positive duration.
     *
     * @param config       the shutdown configuration
     * @param participant  the participant's name
     * @param setting      the setting's key
     * @param defaultValue the value when it is not set
     * @return the duration
     * @throws ShutdownConfigException naming the full key when the value is not a positive duration
     */
    static Duration positiveDuration(ShutdownConfig config, String participant, String setting, Duration defaultValue) {
        String raw = config.participant(participant).settings().get(setting);
        if (raw == null) {
            return defaultValue;
        }
        String key = ShutdownConfig.PREFIX + ".participants." + participant + ".settings." + setting;
        Duration d;
        try {
            d = Durations.parse(raw);
        } catch (IllegalArgumentException e) {
            throw new ShutdownConfigException(key, raw, Durations.ACCEPTED_FORMS);
        }
        if (d.isNegative() || d.isZero()) {
            throw new ShutdownConfigException(key, raw, "a positive duration");
        }
        return d;
    }
}
