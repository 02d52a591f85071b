package io.github.metaflowui.client.service;

import io.github.metaflowui.core.MetaflowException;

/**
 * The backend cannot read this task's logs: the metadata service does not serve logs, and no
 * {@link DatastoreLogReader} could reach the task's datastore. The message says where the logs are
 * and what would make them readable (the UI backend, or a reader for that datastore); it is meant to
 * be shown to users as is.
 */
public class LogsUnavailableException extends MetaflowException {
    private final transient DatastoreLocation location;

    public LogsUnavailableException(String message, DatastoreLocation location) {
        super(message);
        this.location = location;
    }

    /** Where the logs are, as the task's metadata records it. */
    public DatastoreLocation location() {
        return location;
    }
}
