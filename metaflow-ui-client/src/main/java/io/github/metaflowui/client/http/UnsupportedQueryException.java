package io.github.metaflowui.client.http;

import io.github.metaflowui.core.MetaflowException;

/**
 * The backend cannot answer this query, e.g. the metadata service asked to sort runs by duration
 * (which needs every run's status). The message says what is possible instead.
 */
public class UnsupportedQueryException extends MetaflowException {
    public UnsupportedQueryException(String message) {
        super(message);
    }
}
