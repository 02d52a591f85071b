package io.github.metaflowui.client.local;

import io.github.metaflowui.core.LogLine;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.TaskRef;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** One backend shared by several threads gives each of them the same answers. */
class LocalConcurrencyTest {

    private record Answer(List<String> runs, long failed, int foreachTasks, List<String> steps, String lastLogLine) {
    }

    private static Answer ask(LocalMetaflowBackend backend) {
        MetaflowClient client = MetaflowClient.of(backend, 4);
        List<Run> runs = client.runs(RunQuery.all()).toList();
        return new Answer(
                runs.stream().map(r -> r.ref().pathspec()).collect(Collectors.toList()),
                runs.stream().filter(r -> r.status().status() == Status.FAILED).count(),
                client.tasks(runs.get(0).ref(), TaskQuery.all()).toList().size(),
                backend.steps(runs.get(3).ref()).stream().map(Step::name).collect(Collectors.toList()),
                backend.logs(TaskRef.of("ParamsLogsFlow", "1796301631794417", "logs", "2"), LogStream.STDOUT,
                        LogRequest.fromEnd(0, 1)).lines().stream().map(LogLine::text).findFirst().orElse(""));
    }

    @Test
    void parallel_readers_get_identical_answers() throws Exception {
        LocalMetaflowBackend backend = LocalFixture.backend();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Answer>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit(() -> ask(backend)));
            }
            List<Answer> answers = new ArrayList<>();
            for (Future<Answer> f : futures) {
                answers.add(f.get(60, TimeUnit.SECONDS));
            }

            Answer expected = ask(LocalFixture.backend());
            assertThat(expected.runs()).hasSize(18);
            assertThat(expected.failed()).isEqualTo(2);
            assertThat(expected.foreachTasks()).isEqualTo(203);
            assertThat(expected.steps()).containsExactly("start", "outer", "inner", "inner_join", "outer_join", "end");
            assertThat(expected.lastLogLine()).isEqualTo("last stdout line");
            assertThat(answers).containsOnly(expected);
        } finally {
            pool.shutdownNow();
        }
    }
}
