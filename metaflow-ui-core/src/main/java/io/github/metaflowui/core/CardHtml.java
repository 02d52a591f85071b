package io.github.metaflowui.core;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The HTML of one card, read whole (bounded by the size the caller allowed; see
 * {@link io.github.metaflowui.core.spi.MetaflowBackend#cardHtml}). The bytes are the card as
 * Metaflow wrote it (UTF-8); they are untrusted: a card is arbitrary HTML and script written by the
 * flow, to be shown only in an isolated (sandboxed) document, never inserted into another page.
 */
public record CardHtml(Card card, byte[] html) {
    public CardHtml {
        Objects.requireNonNull(card, "card");
        Objects.requireNonNull(html, "html");
    }

    /** The HTML as text (UTF-8). */
    public String text() {
        return new String(html, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CardHtml c && c.card.equals(card) && java.util.Arrays.equals(c.html, html);
    }

    @Override
    public int hashCode() {
        return 31 * card.hashCode() + java.util.Arrays.hashCode(html);
    }

    @Override
    public String toString() {
        return "CardHtml[" + card + ", " + html.length + " bytes]";
    }
}
