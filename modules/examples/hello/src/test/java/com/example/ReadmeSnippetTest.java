package com.example;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

/**
 * The README's "Use it in your own service" prints this module's main class verbatim, and the dependency this
 * module builds against: so the snippet is exactly what the end-to-end tests run.
 */
class ReadmeSnippetTest {

    @Test
    void theReadmePrintsTheExampleServiceVerbatim() throws Exception {
        String source = Files.readString(Path.of(System.getProperty("graceful.example-source")));
        List<String> blocks = blocks(section(), "```java");
        assertThat(blocks, hasSize(1));
        assertThat(blocks.getFirst(), is(source));
    }

    @Test
    void theReadmeNamesTheArtifactThatMavenInstallPublishes() throws Exception {
        String pom = Files.readString(Path.of(System.getProperty("graceful.example-pom")));
        String version = between(pom.substring(pom.indexOf("<parent>")), "<version>", "</version>");
        List<String> xml = blocks(section(), "```xml");
        assertThat(xml, hasSize(1));
        assertThat(xml.getFirst(), containsString("<groupId>dev.graceful</groupId>\n"
                + "            <artifactId>graceful-launcher</artifactId>\n"
                + "            <version>" + version + "</version>"));
        assertThat(xml.getFirst(), containsString("<mainClass>com.example.HelloService</mainClass>"));
    }

    private static String section() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("graceful.readme")));
        int start = readme.indexOf("\n## Use it in your own service");
        assertThat("the README has the section", start >= 0, is(true));
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    private static List<String> blocks(String text, String fence) {
        List<String> found = new ArrayList<>();
        int at = 0;
        while ((at = text.indexOf(fence + "\n", at)) >= 0) {
            int start = at + fence.length() + 1;
            int end = text.indexOf("```\n", start);
            found.add(text.substring(start, end));
            at = end;
        }
        return found;
    }

    private static String between(String text, String open, String close) {
        int start = text.indexOf(open) + open.length();
        return text.substring(start, text.indexOf(close, start));
    }
}
