package io.github.metaflowui.core.spi;

import io.github.metaflowui.core.ArtifactRecord;
import io.github.metaflowui.core.ArtifactValue;
import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.Card;
import io.github.metaflowui.core.CardHtml;
import io.github.metaflowui.core.Dag;
import io.github.metaflowui.core.Flow;
import io.github.metaflowui.core.LogPage;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.MetadataRecord;
import io.github.metaflowui.core.Page;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.Paged;
import io.github.metaflowui.core.Parameter;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunGroups;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.StepAggregates;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.TaskRef;

import java.util.List;
import java.util.Optional;

/**
 * Where Metaflow data comes from: a local {@code .metaflow} directory, the metadata service, the UI
 * backend, or anything else. Page-at-a-time: implementers return one {@link Page} per call and never
 * write iterators ({@link io.github.metaflowui.core.MetaflowClient} does the iterating).
 *
 * <p>Implementations are thread-safe. A missing object is an empty {@link Optional} (or an empty
 * list for children of a missing parent); failures to get an answer are
 * {@link io.github.metaflowui.core.MetaflowException}s. {@code _parameters} is never returned as a
 * step or task.
 */
public interface MetaflowBackend extends AutoCloseable {

    /** A short human description, e.g. {@code local directory /data/.metaflow}. */
    String describe();

    /** Flows, by name ascending. */
    Page<Flow> listFlows(PageRequest page);

    Optional<Flow> flow(String name);

    /** Runs matching the query, in its order. */
    Page<Run> listRuns(RunQuery query, PageRequest page);

    Optional<Run> run(RunRef run);

    /** The steps of a run with task counts, in graph (execution) order when the graph is known. */
    List<Step> steps(RunRef run);

    /** Tasks of a run (optionally one step), one per task with all its attempts. */
    Page<Task> listTasks(RunRef run, TaskQuery query, PageRequest page);

    Optional<Task> task(TaskRef task);

    /** Every attempt of a task, oldest first. */
    default List<Attempt> attempts(TaskRef task) {
        return task(task).map(Task::attempts).orElse(List.of());
    }

    /** All metadata of a task, every attempt, oldest first. */
    List<MetadataRecord> metadata(TaskRef task);

    /** Artifact records of every attempt of a task, by attempt then name. */
    List<ArtifactRecord> artifacts(TaskRef task);

    /**
     * The display form of an artifact value, if the backend can read it.
     *
     * @param maxChars the longest display text wanted
     */
    Optional<ArtifactValue> artifactValue(TaskRef task, String name, int attempt, int maxChars);

    /** A window of one log stream of one attempt. An absent log is an empty page. */
    LogPage logs(TaskRef task, LogStream stream, LogRequest request);

    /** The run's graph, when recorded. */
    Optional<Dag> dag(RunRef run);

    /** The run's parameters, by name. */
    List<Parameter> parameters(RunRef run);

    /**
     * A step summarised: task counts by status, attempts, first start, last finish and the
     * distribution of task durations. The default reads the step's tasks page by page, keeping only
     * the numbers; backends that know better (an index, a server-side aggregate) override it.
     */
    default StepAggregates aggregates(RunRef run, String step) {
        StepAggregates.Accumulator acc = new StepAggregates.Accumulator(run.step(step));
        TaskQuery query = TaskQuery.ofStep(step);
        PageRequest request = PageRequest.first(PageRequest.MAX_LIMIT);
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (true) {
            Page<Task> page = listTasks(run, query, request);
            page.items().forEach(acc::add);
            if (page.nextCursor().isEmpty()) {
                return acc.build();
            }
            if (!seen.add(page.nextCursor().get())) {
                throw new IllegalStateException("backend repeated the page cursor '" + page.nextCursor().get() + "'");
            }
            request = PageRequest.after(page.nextCursor().get(), PageRequest.MAX_LIMIT);
        }
    }

    /**
     * A cursor that continues {@link #listRuns} after the first {@code offset} runs of the query,
     * when the backend can find that position without reading the runs before it (an in-memory
     * index can). Empty by default: callers then page from the start.
     *
     * @param offset how many runs to skip, at least 1
     */
    default Optional<String> runsCursorAt(RunQuery query, long offset) {
        return Optional.empty();
    }

    /** How many runs the default {@link #groupRuns} reads at most. */
    int GROUP_SCAN = 20_000;

    /**
     * A page of the query's runs grouped by flow or user (see {@link RunGroups}): groups in the order of
     * their first run in the query's order, each with its first {@code perGroup} runs and its run count.
     * The default reads the newest {@value #GROUP_SCAN} runs of the list through {@link #listRuns}; an
     * in-memory index reads all of them.
     *
     * @param afterKey the page starts after the group with this key (empty: the first page)
     * @throws IllegalArgumentException when {@code afterKey} names no group of the list
     */
    default RunGroups groupRuns(RunQuery query, RunGroups.By by, int perGroup, Optional<String> afterKey,
                                int maxGroups) {
        return RunGroups.of(Paged.of(pr -> listRuns(query, pr), PageRequest.MAX_LIMIT), by, perGroup, afterKey,
                maxGroups, GROUP_SCAN);
    }

    /** Like {@link #runsCursorAt}, for {@link #listTasks}. Empty by default. */
    default Optional<String> tasksCursorAt(RunRef run, TaskQuery query, long offset) {
        return Optional.empty();
    }

    /**
     * The cards ({@code @card} reports) of a task, oldest first when the backend knows their times.
     * Empty when the task has none, when they are not rendered yet (Metaflow writes a card after its
     * task finishes), or when this backend cannot reach them (the default).
     */
    default List<Card> cards(TaskRef task) {
        return List.of();
    }

    /**
     * The HTML of one card of a task. The HTML is untrusted (written by the flow): show it only in an
     * isolated document.
     *
     * @param hash     the card's {@link Card#hash() hash}; a string that is not a valid hash names no card
     * @param maxBytes the largest card returned
     * @return the card, or empty when the task has no such card (or the backend cannot reach cards)
     * @throws io.github.metaflowui.core.CardTooLargeException when the card is larger than {@code maxBytes}
     */
    default Optional<CardHtml> cardHtml(TaskRef task, String hash, long maxBytes) {
        return Optional.empty();
    }

    /**
     * The latest realtime data of a card (Metaflow's runtime {@code data.json}, written while the
     * task runs for cards that refresh), as JSON text.
     *
     * @return the JSON, or empty when there is none (the default)
     * @throws io.github.metaflowui.core.CardTooLargeException when it is larger than {@code maxBytes}
     */
    default Optional<String> cardData(TaskRef task, String hash, long maxBytes) {
        return Optional.empty();
    }

    /** Releases connections and threads. Default: nothing to release. */
    @Override
    default void close() {
    }
}
