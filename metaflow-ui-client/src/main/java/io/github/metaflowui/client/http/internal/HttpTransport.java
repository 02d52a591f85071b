package io.github.metaflowui.client.http.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.ExecutionContext;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import dev.failsafe.Timeout;
import dev.failsafe.TimeoutExceededException;
import io.github.metaflowui.client.http.HttpOptions;
import io.github.metaflowui.core.MetaflowException;
import io.github.metaflowui.core.MetaflowException.DecodeException;
import io.github.metaflowui.core.MetaflowException.NoAnswerException;
import io.github.metaflowui.core.MetaflowException.ServiceException;
import io.github.metaflowui.core.StatusRules;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.MalformedChunkCodingException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.util.TimeValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One pooled HttpClient 5 per service, wrapped in Failsafe: retry (outermost), circuit breaker,
 * per-attempt timeout (innermost). Every call is a GET whose body is handed, as a stream, to a
 * {@link BodyReader} inside the attempt, so the attempt timeout covers the download and a failed
 * download is retried whole. Failures come out as the core exception types with messages that name
 * the service, its base URL (never credentials) and the request.
 *
 * <p>Thread-safe. Extra headers (API keys) are sent with every request and never logged or shown.
 */
public final class HttpTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpTransport.class);
    private static final int ERROR_BODY_LIMIT = 16 * 1024;
    private static final int MAX_SHOWN_REQUEST = 160;

    /** Decodes a successful response body. Jackson errors become {@link DecodeException}s. */
    @FunctionalInterface
    public interface BodyReader<T> {
        T read(ResponseInfo response, InputStream body) throws IOException;
    }

    /** Status and headers of a response (header names lower-case). */
    public static final class ResponseInfo {
        private final int status;
        private final Map<String, String> headers;

        ResponseInfo(int status, Map<String, String> headers) {
            this.status = status;
            this.headers = Collections.unmodifiableMap(headers);
        }

        public int status() {
            return status;
        }

        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    private sealed interface Outcome permits Ok, Failed {
    }

    private record Ok(Object value) implements Outcome {
    }

    private record Failed(int status, String reason, String contentType, String body, Optional<Duration> retryAfter)
            implements Outcome {
    }

    private final String serviceName;
    private final URI base;
    private final String display;
    private final List<Header> headers;
    private final HttpOptions options;
    private final CloseableHttpClient client;
    private final CircuitBreaker<Outcome> breaker;
    private final FailsafeExecutor<Outcome> executor;

    /**
     * @param serviceName e.g. {@code metadata service}, used in messages
     * @param base        the service root; its path is kept as a prefix of every request path
     * @param headers     sent with every request (values are secrets: never shown)
     */
    public HttpTransport(String serviceName, URI base, Map<String, String> headers, HttpOptions options) {
        this.serviceName = serviceName;
        this.base = normalize(base);
        this.display = display(this.base);
        this.options = options;
        List<Header> hs = new ArrayList<>();
        headers.forEach((k, v) -> hs.add(new BasicHeader(k, v)));
        hs.add(new BasicHeader("Accept", "application/json, text/plain;q=0.9, */*;q=0.5"));
        this.headers = List.copyOf(hs);
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(options.maxConnections())
                        .setMaxConnPerRoute(options.maxConnections())
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(timeout(options.connectTimeout()))
                                .setSocketTimeout(timeout(options.responseTimeout()))
                                .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                                .build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(timeout(options.responseTimeout()))
                        .setConnectionRequestTimeout(timeout(options.attemptTimeout()))
                        .build())
                .setUserAgent(options.userAgent())
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .evictIdleConnections(TimeValue.ofSeconds(30))
                .build();
        this.breaker = CircuitBreaker.<Outcome>builder()
                .handleIf((r, e) -> breakerFailure(r, e))
                .withFailureThreshold(options.breakerFailureThreshold())
                .withDelay(options.breakerOpenDuration())
                .withSuccessThreshold(1)
                .onOpen(e -> LOG.warn("{} at {}: circuit breaker open after {} failures in a row; pausing calls for {}",
                        serviceName, display, options.breakerFailureThreshold(), options.breakerOpenDuration()))
                .onClose(e -> LOG.info("{} at {}: circuit breaker closed, the service answers again", serviceName, display))
                .build();
        RetryPolicy<Outcome> retry = RetryPolicy.<Outcome>builder()
                .handleIf((r, e) -> retryable(r, e))
                .abortOn(CircuitBreakerOpenException.class)
                .withMaxRetries(options.maxRetries())
                .withDelayFn(this::retryDelay)
                .onRetry(e -> LOG.debug("{} at {}: retrying (attempt {}) after {}", serviceName, display,
                        e.getAttemptCount() + 1, e.getLastResult() instanceof Failed f ? "status " + f.status()
                                : String.valueOf(e.getLastException())))
                .build();
        Timeout<Outcome> timeout = Timeout.<Outcome>builder(options.attemptTimeout()).build();
        this.executor = Failsafe.with(retry, breaker, timeout);
    }

    /** {@code metadata service at http://host:8080/}, for descriptions and messages. */
    public String describe() {
        return serviceName + " at " + display;
    }

    public URI base() {
        return base;
    }

    /** Builds {@code /a/b/c} from raw segments, percent-encoding each. */
    public static String path(String... segments) {
        StringBuilder sb = new StringBuilder();
        for (String s : segments) {
            sb.append('/').append(Query.encodeSegment(s));
        }
        return sb.toString();
    }

    /**
     * GETs {@code path?query} and decodes the body.
     *
     * @throws ServiceException   for an error status (after retries, for retryable ones)
     * @throws NoAnswerException  for transport errors, timeouts, an open circuit breaker
     * @throws DecodeException    when the body cannot be decoded
     */
    public <T> T get(String path, Query query, BodyReader<T> reader) {
        return call(path, query, reader, false).orElseThrow();
    }

    /**
     * Like {@link #get}, but a 404 whose body is JSON (the services' "no such object", e.g. {@code {}})
     * is an empty result. A 404 that is not JSON (an unknown route, a proxy page) is still an error.
     */
    public <T> Optional<T> getIfFound(String path, Query query, BodyReader<T> reader) {
        return call(path, query, reader, true);
    }

    /**
     * GETs a body that is not JSON (an HTML card, say): it is never refused for looking like HTML, and
     * any 404 is an empty result. Other errors are as for {@link #get}.
     */
    public <T> Optional<T> getDocument(String path, Query query, BodyReader<T> reader) {
        return call(path, query, reader, true, true);
    }

    private <T> Optional<T> call(String path, Query query, BodyReader<T> reader, boolean notFoundIsEmpty) {
        return call(path, query, reader, notFoundIsEmpty, false);
    }

    @SuppressWarnings("unchecked")
    private <T> Optional<T> call(String path, Query query, BodyReader<T> reader, boolean notFoundIsEmpty,
                                 boolean document) {
        String pathAndQuery = path + (query.isEmpty() ? "" : "?" + query.encoded());
        URI uri = URI.create(base.toString() + pathAndQuery);
        String request = "GET " + shorten(pathAndQuery);
        AtomicInteger attempts = new AtomicInteger();
        Outcome outcome;
        try {
            outcome = executor.get(ctx -> attempt(ctx, uri, request, reader, attempts, document));
        } catch (CircuitBreakerOpenException e) {
            throw new NoAnswerException("no answer from the " + describe() + " for " + request
                    + ": circuit breaker open after repeated failures; calls resume in "
                    + StatusRules.human(breaker.getRemainingDelay().plusMillis(999)), e);
        } catch (TimeoutExceededException e) {
            throw new NoAnswerException("no answer from the " + describe() + " for " + request
                    + ": no complete answer within " + StatusRules.human(options.attemptTimeout())
                    + " (per-attempt timeout" + attemptsSuffix(attempts.get()) + ")", e);
        } catch (FailsafeException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof MetaflowException m) {
                throw m;
            }
            throw new NoAnswerException("no answer from the " + describe() + " for " + request + ": "
                    + transportProblem(cause) + (attempts.get() > 1 ? " (" + attempts.get() + " attempts)" : ""), cause);
        }
        if (outcome instanceof Ok ok) {
            return Optional.of((T) ok.value());
        }
        Failed f = (Failed) outcome;
        if (notFoundIsEmpty && f.status() == 404 && (document || looksLikeJson(f.body()))) {
            return Optional.empty();
        }
        String summary = ErrorBodies.summarize(f.contentType(), f.body());
        String hint = f.status() == 404 && !looksLikeJson(f.body())
                ? " (no such endpoint: is " + display + " the " + serviceName + "?)" : "";
        throw new ServiceException("the " + describe() + " answered " + f.status()
                + (f.reason().isEmpty() ? "" : " " + f.reason()) + " to " + request + ": " + summary + hint
                + attemptsSuffix(attempts.get()), f.status(), excerpt(f.body()));
    }

    private Outcome attempt(ExecutionContext<Outcome> ctx, URI uri, String request, BodyReader<?> reader,
                            AtomicInteger attempts, boolean document) throws IOException {
        attempts.incrementAndGet();
        HttpGet get = new HttpGet(uri);
        for (Header h : headers) {
            get.addHeader(h);
        }
        ctx.onCancel(() -> get.cancel());
        try (ClassicHttpResponse response = client.executeOpen(null, get, null)) {
            int status = response.getCode();
            Map<String, String> hs = new LinkedHashMap<>();
            for (Header h : response.getHeaders()) {
                hs.putIfAbsent(h.getName().toLowerCase(Locale.ROOT), h.getValue());
            }
            HttpEntity entity = response.getEntity();
            if (status >= 200 && status < 300) {
                ResponseInfo info = new ResponseInfo(status, hs);
                Object value;
                try (InputStream raw = entity == null ? InputStream.nullInputStream() : entity.getContent();
                     BufferedInputStream in = new BufferedInputStream(raw == null ? InputStream.nullInputStream() : raw,
                             8192)) {
                    if (!document) {
                        rejectHtml(in);
                    }
                    value = reader.read(info, in);
                } catch (JsonProcessingException e) {
                    throw new DecodeException("could not decode the answer of the " + describe() + " to " + request
                            + ": " + jacksonMessage(e), e);
                } catch (DecodeException e) {
                    throw new DecodeException("could not decode the answer of the " + describe() + " to " + request
                            + ": " + e.getMessage(), e);
                }
                EntityUtils.consumeQuietly(entity);
                return new Ok(value);
            }
            String body = readUpTo(entity);
            String contentType = entity == null || entity.getContentType() == null ? "" : entity.getContentType();
            return new Failed(status, response.getReasonPhrase() == null ? "" : response.getReasonPhrase(), contentType,
                    body, parseRetryAfter(hs.get("retry-after")));
        }
    }

    /** A successful answer that is an HTML page (a login page, a proxy) is not the service's JSON. */
    private void rejectHtml(BufferedInputStream in) throws IOException {
        in.mark(4096);
        byte[] head = in.readNBytes(4096);
        in.reset();
        String text = new String(head, StandardCharsets.UTF_8);
        if (!text.stripLeading().startsWith("<")) {
            return;
        }
        throw new DecodeException("expected JSON but got " + ErrorBodies.summarize("text/html", text) + " (is " + display
                + " the " + serviceName + ", or is a login page or proxy in the way?)");
    }

    private static boolean retryable(Outcome r, Throwable e) {
        if (e != null) {
            return transportFailure(e);
        }
        return r instanceof Failed f && (f.status() == 429 || f.status() == 502 || f.status() == 503 || f.status() == 504);
    }

    private static boolean breakerFailure(Outcome r, Throwable e) {
        if (e != null) {
            return transportFailure(e);
        }
        return r instanceof Failed f && (f.status() == 502 || f.status() == 503 || f.status() == 504);
    }

    private static boolean transportFailure(Throwable e) {
        return e instanceof TimeoutExceededException
                || (e instanceof IOException && !(e instanceof JsonProcessingException));
    }

    private Duration retryDelay(ExecutionContext<Outcome> ctx) {
        Outcome last = ctx.getLastResult();
        if (last instanceof Failed f && f.retryAfter().isPresent()) {
            Duration asked = f.retryAfter().get();
            return asked.compareTo(options.maxRetryAfter()) > 0 ? options.maxRetryAfter() : asked;
        }
        int retry = Math.max(1, ctx.getAttemptCount());
        long first = options.retryDelay().toMillis();
        long max = options.maxRetryDelay().toMillis();
        long delay = first;
        for (int i = 1; i < retry && delay < max; i++) {
            delay *= 2;
        }
        delay = Math.min(delay, max);
        double jitter = 0.75 + ThreadLocalRandom.current().nextDouble() * 0.5;
        return Duration.ofMillis(Math.max(1, (long) (delay * jitter)));
    }

    static Optional<Duration> parseRetryAfter(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        try {
            long s = Long.parseLong(v);
            return s < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(s));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(java.time.Instant.now(), at.toInstant());
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (RuntimeException ex) {
                return Optional.empty();
            }
        }
    }

    private String transportProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpHostConnectException || t instanceof ConnectException) {
                return "connection refused";
            }
            if (t instanceof ConnectTimeoutException) {
                return "could not connect within " + StatusRules.human(options.connectTimeout());
            }
            if (t instanceof UnknownHostException) {
                return "unknown host " + base.getHost();
            }
            if (t instanceof NoHttpResponseException) {
                return "the server closed the connection without answering";
            }
            if (t instanceof MalformedChunkCodingException) {
                return "the answer arrived corrupted (malformed chunked body)";
            }
            if (t instanceof ConnectionClosedException) {
                return "the connection closed before the whole answer arrived";
            }
            if (t instanceof SocketTimeoutException) {
                return "no data for " + StatusRules.human(options.responseTimeout()) + " (response timeout)";
            }
            if (t instanceof SocketException && t.getMessage() != null
                    && t.getMessage().toLowerCase(Locale.ROOT).contains("reset")) {
                return "connection reset";
            }
        }
        String msg = e.getMessage();
        return e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }

    private static String jacksonMessage(JsonProcessingException e) {
        String msg = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        msg = ErrorBodies.oneLine(msg);
        if (msg.length() > 200) {
            msg = msg.substring(0, 200) + "…";
        }
        if (e instanceof com.fasterxml.jackson.core.io.JsonEOFException && !msg.contains("truncated")) {
            msg = msg + " (truncated answer?)";
        }
        JsonLocation loc = e.getLocation();
        if (loc != null && loc.getLineNr() > 0) {
            msg = msg + " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
        }
        return msg;
    }

    private static String readUpTo(HttpEntity entity) throws IOException {
        if (entity == null) {
            return "";
        }
        try (InputStream in = entity.getContent()) {
            if (in == null) {
                return "";
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while (out.size() < ERROR_BODY_LIMIT && (n = in.read(buf, 0, Math.min(buf.length, ERROR_BODY_LIMIT - out.size()))) > 0) {
                out.write(buf, 0, n);
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private static boolean looksLikeJson(String body) {
        String s = body.strip();
        if (!(s.startsWith("{") || s.startsWith("[") || s.startsWith("\""))) {
            return false;
        }
        try {
            Json.MAPPER.readTree(s);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String excerpt(String body) {
        String s = body.strip();
        return s.length() <= 500 ? s : s.substring(0, 500) + "…";
    }

    private static String attemptsSuffix(int attempts) {
        return attempts > 1 ? " (after " + attempts + " attempts)" : "";
    }

    private static String shorten(String s) {
        return s.length() <= MAX_SHOWN_REQUEST ? s : s.substring(0, MAX_SHOWN_REQUEST) + "…";
    }

    private static org.apache.hc.core5.util.Timeout timeout(Duration d) {
        return org.apache.hc.core5.util.Timeout.ofMilliseconds(d.toMillis());
    }

    private static URI normalize(URI base) {
        String s = base.toString();
        int q = s.indexOf('?');
        if (q >= 0) {
            s = s.substring(0, q);
        }
        int h = s.indexOf('#');
        if (h >= 0) {
            s = s.substring(0, h);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return URI.create(s);
    }

    /** The base URL without user info, for messages. */
    static String display(URI base) {
        StringBuilder sb = new StringBuilder();
        sb.append(base.getScheme()).append("://").append(base.getHost());
        if (base.getPort() >= 0) {
            sb.append(':').append(base.getPort());
        }
        String p = base.getRawPath();
        sb.append(p == null || p.isEmpty() ? "/" : p + "/");
        return sb.toString();
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            LOG.debug("closing the HTTP client of the {} failed", describe(), e);
        }
    }
}
