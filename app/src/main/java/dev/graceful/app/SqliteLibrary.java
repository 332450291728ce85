package dev.graceful.app;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * Loads SQLite's native library without leaving anything behind.
 *
 * <p>sqlite-jdbc extracts the library from its jar into the temporary directory on every start (1.1 MB written, then
 * read back and compared), and deletes it with {@code File.deleteOnExit}, which never runs when the process ends
 * through {@code _exit} (graceful's exit) or a SIGKILL. The build unpacks the libraries beside the jar
 * ({@value #UNPACKED}{@code /<sqlite-jdbc version>/}), and sqlite-jdbc is pointed at the one for this OS and
 * architecture, so nothing is extracted. Where there is none (another layout, another version), sqlite-jdbc
 * extracts as usual, and the copy it extracted for this process is removed as soon as it is loaded: on Linux a
 * loaded library stays mapped once its file is unlinked, so nothing is left whatever ends the process.
 */
final class SqliteLibrary {

    /** Where the build unpacks sqlite-jdbc's native libraries, relative to the directory of the demo's jar. */
    static final String UNPACKED = "libs/sqlite-native";

    /** sqlite-jdbc's name for an extracted copy: {@code sqlite-<version>-<uuid>-libsqlitejdbc.so}. */
    private static final Pattern EXTRACTED = Pattern.compile("sqlite-.+-libsqlitejdbc\\.so");

    private SqliteLibrary() {
    }

    /**
     * Loads the library (the database's own open reports a failure): the unpacked one where it fits, else the one
     * sqlite-jdbc extracts, whose copy is then removed.
     */
    static void load() {
        load(codeDirectory());
    }

    /**
     * Loads the library as {@link #load()} does, with the unpacked libraries under {@code base}.
     *
     * @param base the directory of the demo's jar, or empty to let sqlite-jdbc extract the library
     */
    static void load(Optional<Path> base) {
        try {
            base.ifPresent(SqliteLibrary::useUnpacked);
            SQLiteJDBCLoader.initialize();
        } catch (Exception | LinkageError e) {
            return;
        }
        removeExtractedCopies(Path.of("/proc/self/maps"), tempDir());
    }

    /**
     * Points sqlite-jdbc ({@code org.sqlite.lib.path} and {@code org.sqlite.lib.name}) at the library that the build
     * unpacked under {@code base}, for this OS, architecture and sqlite-jdbc version. Leaves a library the user chose
     * with {@code org.sqlite.lib.path} alone, and does nothing where no unpacked library fits.
     *
     * @param base the directory of the demo's jar
     * @return the library sqlite-jdbc will load, if it is an unpacked one
     */
    static Optional<Path> useUnpacked(Path base) {
        if (System.getProperty("org.sqlite.lib.path") != null) {
            return Optional.empty();
        }
        Path library = base.resolve(UNPACKED)
                .resolve(SQLiteJDBCLoader.getVersion())
                .resolve(nativeFolder(Path.of(System.getProperty("java.home")), System.getProperty("os.name"),
                                      System.getProperty("os.arch")))
                .resolve(LibraryLoaderUtil.getNativeLibName());
        if (!Files.isRegularFile(library)) {
            return Optional.empty();
        }
        System.setProperty("org.sqlite.lib.path", library.getParent().toString());
        System.setProperty("org.sqlite.lib.name", library.getFileName().toString());
        return Optional.of(library);
    }

    /**
     * sqlite-jdbc's folder of native libraries for this platform, {@code org/sqlite/native/<OS>/<architecture>}.
     * For Linux on x86_64 or aarch64 with a JDK built for glibc (its {@code release} file says {@code LIBC="gnu"}),
     * the folder is {@code Linux/x86_64} or {@code Linux/aarch64}, named here. Elsewhere sqlite-jdbc's own
     * {@code OSInfo} names it, which reads the process's whole memory map to rule out musl and runs {@code uname -o}
     * in a child process to rule out Android: about 10 ms of a start's CPU, and a fork. Should the folder named here
     * be wrong, its library fails to load (an error in the log) and sqlite-jdbc extracts and loads its own, whose
     * copy {@link #load} then removes.
     *
     * @param javaHome the JDK ({@code java.home})
     * @param osName   {@code os.name}
     * @param osArch   {@code os.arch}
     * @return the folder, relative
     */
    static String nativeFolder(Path javaHome, String osName, String osArch) {
        String arch = switch (String.valueOf(osArch)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64" -> "aarch64";
            default -> null;
        };
        // sqlite-jdbc's own override of the architecture (org.sqlite.osinfo.architecture) is left to it
        if ("Linux".equals(osName) && arch != null && System.getProperty("org.sqlite.osinfo.architecture") == null
                && "gnu".equals(releaseValue(javaHome, "LIBC"))) {
            return "org/sqlite/native/Linux/" + arch;
        }
        return LibraryLoaderUtil.getNativeLibResourcePath().replaceFirst("^/", "");
    }

    /** A value of the JDK's {@code release} file, without its quotes; {@code null} if it has none. */
    private static String releaseValue(Path javaHome, String key) {
        try {
            for (String line : Files.readAllLines(javaHome.resolve("release"))) {
                if (line.startsWith(key + "=")) {
                    return line.substring(key.length() + 1).replace("\"", "").strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // no release file (not a JDK image): sqlite-jdbc names the folder
        }
        return null;
    }

    /** The directory of the jar (or of the class directory) this class was loaded from. */
    private static Optional<Path> codeDirectory() {
        try {
            var source = SqliteLibrary.class.getProtectionDomain().getCodeSource();
            return source == null ? Optional.empty()
                    : Optional.ofNullable(Path.of(source.getLocation().toURI()).getParent());
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
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
        if (!anyNamedAsExtracted(tempDir)) {
            // the usual case, the unpacked library: the process's memory map (thousands of lines) is not read
            return removed;
        }
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

    /** Whether the directory holds any file named as sqlite-jdbc names an extracted copy. */
    private static boolean anyNamedAsExtracted(Path dir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir,
                path -> EXTRACTED.matcher(path.getFileName().toString()).matches())) {
            return files.iterator().hasNext();
        } catch (IOException | RuntimeException e) {
            // cannot list it: look in the memory map, as before
            return true;
        }
    }

    private static Path tempDir() {
        return Path.of(System.getProperty("org.sqlite.tmpdir", System.getProperty("java.io.tmpdir")));
    }
}
