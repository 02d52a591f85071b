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
import java.util.Objects;
import java.util.Optional;

/**
 * A backend that passes every call to another; subclasses override what they change (an index, a
 * cache, an access filter) and inherit the rest, including {@link #close()}.
 */
public class ForwardingBackend implements MetaflowBackend {
    private final MetaflowBackend delegate;

    protected ForwardingBackend(MetaflowBackend delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public Page<Flow> listFlows(PageRequest page) {
        return delegate.listFlows(page);
    }

    @Override
    public Optional<Flow> flow(String name) {
        return delegate.flow(name);
    }

    @Override
    public Page<Run> listRuns(RunQuery query, PageRequest page) {
        return delegate.listRuns(query, page);
    }

    @Override
    public Optional<Run> run(RunRef run) {
        return delegate.run(run);
    }

    @Override
    public List<Step> steps(RunRef run) {
        return delegate.steps(run);
    }

    @Override
    public Page<Task> listTasks(RunRef run, TaskQuery query, PageRequest page) {
        return delegate.listTasks(run, query, page);
    }

    @Override
    public Optional<Task> task(TaskRef task) {
        return delegate.task(task);
    }

    @Override
    public List<Attempt> attempts(TaskRef task) {
        return delegate.attempts(task);
    }

    @Override
    public List<MetadataRecord> metadata(TaskRef task) {
        return delegate.metadata(task);
    }

    @Override
    public List<ArtifactRecord> artifacts(TaskRef task) {
        return delegate.artifacts(task);
    }

    @Override
    public Optional<ArtifactValue> artifactValue(TaskRef task, String name, int attempt, int maxChars) {
        return delegate.artifactValue(task, name, attempt, maxChars);
    }

    @Override
    public LogPage logs(TaskRef task, LogStream stream, LogRequest request) {
        return delegate.logs(task, stream, request);
    }

    @Override
    public Optional<Dag> dag(RunRef run) {
        return delegate.dag(run);
    }

    @Override
    public List<Parameter> parameters(RunRef run) {
        return delegate.parameters(run);
    }

    @Override
    public StepAggregates aggregates(RunRef run, String step) {
        return delegate.aggregates(run, step);
    }

    @Override
    public Optional<String> runsCursorAt(RunQuery query, long offset) {
        return delegate.runsCursorAt(query, offset);
    }

    @Override
    public RunGroups groupRuns(RunQuery query, RunGroups.By by, int perGroup, Optional<String> afterKey,
                               int maxGroups) {
        return delegate.groupRuns(query, by, perGroup, afterKey, maxGroups);
    }

    @Override
    public Optional<String> tasksCursorAt(RunRef run, TaskQuery query, long offset) {
        return delegate.tasksCursorAt(run, query, offset);
    }

    @Override
    public List<Card> cards(TaskRef task) {
        return delegate.cards(task);
    }

    @Override
    public Optional<CardHtml> cardHtml(TaskRef task, String hash, long maxBytes) {
        return delegate.cardHtml(task, hash, maxBytes);
    }

    @Override
    public Optional<String> cardData(TaskRef task, String hash, long maxBytes) {
        return delegate.cardData(task, hash, maxBytes);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
