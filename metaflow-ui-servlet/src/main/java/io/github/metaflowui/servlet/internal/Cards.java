package io.github.metaflowui.servlet.internal;

import io.github.metaflowui.core.Card;
import io.github.metaflowui.core.CardHtml;
import io.github.metaflowui.core.CardTooLargeException;
import io.github.metaflowui.core.TaskRef;
import io.github.metaflowui.core.spi.MetaflowBackend;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A task's cards under {@code …/tasks/{task}/cards}: the list (JSON), one card's HTML
 * ({@code cards/{hash}}, {@code ?download=1} for an attachment) and its realtime data
 * ({@code cards/{hash}/data}).
 *
 * <h2>Isolation</h2> A card is arbitrary HTML and script written by the flow. It is served as its own
 * document under {@link #cardCsp}: {@code sandbox allow-scripts} gives it an opaque origin, so its
 * scripts run but cannot read this origin's cookies or storage, reach into the UI page that frames
 * it, or call the API with the user's credentials; {@code connect-src 'none'} stops requests from it
 * altogether, and nothing is loaded from elsewhere (cards are self-contained: Metaflow inlines
 * their scripts, styles and images). {@code nosniff} and an explicit {@code text/html; charset=utf-8}
 * stop any reinterpretation. The UI shows a card only in an {@code <iframe sandbox="allow-scripts">};
 * opened directly (new tab), the same CSP sandbox applies.
 */
public final class Cards {
    /** The largest card served (bytes); larger ones get a 413 that says so. */
    public static final long MAX_HTML_BYTES = 32L * 1024 * 1024;
    /** The largest realtime data served (bytes). */
    public static final long MAX_DATA_BYTES = 4L * 1024 * 1024;

    private final MetaflowBackend backend;
    private final String cardCsp;

    /**
     * @param frameAncestors the UI page's own {@code frame-ancestors} sources: a card is framed by the
     *                       UI page, which may itself be framed by them
     */
    public Cards(MetaflowBackend backend, String frameAncestors) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.cardCsp = cardCsp(frameAncestors);
    }

    /** The Content-Security-Policy of a card document. */
    static String cardCsp(String frameAncestors) {
        String fa = frameAncestors == null ? "" : frameAncestors.trim();
        String ancestors = fa.isEmpty() || fa.toLowerCase(Locale.ROOT).contains("'none'") ? "'self'"
                : fa.contains("'self'") ? fa : "'self' " + fa;
        return "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval' data: blob:; "
                + "style-src 'unsafe-inline' data: blob:; img-src data: blob:; font-src data:; media-src data: blob:; "
                + "connect-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors " + ancestors;
    }

    public String csp() {
        return cardCsp;
    }

    /** The list: {@code id} (or null), {@code hash}, {@code type}, {@code size} and {@code modified_at} when known. */
    public List<Card> list(TaskRef task) {
        return backend.cards(task);
    }

    public static void write(com.fasterxml.jackson.core.JsonGenerator g, Card c) throws IOException {
        g.writeStartObject();
        if (c.id().isPresent()) {
            g.writeStringField("id", c.id().get());
        } else {
            g.writeNullField("id");
        }
        g.writeStringField("hash", c.hash());
        g.writeStringField("type", c.type());
        if (c.size().isPresent()) {
            g.writeNumberField("size", c.size().getAsLong());
        } else {
            g.writeNullField("size");
        }
        if (c.modifiedAt().isPresent()) {
            g.writeNumberField("modified_at", c.modifiedAt().get().toEpochMilli());
        } else {
            g.writeNullField("modified_at");
        }
        g.writeEndObject();
    }

    /** The hash of a request path, or a 400 naming the rule: it is never used as a path here or below. */
    public static String requireHash(String hash) {
        if (!Card.isValidHash(hash)) {
            throw ApiProblem.badRequest("a card hash is 1 to 128 letters or digits, got '"
                    + Bounded.text(hash.replaceAll("\\p{Cntrl}", "?"), 80) + "'");
        }
        return hash;
    }

    /** Sends the card's HTML as an isolated document (see the class comment). */
    public void html(TaskRef task, String hash, boolean download, HttpServletResponse resp, boolean head)
            throws IOException {
        CardHtml card;
        try {
            card = backend.cardHtml(task, requireHash(hash), MAX_HTML_BYTES).orElseThrow(() -> ApiProblem.notFound(
                    "task '" + task + "' has no card '" + hash + "' (cards appear once their task has rendered them)"));
        } catch (CardTooLargeException e) {
            throw new ApiProblem(413, "Card Too Large", e.getMessage() + "; this UI serves cards up to "
                    + MAX_HTML_BYTES / (1024 * 1024) + " MiB");
        }
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("Content-Security-Policy", cardCsp);
        resp.setHeader("Referrer-Policy", "no-referrer");
        resp.setHeader("Content-Disposition", (download ? "attachment" : "inline") + "; filename=\""
                + fileName(task, card.card()) + "\"");
        Responses.send(resp, 200, "text/html; charset=utf-8", card.html(), head);
    }

    /** The realtime data as the UI backend shapes it ({@code {"data", "id", "type"}} when the source does). */
    public byte[] data(TaskRef task, String hash) {
        Optional<String> json;
        try {
            json = backend.cardData(task, requireHash(hash), MAX_DATA_BYTES);
        } catch (CardTooLargeException e) {
            throw new ApiProblem(413, "Card Data Too Large", e.getMessage());
        }
        return json.orElseThrow(() -> ApiProblem.notFound("card '" + hash + "' of task '" + task
                + "' has no realtime data")).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code card_<flow>_<run>_<step>_<task>_<type>-<hash>.html}, anything unusual replaced. */
    static String fileName(TaskRef task, Card card) {
        String raw = "card_" + task.run().flow() + "_" + task.run().run().value() + "_" + task.step().step() + "_"
                + task.task().value() + "_" + card.type() + "-" + card.hash();
        StringBuilder out = new StringBuilder(raw.length() + 5);
        for (int i = 0; i < raw.length() && out.length() < 200; i++) {
            char ch = raw.charAt(i);
            boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || ch == '-' || ch == '_';
            out.append(ok ? ch : '_');
        }
        return out.append(".html").toString();
    }
}
