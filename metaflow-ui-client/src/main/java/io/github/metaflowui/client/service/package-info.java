/**
 * A {@link io.github.metaflowui.core.spi.MetaflowBackend} over Metaflow's metadata service:
 * {@link io.github.metaflowui.client.service.MetadataServiceBackend}. The service does not serve logs;
 * they are read from the datastore by {@link io.github.metaflowui.client.service.DatastoreLogReader}s
 * (a local one is built in), and {@link io.github.metaflowui.client.service.LogsUnavailableException}
 * says where the logs are when none can reach them.
 */
package io.github.metaflowui.client.service;
