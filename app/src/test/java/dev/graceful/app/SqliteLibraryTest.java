package dev.graceful.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * SQLite's native library is loaded where the build unpacked it; where it did not, the copy sqlite-jdbc extracts goes
 * as soon as it is loaded, and nothing else does.
 */
class SqliteLibraryTest {

    private static final String PATH = "org.sqlite.lib.path";
    private static final String NAME = "org.sqlite.lib.name";

    @TempDir
    Path dir;

    @AfterEach
    void clearProperties() {
        System.clearProperty(PATH);
        System.clearProperty(NAME);
    }

    @Test
    void sqliteJdbcIsPointedAtTheLibraryUnpackedForThisPlatformAndVersion() throws Exception {
        Path library = unpacked(dir, SQLiteJDBCLoader.getVersion());

        assertThat(SqliteLibrary.useUnpacked(dir), is(Optional.of(library)));
        assertThat(System.getProperty(PATH), is(library.getParent().toString()));
        assertThat(System.getProperty(NAME), is(LibraryLoaderUtil.getNativeLibName()));
    }

    @Test
    void anUnpackedLibraryOfAnotherVersionIsNotUsed() throws Exception {
        unpacked(dir, "0.0.1");

        assertThat(SqliteLibrary.useUnpacked(dir), is(Optional.empty()));
        assertThat(System.getProperty(PATH), is((String) null));
    }

    @Test
    void aLibraryTheUserChoseIsLeftAlone() throws Exception {
        unpacked(dir, SQLiteJDBCLoader.getVersion());
        System.setProperty(PATH, "/opt/own-sqlite");

        assertThat(SqliteLibrary.useUnpacked(dir), is(Optional.empty()));
        assertThat(System.getProperty(PATH), is("/opt/own-sqlite"));
        assertThat(System.getProperty(NAME), is((String) null));
    }

    @Test
    void theFolderNamedWithoutSqliteJdbcIsTheOneItNamesOnThisMachine() {
        assertThat(SqliteLibrary.nativeFolder(Path.of(System.getProperty("java.home")), System.getProperty("os.name"),
                                              System.getProperty("os.arch")),
                   is(LibraryLoaderUtil.getNativeLibResourcePath().substring(1)));
    }

    @Test
    void linuxWithAGlibcJdkIsNamedFromTheArchitecture() throws Exception {
        Files.writeString(dir.resolve("release"), "JAVA_VERSION=\"25\"\nLIBC=\"gnu\"\nOS_NAME=\"Linux\"\n");

        assertThat(SqliteLibrary.nativeFolder(dir, "Linux", "amd64"), is("org/sqlite/native/Linux/x86_64"));
        assertThat(SqliteLibrary.nativeFolder(dir, "Linux", "aarch64"), is("org/sqlite/native/Linux/aarch64"));
    }

    @Test
    void anythingElseIsNamedBySqliteJdbc() throws Exception {
        String sqliteJdbcs = LibraryLoaderUtil.getNativeLibResourcePath().substring(1);
        Path musl = Files.createDirectory(dir.resolve("musl"));
        Files.writeString(musl.resolve("release"), "LIBC=\"musl\"\n");
        Path gnu = Files.createDirectory(dir.resolve("gnu"));
        Files.writeString(gnu.resolve("release"), "LIBC=\"gnu\"\n");
        // aarch64 is named from the architecture only with a glibc JDK: on this machine sqlite-jdbc names its own
        String asked = System.getProperty("os.arch").equals("aarch64") ? "amd64" : "aarch64";

        assertThat(SqliteLibrary.nativeFolder(musl, "Linux", asked), is(sqliteJdbcs));
        assertThat(SqliteLibrary.nativeFolder(dir.resolve("no-jdk"), "Linux", asked), is(sqliteJdbcs));
        assertThat(SqliteLibrary.nativeFolder(gnu, "Linux", "ppc64le"), is(sqliteJdbcs));
        assertThat(SqliteLibrary.nativeFolder(gnu, "Mac OS X", asked), is(sqliteJdbcs));
        System.setProperty("org.sqlite.osinfo.architecture", "riscv64");
        try {
            assertThat("sqlite-jdbc's own override", SqliteLibrary.nativeFolder(gnu, "Linux", asked),
                       is(LibraryLoaderUtil.getNativeLibResourcePath().substring(1)));
            assertThat(SqliteLibrary.nativeFolder(gnu, "Linux", asked), containsString("riscv64"));
        } finally {
            System.clearProperty("org.sqlite.osinfo.architecture");
        }
    }

