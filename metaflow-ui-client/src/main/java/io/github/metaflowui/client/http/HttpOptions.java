package io.github.metaflowui.client.http;

import java.time.Duration;
import java.util.Objects;

/**
 * How the HTTP backends talk to a service: timeouts, retries, the circuit breaker and the connection
 * pool. Immutable; start from {@link #defaults()} or {@link #builder()}.
 *
 * <p>Every request is an idempotent GET and goes through, from the outside in:
 * <ol>
 *   <li>a retry policy: up to {@link #maxRetries()} more attempts after a transport error (connection
 *       refused or reset, empty reply, timeout) or a {@code 429}, {@code 502}, {@code 503} or {@code 504}
 *       answer, waiting an exponential backoff from {@link #retryDelay()} up to {@link #maxRetryDelay()}
 *       with ±25% jitter, or what the server's {@code Retry-After} asks (at most {@link #maxRetryAfter()});</li>
 *   <li>a circuit breaker: after {@link #breakerFailureThreshold()} failures in a row the service is not
 *       called for {@link #breakerOpenDuration()}; then one trial request decides whether it closes;</li>
 *   <li>a per-attempt timeout, {@link #attemptTimeout()}, covering the whole answer including its body.</li>
 * </ol>
 * The HTTP client's own retries are off. {@link #connectTimeout()} bounds connecting and
 * {@link #responseTimeout()} the silence while waiting for data.
 */
public final class HttpOptions {
    private static final HttpOptions DEFAULTS = builder().build();

    private final Duration connectTimeout;
    private final Duration responseTimeout;
    private final Duration attemptTimeout;
    private final int maxRetries;
    private final Duration retryDelay;
    private final Duration maxRetryDelay;
    private final Duration maxRetryAfter;
    private final int breakerFailureThreshold;
    private final Duration breakerOpenDuration;
    private final int maxConnections;
    private final String userAgent;

    private HttpOptions(Builder b) {
        this.connectTimeout = b.connectTimeout;
        this.responseTimeout = b.responseTimeout;
        this.attemptTimeout = b.attemptTimeout;
        this.maxRetries = b.maxRetries;
        this.retryDelay = b.retryDelay;
        this.maxRetryDelay = b.maxRetryDelay;
        this.maxRetryAfter = b.maxRetryAfter;
        this.breakerFailureThreshold = b.breakerFailureThreshold;
        this.breakerOpenDuration = b.breakerOpenDuration;
        this.maxConnections = b.maxConnections;
        this.userAgent = b.userAgent;
    }

    /** Connect 5 s, silence 30 s, attempt 60 s, 3 retries from 200 ms to 5 s, breaker 5 failures / 30 s, 16 connections. */
    public static HttpOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.connectTimeout = connectTimeout;
        b.responseTimeout = responseTimeout;
        b.attemptTimeout = attemptTimeout;
        b.maxRetries = maxRetries;
        b.retryDelay = retryDelay;
        b.maxRetryDelay = maxRetryDelay;
        b.maxRetryAfter = maxRetryAfter;
        b.breakerFailureThreshold = breakerFailureThreshold;
        b.breakerOpenDuration = breakerOpenDuration;
        b.maxConnections = maxConnections;
        b.userAgent = userAgent;
        return b;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** The longest silence while waiting for the status line or the next bytes of a body. */
    public Duration responseTimeout() {
        return responseTimeout;
    }

    /** The longest one attempt may take, body included. */
    public Duration attemptTimeout() {
        return attemptTimeout;
    }

    /** Attempts after the first; 0 disables retries. */
    public int maxRetries() {
        return maxRetries;
    }

    public Duration retryDelay() {
        return retryDelay;
    }

    public Duration maxRetryDelay() {
        return maxRetryDelay;
    }

    /** The longest {@code Retry-After} honoured; longer requests are shortened to this. */
    public Duration maxRetryAfter() {
        return maxRetryAfter;
    }

    public int breakerFailureThreshold() {
        return breakerFailureThreshold;
    }

