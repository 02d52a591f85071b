package io.github.metaflowui.servlet;

import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.watch.Watcher;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link MetaflowUiServlet} behaves. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * MetaflowUiOptions options = MetaflowUiOptions.builder()
 *         .title("Metaflow (staging)")
 *         .accessPolicy(req -> req.isUserInRole("admin"))
 *         .frameAncestors("'self' https://admin.example.com")
 *         .build();
 * }</pre>
 */
public final class MetaflowUiOptions {
    /** The runs page size when a request does not say. */
    public static final int DEFAULT_RUNS_PAGE_SIZE = 50;
    /** How many live-update streams may be open at once by default. */
    public static final int DEFAULT_MAX_LIVE_CLIENTS = 1000;
    /** The runs the servlet's index holds by default. */
    public static final int DEFAULT_INDEX_MAX_RUNS = 1_000_000;

    private static final MetaflowUiOptions DEFAULTS = builder().build();

    private final Clock clock;
    private final AccessPolicy accessPolicy;
    private final String frameAncestors;
    private final String title;
    private final int runsPageSize;
    private final boolean liveUpdates;
    private final int maxLiveClients;
    private final Duration activePollInterval;
    private final Duration idlePollInterval;
    private final Duration heartbeatInterval;
    private final long liveClientQueueBytes;
    private final Duration slowClientTimeout;
    private final Watcher watcher;
    private final int indexMaxRuns;
    private final java.time.Duration indexRefresh;
    private final List<LinkTemplate> runLinks;
    private final List<LinkTemplate> taskLinks;
    private final List<MetaflowUiPlugin> plugins;
    private final boolean hideChrome;

    private MetaflowUiOptions(Builder b) {
        this.hideChrome = b.hideChrome;
        this.runLinks = List.copyOf(b.runLinks);
        this.taskLinks = List.copyOf(b.taskLinks);
        this.plugins = List.copyOf(b.plugins);
        this.clock = b.clock;
        this.accessPolicy = b.accessPolicy;
        this.frameAncestors = b.frameAncestors;
        this.title = b.title;
        this.runsPageSize = b.runsPageSize;
        this.liveUpdates = b.liveUpdates;
        this.maxLiveClients = b.maxLiveClients;
        this.activePollInterval = b.activePollInterval;
        this.idlePollInterval = b.idlePollInterval;
        this.heartbeatInterval = b.heartbeatInterval;
        this.liveClientQueueBytes = b.liveClientQueueBytes;
        this.slowClientTimeout = b.slowClientTimeout;
        this.watcher = b.watcher;
        this.indexMaxRuns = b.indexMaxRuns;
        this.indexRefresh = b.indexRefresh;
    }

    /** System UTC clock, loopback callers only, {@code frame-ancestors 'self'}, title "Metaflow", 50 runs a page. */
    public static MetaflowUiOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The clock the API reports as server time. */
    public Clock clock() {
        return clock;
    }

    public AccessPolicy accessPolicy() {
        return accessPolicy;
    }

    /** The CSP {@code frame-ancestors} source list of the UI page. */
    public String frameAncestors() {
        return frameAncestors;
    }

    /** The page title, shown as text (escaped). */
    public String title() {
        return title;
    }

    /** How many runs a page holds when the request gives no {@code _limit}. */
    public int runsPageSize() {
        return runsPageSize;
    }

    /** Whether {@code api/events} serves live updates (Server-Sent Events and the polling fallback). */
    public boolean liveUpdates() {
        return liveUpdates;
    }

    /** How many live-update streams may be open at once; more get 503 and poll instead. */
    public int maxLiveClients() {
        return maxLiveClients;
    }

    /** How often a watched resource with something running is polled (once, for every viewer). */
    public Duration activePollInterval() {
        return activePollInterval;
    }

    /** How often a watched resource with nothing running is polled. */
    public Duration idlePollInterval() {
        return idlePollInterval;
    }

    /** How often an idle event stream gets a heartbeat comment. */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /** How many bytes of events may wait for one slow client before it is dropped. */
    public long liveClientQueueBytes() {
        return liveClientQueueBytes;
    }

    /** How long a client may take no bytes while events wait before it is dropped. */
    public Duration slowClientTimeout() {
        return slowClientTimeout;
    }

    /** The host's own watcher to share, if given (the servlet then never closes it). */
    public Optional<Watcher> watcher() {
        return Optional.ofNullable(watcher);
    }

    /**
     * How many of the newest runs the servlet's in-memory index holds
     * ({@link io.github.metaflowui.core.index.IndexedBackend}), 0 when the servlet asks the backend
     * directly.
     */
    public int indexMaxRuns() {
        return indexMaxRuns;
    }

