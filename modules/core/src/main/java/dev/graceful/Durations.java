package dev.graceful;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and formats the durations used in configuration and reports.
 *
 * <p>Accepted forms: a whole number followed by {@code ms}, {@code s}, {@code m} or {@code h}
 * ({@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}), or ISO-8601 ({@code PT5S}).
 */
public final class Durations {

    /** The accepted forms, as error messages state them. */
    public static final String ACCEPTED_FORMS = "a number with a unit (500ms, 5s, 2m, 1h) or ISO-8601 (PT5S)";

    private static final Pattern SIMPLE = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h)");

    private Durations() {
    }

    /**
     * Parses a duration in one of the accepted forms.
     *
     * @param text the text, surrounding white space ignored
     * @return the duration, which may be zero or negative only when written so in ISO-8601 or as {@code -Ns}
     * @throws IllegalArgumentException naming the value and the accepted forms when it is in none of them
     */
    public static Duration parse(String text) {
        Objects.requireNonNull(text, "text");
        String trimmed = text.strip();
        boolean negative = trimmed.startsWith("-") && !trimmed.toUpperCase(Locale.ROOT).startsWith("-P");
        Matcher m = SIMPLE.matcher(negative ? trimmed.substring(1) : trimmed);
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
            return negative ? d.negated() : d;
        }
        if (trimmed.toUpperCase(Locale.ROOT).startsWith("P") || trimmed.toUpperCase(Locale.ROOT).startsWith("-P")) {
            try {
                return Duration.parse(trimmed);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + text + "' is not a duration; expected " + ACCEPTED_FORMS, e);
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration; expected " + ACCEPTED_FORMS);
    }

    /**
     * Reads the value of a configuration key that must be a positive duration: the one check every module's
     * settings go through, so that every message reads alike.
     *
     * @param key   the full key, named in the error
     * @param value the value as written
     * @return the duration, greater than zero
     * @throws ShutdownConfigException naming the key and the value when it is not a positive duration
     */
    public static Duration positive(String key, String value) {
        Duration d = setting(key, value, "a positive duration");
        if (d.isZero()) {
            throw new ShutdownConfigException(key, value, "must be a positive duration");
        }
        return d;
    }

    /**
     * Reads the value of a configuration key that must be zero or a positive duration.
     *
     * @param key   the full key, named in the error
     * @param value the value as written
     * @return the duration, zero or more
     * @throws ShutdownConfigException naming the key and the value when it is not such a duration
     */
    public static Duration zeroOrPositive(String key, String value) {
        return setting(key, value, "zero or a positive duration");
    }

    private static Duration setting(String key, String value, String expected) {
        Objects.requireNonNull(key, "key");
        Duration d;
        try {
            d = parse(Objects.requireNonNullElse(value, ""));
        } catch (IllegalArgumentException e) {
            throw new ShutdownConfigException(key, value, "expected " + expected + ": " + ACCEPTED_FORMS);
        }
        if (d.isNegative()) {
            throw new ShutdownConfigException(key, value, "must be " + expected);
        }
        return d;
    }

    /**
     * Formats a duration for people: {@code 250ms}, {@code 1.500s}, {@code 25s}.
     *
     * @param d the duration
     * @return the short form
     */
    public static String format(Duration d) {
        long millis = d.toMillis();
        if (Math.abs(millis) < 1000) {
            return millis + "ms";
        }
        if (millis % 1000 == 0) {
            return (millis / 1000) + "s";
        }
        return String.format(Locale.ROOT, "%.3fs", millis / 1000.0);
    }
}
