package io.github.metaflowui.servlet;

import io.github.metaflowui.core.index.IndexedBackend;
import io.github.metaflowui.core.spi.MetaflowBackend;
import io.github.metaflowui.core.watch.Watcher;
import io.github.metaflowui.servlet.internal.Api;
import io.github.metaflowui.servlet.internal.ApiProblem;
import io.github.metaflowui.servlet.internal.EventHub;
import io.github.metaflowui.servlet.internal.Extras;
import io.github.metaflowui.servlet.internal.IndexPage;
import io.github.metaflowui.servlet.internal.RequestPath;
import io.github.metaflowui.servlet.internal.Responses;
import io.github.metaflowui.servlet.internal.UiAssets;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The Metaflow UI and its JSON API as one servlet, for any {@link MetaflowBackend}. Register it
 * yourself, mapped as {@code <mount>/*} for any mount ({@code /*}, {@code /metaflow/*},
 * {@code /admin/metaflow/*}); nothing registers itself because the jar is on the classpath.
 *
 * <pre>{@code
 * ServletRegistration.Dynamic reg = servletContext.addServlet("metaflow",
 *         new MetaflowUiServlet(backend, MetaflowUiOptions.builder().title("Metaflow (prod)").build()));
 * reg.addMapping("/admin/metaflow/*");
 * }</pre>
 *
 * <p>Under the mount:
 * <ul>
 *   <li>{@code {mount}} redirects to {@code {mount}/};</li>
 *   <li>{@code {mount}/api/...}: the read-only JSON API, shaped like Metaflow's UI backend
 *       ({@code /api/runs}, {@code /api/flows/{flow}/runs/{run}/steps}, logs, artifacts, ...);</li>
 *   <li>{@code {mount}/static/<hash>/<file>}: the UI's files, cached for a year (the hash changes
 *       with their content);</li>
 *   <li>anything else: the UI page, never cached, under a strict Content-Security-Policy; with
 *       status 404 for paths that cannot be a page (more than {@code flow/run/step/task}, or a
 *       name with a dot at the root, like {@code favicon.ico}, that is not a flow).</li>
 * </ul>
 * Only GET and HEAD are served; every other method gets 405. Every request first passes the
 * {@link AccessPolicy} (default: loopback callers only). The servlet keeps no session, installs no
 * filter and touches nothing outside its mount. It never closes the backend: the host owns it.
 *
 * <p>Known limit: UI pages share the first path segment below the mount with the servlet's own
 * {@code api} and {@code static}, so the pages of a flow named {@code api} or {@code static}
 * ({@code {mount}/api/...}) cannot be shown; its data is still in the API
 * ({@code {mount}/api/flows/api/runs}).
 */
public class MetaflowUiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MetaflowUiServlet.class);

    private final transient MetaflowBackend backend;
    private final transient MetaflowUiOptions options;
    private final String assetRoot;
    private final String pageCsp;
    private transient volatile Api api;
    private transient volatile UiAssets assets;
    private transient volatile IndexPage indexPage;
    private transient volatile IndexedBackend index;
    private transient volatile EventHub events;
    private transient volatile Watcher ownWatcher;

    public MetaflowUiServlet(MetaflowBackend backend) {
        this(backend, MetaflowUiOptions.defaults());
    }

    public MetaflowUiServlet(MetaflowBackend backend, MetaflowUiOptions options) {
        this(backend, options, UiAssets.DEFAULT_ROOT);
    }

    /** For tests: the UI's files from another classpath directory. */
    MetaflowUiServlet(MetaflowBackend backend, MetaflowUiOptions options, String assetRoot) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.options = Objects.requireNonNull(options, "options");
        this.assetRoot = Objects.requireNonNull(assetRoot, "assetRoot");
        // frame-src 'self': a task's cards, each in a sandboxed iframe (served under their own sandbox CSP)
        this.pageCsp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                + "font-src 'self'; connect-src 'self'; frame-src 'self'; base-uri 'self'; form-action 'self'; "
                + "frame-ancestors "
                + options.frameAncestors();
    }

    /** Reads the UI's files and computes their hash, once. */
    @Override
    public void init() throws ServletException {
        ClassLoader loader = MetaflowUiServlet.class.getClassLoader();
        UiAssets loaded;
        try {
            loaded = UiAssets.load(loader, assetRoot);
        } catch (RuntimeException e) {
            throw new ServletException("cannot load the Metaflow UI assets from classpath:" + assetRoot, e);
        }
        Optional<UiAssets.Asset> page = loaded.index();
        if (page.isEmpty()) {
            LOG.warn("classpath:{}{} is missing: the Metaflow UI page is unavailable, the API still works",
                    assetRoot, UiAssets.INDEX);
        }
        this.indexPage = page.map(p -> new IndexPage(p.bytes(), loaded.hash(), options.title(), options.hideChrome()))
                .orElse(null);
        this.assets = loaded;
        MetaflowBackend served = backend;
        if (options.indexMaxRuns() > 0 && !(backend instanceof IndexedBackend)) {
            IndexedBackend idx = IndexedBackend.builder(backend).maxRuns(options.indexMaxRuns())
                    .refreshInterval(options.indexRefresh()).closeDelegate(false).build();
            this.index = idx;
            served = idx;
        }
        this.api = new Api(served, options.clock(), options.title(), options.runsPageSize(),
                new Extras(options.runLinks(), options.taskLinks(), options.plugins()), options.frameAncestors());
        if (options.liveUpdates()) {
            Watcher watcher = options.watcher().orElse(null);
            if (watcher == null) {
                watcher = Watcher.builder(served)
                        .activeInterval(options.activePollInterval())
                        .idleInterval(options.idlePollInterval())
                        .threadNamePrefix("metaflow-ui-watch")
                        .build();
                this.ownWatcher = watcher;
            }
            this.events = new EventHub(watcher, java.time.Clock.systemUTC(), new EventHub.Settings(
                    options.maxLiveClients(), options.heartbeatInterval(), options.liveClientQueueBytes(), 256,
                    8L * 1024 * 1024, options.slowClientTimeout(), java.time.Duration.ofMinutes(1),
                    java.time.Duration.ofSeconds(3), options.runsPageSize()));
        }
        LOG.info("Metaflow UI over {}: {} asset(s), hash {}", backend.describe(), loaded.paths().size(),
                loaded.hash());
    }

    /**
     * Ends every live-update stream and stops the servlet's threads and its own run index. The backend
     * stays open (the host owns it).
     */
    @Override
    public void destroy() {
        EventHub hub = events;
        if (hub != null) {
            hub.close();
        }
        Watcher watcher = ownWatcher;
        if (watcher != null) {
            watcher.close();
        }
        events = null;
        ownWatcher = null;
        IndexedBackend idx = index;
        index = null;
        if (idx != null) {
            idx.close();
        }
    }

    /**
     * Ends every open live-update stream cleanly (browsers reconnect by themselves), for hosts that
     * stop the container: call it before stopping, so that open streams end with a proper last chunk
     * rather than a cut connection. The servlet keeps working.
     */
    public void endLiveStreams() {
        EventHub hub = events;
        if (hub != null) {
            hub.endStreams(java.time.Duration.ofSeconds(1));
        }
    }

    /** Live-update numbers (open streams, shared resources, the last event id), for monitoring and tests. */
    public Optional<EventHub.Stats> liveStats() {
        EventHub hub = events;
        return hub == null ? Optional.empty() : Optional.of(hub.stats());
    }

    /** The servlet's own run index, when it made one (see {@link MetaflowUiOptions#indexMaxRuns()}). */
    public java.util.Optional<IndexedBackend> index() {
        return java.util.Optional.ofNullable(index);
    }

    /** The options this servlet was built with. */
    public MetaflowUiOptions options() {
        return options;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String method = req.getMethod();
        boolean head = "HEAD".equals(method);
        RequestPath path;
        try {
            path = RequestPath.of(req);
        } catch (IllegalArgumentException e) {
            if (!allowed(req)) {
                Responses.text(resp, 403, "403 Forbidden", head);
                return;
            }
            Responses.problem(resp, 400, "Bad Request", e.getMessage(), head);
            return;
        }
        boolean isApi = !path.segments().isEmpty() && path.segments().get(0).equals("api");
        if (!allowed(req)) {
            Optional<String> reason = denialReason(req);
            if (isApi) {
                Responses.problem(resp, 403, "Forbidden",
                        reason.orElse("access to the Metaflow API is not allowed for this request"), head);
            } else {
                Responses.text(resp, 403, "403 Forbidden: "
                        + reason.orElse("access to the Metaflow UI is not allowed for this request"), head);
            }
            return;
        }
        if (!head && !"GET".equals(method)) {
            resp.setHeader("Allow", "GET, HEAD");
            Responses.problem(resp, 405, "Method Not Allowed", "method " + sanitize(method)
                    + " is not allowed; this interface is read-only (GET, HEAD)", head);
            return;
        }
        if (path.atMount()) {
            String q = req.getQueryString();
            // setStatus + Location rather than sendRedirect(String, int), which is Servlet 6.1 only
            resp.setStatus(302);
            resp.setHeader("Location", path.base() + (q == null || q.isEmpty() ? "" : "?" + q));
            resp.setHeader("Cache-Control", "no-store");
            return;
        }
        List<String> s = path.segments();
        if (isApi && s.size() >= 2 && s.get(1).equals("events")) {
            serveEvents(req, resp, s, head);
        } else if (isApi) {
            api.handle(req, resp, s.subList(1, s.size()), head);
        } else if (!s.isEmpty() && s.get(0).equals("static")) {
            serveAsset(resp, s, head);
        } else {
            servePage(resp, path, head);
        }
    }

    private void serveEvents(HttpServletRequest req, HttpServletResponse resp, List<String> s, boolean head)
            throws IOException {
        EventHub hub = events;
        if (hub == null) {
            Responses.problem(resp, 404, "Not Found", "live updates are turned off for this UI; reload pages to see"
                    + " new data", head);
            return;
        }
        try {
            if (s.size() == 2) {
                hub.stream(req, resp, head);
            } else if (s.size() == 3 && s.get(2).equals("poll")) {
                Responses.json(resp, 200, head ? new byte[0] : hub.poll(req), head);
            } else {
                Responses.problem(resp, 404, "Not Found", "no API resource at 'api/" + String.join("/", s.subList(1,
                        s.size())) + "'; live updates are at api/events and api/events/poll", head);
            }
        } catch (ApiProblem p) {
            Responses.problem(resp, p.status(), p.title(), p.detail(), head);
        } catch (RuntimeException e) {
            LOG.error("Unexpected error in live updates for {}", req.getRequestURI(), e);
            if (!resp.isCommitted()) {
                resp.reset();
                Responses.problem(resp, 500, "Internal Server Error", "unexpected error in live updates; see the"
                        + " server log", head);
            }
        }
    }

    private boolean allowed(HttpServletRequest req) {
        try {
            return options.accessPolicy().allows(req);
        } catch (RuntimeException e) {
            LOG.error("Access policy failed; denying the request", e);
            return false;
        }
    }

    private Optional<String> denialReason(HttpServletRequest req) {
        try {
            return options.accessPolicy().denialReason(req);
        } catch (RuntimeException e) {
            LOG.error("Access policy failed to say why it denied a request", e);
            return Optional.empty();
        }
    }

    private void serveAsset(HttpServletResponse resp, List<String> s, boolean head) throws IOException {
        UiAssets a = assets;
        if (s.size() < 3 || !s.get(1).equals(a.hash())) {
            Responses.problem(resp, 404, "Not Found", s.size() >= 3
                    ? "no such asset version '" + s.get(1) + "'; reload the page" : "no such asset", head);
            return;
        }
        for (String segment : s.subList(2, s.size())) {
            if (segment.indexOf('/') >= 0 || segment.indexOf('\\') >= 0 || segment.chars().anyMatch(c -> c < 0x20)) {
                Responses.problem(resp, 400, "Bad Request",
                        "an asset path segment must not contain '/', '\\' or control characters", head);
                return;
            }
        }
        String file = String.join("/", s.subList(2, s.size()));
        Optional<UiAssets.Asset> asset = file.equals(UiAssets.INDEX) ? Optional.empty() : a.get(file);
        if (asset.isEmpty()) {
            Responses.problem(resp, 404, "Not Found", "no such asset '" + file + "'", head);
            return;
        }
        resp.setHeader("Cache-Control", "public, max-age=31536000, immutable");
        Responses.send(resp, 200, asset.get().contentType(), asset.get().bytes(), head);
    }

    private void servePage(HttpServletResponse resp, RequestPath path, boolean head) throws IOException {
        IndexPage page = indexPage;
        if (page == null) {
            Responses.text(resp, 500, "The Metaflow UI files are missing from the classpath ("
                    + UiAssets.INDEX + "); the API under " + path.base() + "api/ still works.", head);
            return;
        }
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("Content-Security-Policy", pageCsp);
        resp.setHeader("Referrer-Policy", "same-origin");
        Responses.send(resp, canBePage(path.segments()) ? 200 : 404, "text/html; charset=utf-8",
                page.render(path.base()), head);
    }

    /**
     * Whether a UI path can be a page: at most four segments (flow, run, step, task), and a first
     * segment with a dot ({@code favicon.ico}, {@code robots.txt}) only when a flow of that name
     * exists (Metaflow's flow names are Python class names, so never). Other paths still get the
     * page, which shows its "not found" view, but with status 404.
     */
    private boolean canBePage(List<String> segments) {
        if (segments.size() > 4) {
            return false;
        }
        if (segments.isEmpty() || segments.get(0).indexOf('.') < 0) {
            return true;
        }
        try {
            return backend.flow(segments.get(0)).isPresent();
        } catch (RuntimeException e) {
            return false; // not known to be a flow; the page says what the API says
        }
    }

    private static String sanitize(String method) {
        String m = method == null ? "" : method.replaceAll("[^A-Za-z0-9_-]", "?");
        return m.length() > 20 ? m.substring(0, 20) : m;
    }
}
