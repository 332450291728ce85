package dev.graceful.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The manifests in deploy/kubernetes fit the shutdown inside the pod's grace period; a misfit is caught.
 */
class KubernetesManifestsTest {

    private static final Path DIR = Path.of("../deploy/kubernetes");

    @Test
    void theShippedManifestsFitTheDeadlineInsideTheGracePeriod() throws Exception {
        assertThat(KubernetesManifests.read(DIR).problems(), is(empty()));
    }

    @Test
    void aGracePeriodTooShortForTheDeadlineIsCaught() throws Exception {
        List<String> texts = texts(text -> text.replace("terminationGracePeriodSeconds: 30",
                                                        "terminationGracePeriodSeconds: 20")
                .replace("value: \"30s\"", "value: \"20s\""));
        List<String> problems = KubernetesManifests.parse(texts).problems();
        assertThat(problems, not(empty()));
        assertThat(String.join("\n", problems), containsString("shutdown.grace-period"));
    }

    @Test
    void aDeadlineRaisedWithoutTheGracePeriodIsCaught() throws Exception {
        List<String> texts = texts(text -> text.replace("deadline: 25s", "deadline: 28s"));
        List<String> problems = KubernetesManifests.parse(texts).problems();
        assertThat(String.join("\n", problems), containsString("exceeds terminationGracePeriodSeconds 30"));
    }

    @Test
    void aPreStopSleepAndAWrongProbeAreCaught() throws Exception {
        List<String> texts = texts(text -> text
                .replace("path: /observe/health/ready\n              port: http\n            periodSeconds: 2",
                         "path: /observe/health/live\n              port: http\n            periodSeconds: 2")
                .replace("          volumeMounts:", "          lifecycle:\n            preStop:\n              exec:\n"
                        + "                command: [\"sleep\", \"10\"]\n          volumeMounts:"));
        List<String> problems = KubernetesManifests.parse(texts).problems();
        assertThat(problems, hasItem(containsString("readinessProbe must use /observe/health/ready")));
        assertThat(problems, hasItem(containsString("preStop")));
    }

    private static List<String> texts(java.util.function.UnaryOperator<String> edit) throws Exception {
        List<String> texts = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                texts.add(edit.apply(Files.readString(f)));
            }
        }
        return texts;
    }
}