    public Duration breakerOpenDuration() {
        return breakerOpenDuration;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public String userAgent() {
        return userAgent;
    }

    @Override
    public String toString() {
        return "HttpOptions[connectTimeout=" + connectTimeout + ", responseTimeout=" + responseTimeout
                + ", attemptTimeout=" + attemptTimeout + ", maxRetries=" + maxRetries + ", retryDelay=" + retryDelay
                + ", maxRetryDelay=" + maxRetryDelay + ", maxRetryAfter=" + maxRetryAfter
                + ", breakerFailureThreshold=" + breakerFailureThreshold + ", breakerOpenDuration="
                + breakerOpenDuration + ", maxConnections=" + maxConnections + ", userAgent=" + userAgent + "]";
    }

    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration responseTimeout = Duration.ofSeconds(30);
        private Duration attemptTimeout = Duration.ofSeconds(60);
        private int maxRetries = 3;
        private Duration retryDelay = Duration.ofMillis(200);
        private Duration maxRetryDelay = Duration.ofSeconds(5);
        private Duration maxRetryAfter = Duration.ofSeconds(30);
        private int breakerFailureThreshold = 5;
        private Duration breakerOpenDuration = Duration.ofSeconds(30);
        private int maxConnections = 16;
        private String userAgent = "metaflow-ui-java";

        private Builder() {
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
            return this;
        }

        public Builder responseTimeout(Duration responseTimeout) {
            this.responseTimeout = Objects.requireNonNull(responseTimeout, "responseTimeout");
            return this;
        }

        public Builder attemptTimeout(Duration attemptTimeout) {
            this.attemptTimeout = Objects.requireNonNull(attemptTimeout, "attemptTimeout");
            return this;
        }

        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        /** The first retry's delay and the cap of the exponential backoff. */
        public Builder retryDelay(Duration first, Duration max) {
            this.retryDelay = Objects.requireNonNull(first, "first");
            this.maxRetryDelay = Objects.requireNonNull(max, "max");
            return this;
        }

        public Builder maxRetryAfter(Duration maxRetryAfter) {
            this.maxRetryAfter = Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
            return this;
        }

        /** Open the breaker after {@code failures} failures in a row, for {@code openFor}. */
        public Builder circuitBreaker(int failures, Duration openFor) {
            this.breakerFailureThreshold = failures;
            this.breakerOpenDuration = Objects.requireNonNull(openFor, "openFor");
            return this;
        }

        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public Builder userAgent(String userAgent) {
            this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
            return this;
        }

        /** @throws IllegalArgumentException naming the first setting that is out of range */
        public HttpOptions build() {
            positive("connectTimeout", connectTimeout);
            positive("responseTimeout", responseTimeout);
            positive("attemptTimeout", attemptTimeout);
            if (maxRetries < 0 || maxRetries > 20) {
                throw new IllegalArgumentException("maxRetries must be between 0 and 20, got " + maxRetries);
            }
            positive("retryDelay", retryDelay);
            positive("maxRetryDelay", maxRetryDelay);
            if (maxRetryDelay.compareTo(retryDelay) < 0) {
                throw new IllegalArgumentException("maxRetryDelay (" + maxRetryDelay + ") must not be shorter than retryDelay ("
                        + retryDelay + ")");
            }
            if (maxRetryAfter.isNegative()) {
                throw new IllegalArgumentException("maxRetryAfter must not be negative, got " + maxRetryAfter);
            }
            if (breakerFailureThreshold < 1) {
                throw new IllegalArgumentException("circuit breaker failure threshold must be >= 1, got "
                        + breakerFailureThreshold);
            }
            positive("circuit breaker open duration", breakerOpenDuration);
            if (maxConnections < 1 || maxConnections > 1000) {
                throw new IllegalArgumentException("maxConnections must be between 1 and 1000, got " + maxConnections);
            }
            if (userAgent.isBlank()) {
                throw new IllegalArgumentException("userAgent must not be blank");
            }
            return new HttpOptions(this);
        }

        private static void positive(String name, Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
        }
    }
}