    /** How often the index looks for new runs and re-checks unfinished ones. */
    public java.time.Duration indexRefresh() {
        return indexRefresh;
    }

    /** External links shown on run pages (templates over the run). */
    public List<LinkTemplate> runLinks() {
        return runLinks;
    }

    /** External links shown on task pages (templates over the task, its attempt and metadata). */
    public List<LinkTemplate> taskLinks() {
        return taskLinks;
    }

    /** Whether every page hides its app bar and footer (for an admin console that embeds the UI). */
    public boolean hideChrome() {
        return hideChrome;
    }

    /** Plugins adding links and panels, in registration order. */
    public List<MetaflowUiPlugin> plugins() {
        return plugins;
    }

    @Override
    public String toString() {
        return "MetaflowUiOptions[title=" + title + ", frameAncestors=" + frameAncestors + ", runsPageSize="
                + runsPageSize + ", indexMaxRuns=" + indexMaxRuns + ", indexRefresh=" + indexRefresh + ", clock=" + clock
                + ", runLinks=" + runLinks.size() + ", taskLinks=" + taskLinks.size() + ", plugins=" + plugins.size()
                + ", hideChrome=" + hideChrome + ", liveUpdates=" + liveUpdates + ", maxLiveClients=" + maxLiveClients
                + "]";
    }

    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private AccessPolicy accessPolicy = AccessPolicy.loopbackOnly();
        private String frameAncestors = "'self'";
        private String title = "Metaflow";
        private int runsPageSize = DEFAULT_RUNS_PAGE_SIZE;
        private boolean liveUpdates = true;
        private int maxLiveClients = DEFAULT_MAX_LIVE_CLIENTS;
        private Duration activePollInterval = Duration.ofSeconds(2);
        private Duration idlePollInterval = Duration.ofSeconds(15);
        private Duration heartbeatInterval = Duration.ofSeconds(15);
        private long liveClientQueueBytes = 4L * 1024 * 1024;
        private Duration slowClientTimeout = Duration.ofSeconds(30);
        private Watcher watcher;
        private int indexMaxRuns = DEFAULT_INDEX_MAX_RUNS;
        private java.time.Duration indexRefresh = java.time.Duration.ofSeconds(5);
        private final List<LinkTemplate> runLinks = new ArrayList<>();
        private final List<LinkTemplate> taskLinks = new ArrayList<>();
        private final List<MetaflowUiPlugin> plugins = new ArrayList<>();
        private boolean hideChrome;

        private Builder() {
        }

        /** Turns {@code api/events} on (the default) or off. */
        public Builder liveUpdates(boolean liveUpdates) {
            this.liveUpdates = liveUpdates;
            return this;
        }

        /** How many live-update streams may be open at once (default 1000). */
        public Builder maxLiveClients(int maxLiveClients) {
            this.maxLiveClients = maxLiveClients;
            return this;
        }

        /** Poll intervals while something runs (default 2 s) and while nothing does (default 15 s). */
        public Builder pollIntervals(Duration active, Duration idle) {
            this.activePollInterval = Objects.requireNonNull(active, "active");
            this.idlePollInterval = Objects.requireNonNull(idle, "idle");
            return this;
        }

