package io.github.metaflowui.client.local;

import io.github.metaflowui.core.ArtifactRecord;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Proof that reading never writes, creates, moves or removes anything under the root. */
class LocalReadOnlyTest {

    private record Entry(long size, java.nio.file.attribute.FileTime modified, boolean directory) {
    }

    private static Map<String, Entry> snapshot(Path root) throws IOException {
        Map<String, Entry> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                out.put(root.relativize(p).toString(), new Entry(a.isDirectory() ? 0 : a.size(), a.lastModifiedTime(),
                        a.isDirectory()));
            }
        }
        return out;
    }

    @Test
    void exercising_every_method_changes_nothing(@TempDir Path tmp) throws IOException {
        for (String flow : new String[]{"LinearFlow", "RetryFlow", "FailingFlow", "NestedForeachFlow", "ParamsLogsFlow"}) {
            LocalFixture.copy(flow, tmp);
        }
        Map<String, Entry> before = snapshot(tmp);
        LocalMetaflowBackend backend = LocalFixture.backend(tmp);
        MetaflowClient client = MetaflowClient.of(backend, 3);
        int tasksSeen = 0;

        assertThat(backend.describe()).contains(tmp.toString());
        client.flows().forEach(f -> assertThat(backend.flow(f.name())).isPresent());
        for (Run run : client.runs(RunQuery.all())) {
            assertThat(backend.run(run.ref())).isPresent();
            backend.dag(run.ref());
            backend.parameters(run.ref());
            for (Step step : backend.steps(run.ref())) {
                assertThat(step.counts().total()).isPositive();
            }
            for (Task task : client.tasks(run.ref(), TaskQuery.all())) {
                tasksSeen++;
                assertThat(backend.task(task.ref())).isPresent();
                assertThat(backend.attempts(task.ref())).isNotEmpty();
                assertThat(backend.metadata(task.ref())).isNotEmpty();
                for (ArtifactRecord a : backend.artifacts(task.ref())) {
                    backend.artifactValue(task.ref(), a.name(), a.attemptId(), 1000);
                }
                for (LogStream s : LogStream.values()) {
                    client.logLines(task.ref(), s, LogRequest.LATEST_ATTEMPT).toList();
                    backend.logs(task.ref(), s, LogRequest.fromEnd(0, 10).attempt(0));
                }
            }
        }
        for (RunQuery.Sort sort : RunQuery.Sort.values()) {
            backend.listRuns(RunQuery.builder().sort(sort, io.github.metaflowui.core.SortOrder.ASC)
                    .status(Status.FAILED).build(), PageRequest.first(2));
        }
        LocalLogReader.of(tmp).latestAttempt(io.github.metaflowui.core.TaskRef.of("RetryFlow", "1796301615558176",
                "flaky", "2"));
        backend.close();

        assertThat(tasksSeen).isEqualTo(3 * 3 + 3 * 3 + 2 * 2 + 2 * 21 + 3 * 3);
        assertThat(snapshot(tmp)).isEqualTo(before);
    }
}
