package dev.graceful.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Loads SQLite's native library, and removes the copy that sqlite-jdbc extracted for this process as soon as it is
 * loaded. sqlite-jdbc extracts the library into the temporary directory on every start and deletes it with
 * {@code File.deleteOnExit}, which never runs when the process ends through {@code _exit} (graceful's exit) or a
 * SIGKILL: every start left 1.1 MB behind. On Linux a loaded library stays mapped once its file is unlinked, so the
 * file can go at once, and nothing is left whatever ends the process.
 */
final class SqliteLibrary {

    /** sqlite-jdbc's name for an extracted copy: {@code sqlite-<version>-<uuid>-libsqlitejdbc.so}. */
    private static final Pattern EXTRACTED = Pattern.compile("sqlite-.+-libsqlitejdbc\\.so");

    private SqliteLibrary() {
    }

    /** Loads the library (the database's own open reports a failure) and removes this process's extracted copy. */
    static void load() {
        try {
            org.sqlite.SQLiteJDBCLoader.initialize();
        } catch (Exception | LinkageError e) {
            return;
        }
        removeExtractedCopies(Path.of("/proc/self/maps"), tempDir());
    }

    /**
     * Deletes the extracted copies of the library that this process has mapped (and their {@code .lck} files):
     * only files named as sqlite-jdbc names them, directly in its temporary directory, never a library that
     * {@code org.sqlite.lib.path} points to.
     *
     * @param maps    the process's memory map ({@code /proc/self/maps})
     * @param tempDir where sqlite-jdbc extracts ({@code org.sqlite.tmpdir}, else {@code java.io.tmpdir})
     * @return the copies deleted
     */
    static List<Path> removeExtractedCopies(Path maps, Path tempDir) {
        List<Path> removed = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(maps);
        } catch (IOException | RuntimeException e) {
            // not Linux: nothing to do
            return removed;
        }
        Path dir = tempDir.toAbsolutePath().normalize();
        for (String line : lines) {
            int slash = line.indexOf('/');
            if (slash < 0) {
                continue;
            }
            Path mapped = Path.of(line.substring(slash).replace(" (deleted)", "")).normalize();
            if (mapped.getFileName() == null || !EXTRACTED.matcher(mapped.getFileName().toString()).matches()
                    || !dir.equals(mapped.getParent()) || removed.contains(mapped)) {
                continue;
            }
            try {
                if (Files.deleteIfExists(mapped)) {
                    removed.add(mapped);
                }
                Files.deleteIfExists(Path.of(mapped + ".lck"));
            } catch (IOException e) {
                // left for sqlite-jdbc's own clean-up
            }
        }
        return removed;
    }

    private static Path tempDir() {
        return Path.of(System.getProperty("org.sqlite.tmpdir", System.getProperty("java.io.tmpdir")));
    }
}
