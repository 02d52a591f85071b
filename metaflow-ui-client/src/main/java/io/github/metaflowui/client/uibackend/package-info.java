/**
 * A {@link io.github.metaflowui.core.spi.MetaflowBackend} over Metaflow's UI backend service:
 * {@link io.github.metaflowui.client.uibackend.UiServiceBackend}, with statuses, logs, graphs and
 * parameter values as that service derives them.
 */
package io.github.metaflowui.client.uibackend;