        /** Heartbeat interval of event streams (default 15 s; keep it below proxies' idle timeouts). */
        public Builder heartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
            return this;
        }

        /** Bytes of events that may wait for one client (default 4 MiB). */
        public Builder liveClientQueueBytes(long bytes) {
            this.liveClientQueueBytes = bytes;
            return this;
        }

        /** How long a client may take nothing while events wait (default 30 s). */
        public Builder slowClientTimeout(Duration timeout) {
            this.slowClientTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Shares the host's watcher (its intervals then apply); the servlet never closes it. */
        public Builder watcher(Watcher watcher) {
            this.watcher = Objects.requireNonNull(watcher, "watcher");
            return this;
        }

        /**
         * Holds up to this many of the newest runs in an in-memory index (about 50 bytes each) so that
         * any runs page, in any order and at any depth, is answered without asking the backend; 0 turns
         * the index off. Default {@value MetaflowUiOptions#DEFAULT_INDEX_MAX_RUNS}. A backend that already
         * is an {@code IndexedBackend} is used as it is.
         */
        public Builder indexMaxRuns(int indexMaxRuns) {
            this.indexMaxRuns = indexMaxRuns;
            return this;
        }

        /** How often the index refreshes (new runs, unfinished runs). Default 5 s. */
        public Builder indexRefresh(java.time.Duration indexRefresh) {
            this.indexRefresh = Objects.requireNonNull(indexRefresh, "indexRefresh");
            return this;
        }

        /**
         * Hides the app bar (title, breadcrumbs, go-to box) and the footer on every page, for a host
         * console that shows the UI in its own frame. A single page can ask the same with
         * {@code ?embed=1}.
         */
        public Builder hideChrome(boolean hideChrome) {
            this.hideChrome = hideChrome;
            return this;
        }

        /**
         * Adds a link to every run page, e.g. {@code runLink("Dashboard",
         * "https://grafana.example.com/d/flows?var-run={flow}/{run}&from={start_ms}")}. See
         * {@link LinkTemplate} for the placeholders.
         *
         * @throws IllegalArgumentException for a blank label, a template that is not an http(s) URL or
         *                                  site path, or an unknown placeholder
         */
        public Builder runLink(String label, String template) {
            LinkTemplate t = new LinkTemplate(label, template);
            t.check(false);
            runLinks.add(t);
            return this;
        }

        /**
         * Adds a link to every task page, e.g. {@code taskLink("Pod",
         * "https://k8s.example.com/pods/{metadata.kubernetes-pod-name}")}. See {@link LinkTemplate}.
         *
         * @throws IllegalArgumentException as for {@link #runLink}
         */
        public Builder taskLink(String label, String template) {
            LinkTemplate t = new LinkTemplate(label, template);
            t.check(true);
            taskLinks.add(t);
            return this;
        }

        /** Adds a plugin that contributes links and panels to run and task pages. */
        public Builder plugin(MetaflowUiPlugin plugin) {
            plugins.add(Objects.requireNonNull(plugin, "plugin"));
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder accessPolicy(AccessPolicy accessPolicy) {
            this.accessPolicy = Objects.requireNonNull(accessPolicy, "accessPolicy");
            return this;
        }

        /**
         * The CSP {@code frame-ancestors} value, e.g. {@code 'self'}, {@code 'none'} or
         * {@code 'self' https://admin.example.com} for an admin console that embeds the UI.
         */
        public Builder frameAncestors(String frameAncestors) {
            this.frameAncestors = Objects.requireNonNull(frameAncestors, "frameAncestors");
            return this;
        }

        public Builder title(String title) {
            this.title = Objects.requireNonNull(title, "title");
            return this;
        }

        public Builder runsPageSize(int runsPageSize) {
            this.runsPageSize = runsPageSize;
            return this;
        }

        /**
         * @throws IllegalArgumentException for a blank title or frame-ancestors value, a
         *                                  frame-ancestors value with {@code ;}, {@code ,} or control
         *                                  characters, or a page size outside 1..1000
         */
        public MetaflowUiOptions build() {
            if (title.isBlank()) {
                throw new IllegalArgumentException("title must not be blank");
            }
            if (frameAncestors.isBlank()) {
                throw new IllegalArgumentException("frameAncestors must not be blank; use 'none' to forbid framing");
            }
            for (int i = 0; i < frameAncestors.length(); i++) {
                char c = frameAncestors.charAt(i);
                if (c == ';' || c == ',' || c < 0x20 || c == 0x7f) {
                    throw new IllegalArgumentException("frameAncestors must be a CSP source list without ';', ','"
                            + " or control characters, got '" + frameAncestors.replaceAll("\\p{Cntrl}", "?") + "'");
                }
            }
            if (maxLiveClients < 1) {
                throw new IllegalArgumentException("maxLiveClients must be >= 1, got " + maxLiveClients);
            }
            positive("poll interval (active)", activePollInterval);
            positive("poll interval (idle)", idlePollInterval);
            positive("heartbeatInterval", heartbeatInterval);
            positive("slowClientTimeout", slowClientTimeout);
            if (liveClientQueueBytes < 1024) {
                throw new IllegalArgumentException("liveClientQueueBytes must be >= 1024, got " + liveClientQueueBytes);
            }
            if (indexMaxRuns < 0) {
                throw new IllegalArgumentException("indexMaxRuns must be 0 (no index) or more, got " + indexMaxRuns);
            }
            if (indexRefresh.toMillis() < 10) {
                throw new IllegalArgumentException("indexRefresh must be at least 10 ms, got " + indexRefresh);
            }
            if (runsPageSize < 1 || runsPageSize > PageRequest.MAX_LIMIT) {
                throw new IllegalArgumentException("runsPageSize must be between 1 and " + PageRequest.MAX_LIMIT
                        + ", got " + runsPageSize);
            }
            return new MetaflowUiOptions(this);
        }

        private static void positive(String name, Duration d) {
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
        }
    }
}
