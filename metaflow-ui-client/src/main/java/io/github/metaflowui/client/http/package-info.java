/**
 * Talking to Metaflow's services over HTTP: transport settings ({@link io.github.metaflowui.client.http.HttpOptions}),
 * Metaflow-style configuration ({@link io.github.metaflowui.client.http.MetaflowServiceConfig}: the
 * {@code METAFLOW_SERVICE_URL}, {@code METAFLOW_SERVICE_AUTH_KEY}, {@code METAFLOW_SERVICE_HEADERS} settings
 * and {@code ~/.metaflowconfig}) and ready-made backends ({@link io.github.metaflowui.client.http.MetaflowBackends}).
 *
 * <p>The backends themselves are {@link io.github.metaflowui.client.service.MetadataServiceBackend} (the
 * metadata service) and {@link io.github.metaflowui.client.uibackend.UiServiceBackend} (the UI backend's
 * {@code /api}). Failures are the core exceptions: {@code NoAnswerException} (connection refused or reset,
 * timeout, open circuit breaker), {@code ServiceException} (an error status, with a one-line summary of the
 * body) and {@code DecodeException} (an answer that is not the expected JSON).
 */
package io.github.metaflowui.client.http;
