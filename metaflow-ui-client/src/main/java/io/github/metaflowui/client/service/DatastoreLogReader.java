package io.github.metaflowui.client.service;

import io.github.metaflowui.core.LogPage;
import io.github.metaflowui.core.LogRequest;
import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.TaskRef;

import java.util.Optional;

/**
 * Reads task logs straight from a datastore, for backends whose service does not serve logs (the
 * metadata service). The logs of attempt {@code N} are the mflog files
 * {@code <root>/<Flow>/<Run>/<Step>/<Task>/N.runtime_<stdout|stderr>.log} and {@code N.task_<...>.log},
 * merged by timestamp (see {@link io.github.metaflowui.core.Mflog}).
 *
 * <p>The metadata service backend tries its readers in order and uses the first answer. A local
 * datastore reader is built in; plug one in for S3, Azure or GCS. Implementations are thread-safe and
 * must not modify the datastore.
 */
@FunctionalInterface
public interface DatastoreLogReader {
    /**
     * A window of one log stream of one attempt.
     *
     * @param location where the task's datastore is, from its {@code ds-type} / {@code ds-root} metadata
     * @param attempt  the attempt, already resolved (never {@link LogRequest#LATEST_ATTEMPT})
     * @return the lines, an empty page for an absent log, or empty if this reader cannot reach that datastore
     */
    Optional<LogPage> read(DatastoreLocation location, TaskRef task, LogStream stream, int attempt, LogRequest window);
}
