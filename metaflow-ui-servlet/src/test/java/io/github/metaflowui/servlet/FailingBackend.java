package io.github.metaflowui.servlet;

import io.github.metaflowui.core.ArtifactRecord;
import io.github.metaflowui.core.ArtifactValue;
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
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.TaskQuery;
import io.github.metaflowui.core.TaskRef;
import io.github.metaflowui.core.spi.MetaflowBackend;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** A data source that fails every data call with the exception the supplier makes. */
final class FailingBackend implements MetaflowBackend {
    private final Supplier<RuntimeException> failure;

    FailingBackend(Supplier<RuntimeException> failure) {
        this.failure = failure;
    }

    @Override
    public String describe() {
        return "a data source that always fails";
    }

    @Override
    public Page<Flow> listFlows(PageRequest page) {
        throw failure.get();
    }

    @Override
    public Optional<Flow> flow(String name) {
        throw failure.get();
    }

    @Override
    public Page<Run> listRuns(RunQuery query, PageRequest page) {
        throw failure.get();
    }

    @Override
    public Optional<Run> run(RunRef run) {
        throw failure.get();
    }

    @Override
    public List<Step> steps(RunRef run) {
        throw failure.get();
    }

    @Override
    public Page<Task> listTasks(RunRef run, TaskQuery query, PageRequest page) {
        throw failure.get();
    }

    @Override
    public Optional<Task> task(TaskRef task) {
        throw failure.get();
    }

    @Override
    public List<MetadataRecord> metadata(TaskRef task) {
        throw failure.get();
    }

    @Override
    public List<ArtifactRecord> artifacts(TaskRef task) {
        throw failure.get();
    }

    @Override
    public Optional<ArtifactValue> artifactValue(TaskRef task, String name, int attempt, int maxChars) {
        throw failure.get();
    }

    @Override
    public LogPage logs(TaskRef task, LogStream stream, LogRequest request) {
        throw failure.get();
    }

    @Override
    public Optional<Dag> dag(RunRef run) {
        throw failure.get();
    }

    @Override
    public List<Parameter> parameters(RunRef run) {
        throw failure.get();
    }
}