    @Test
    void removesOnlyTheMappedCopiesSqliteJdbcExtractedIntoItsTemporaryDirectory() throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        Path other = Files.createDirectory(dir.resolve("lib"));
        Path extracted = Files.createFile(tmp.resolve("sqlite-3.54.1.0-0b1c-libsqlitejdbc.so"));
        Path lock = Files.createFile(tmp.resolve("sqlite-3.54.1.0-0b1c-libsqlitejdbc.so.lck"));
        Path unmapped = Files.createFile(tmp.resolve("sqlite-3.54.1.0-ffff-libsqlitejdbc.so"));
        Path elsewhere = Files.createFile(other.resolve("sqlite-3.54.1.0-0b1c-libsqlitejdbc.so"));
        Path ownName = Files.createFile(tmp.resolve("libsqlitejdbc.so"));
        Path maps = Files.writeString(dir.resolve("maps"), String.join("\n",
                "7f0000000000-7f0000001000 r--p 00000000 08:01 42   " + extracted,
                "7f0000001000-7f0000002000 r-xp 00001000 08:01 42   " + extracted,
                "7f0000003000-7f0000004000 r--p 00000000 08:01 43   " + elsewhere,
                "7f0000005000-7f0000006000 r--p 00000000 08:01 44   " + ownName,
                "7f0000007000-7f0000008000 rw-p 00000000 00:00 0    [heap]",
                ""));

        List<Path> removed = SqliteLibrary.removeExtractedCopies(maps, tmp);

        assertThat(removed, is(List.of(extracted)));
        assertThat(Files.exists(extracted), is(false));
        assertThat(Files.exists(lock), is(false));
        assertThat(Files.exists(unmapped), is(true));
        assertThat(Files.exists(elsewhere), is(true));
        assertThat(Files.exists(ownName), is(true));
    }

    @Test
    void withoutAMemoryMapNothingIsRemoved() throws Exception {
        Path extracted = Files.createFile(dir.resolve("sqlite-3.54.1.0-0b1c-libsqlitejdbc.so"));

        assertThat(SqliteLibrary.removeExtractedCopies(dir.resolve("no-maps"), dir), is(empty()));
        assertThat(Files.exists(extracted), is(true));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void anExtractedLibraryStaysMappedAndItsFileIsGone() throws Exception {
        SqliteLibrary.load(Optional.empty());

        List<String> mapped = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.contains("libsqlitejdbc.so"))
                .map(line -> line.substring(line.indexOf('/')))
                .toList();
        assertThat("the library is loaded", mapped, is(not(empty())));
        for (String path : mapped) {
            assertThat(path, path.endsWith(" (deleted)"), is(true));
            assertThat(Files.exists(Path.of(path.replace(" (deleted)", ""))), is(false));
        }
        // and it works: a query against an in-memory database
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite::memory:");
             var r = c.createStatement().executeQuery("select 1")) {
            assertThat(r.next(), is(true));
        }
    }

    /** Lays out an unpacked library as the build does: {@code libs/sqlite-native/VERSION/org/sqlite/native/...}. */
    private static Path unpacked(Path base, String version) throws Exception {
        Path library = base.resolve(SqliteLibrary.UNPACKED).resolve(version)
                .resolve(LibraryLoaderUtil.getNativeLibResourcePath().substring(1))
                .resolve(LibraryLoaderUtil.getNativeLibName());
        Files.createDirectories(library.getParent());
        return Files.createFile(library);
    }
}
