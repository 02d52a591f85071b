package io.github.metaflowui.core;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * A Metaflow card ({@code @card}) of a task: an HTML report rendered when the task ran. The
 * {@code hash} identifies it among the task's cards (Metaflow names the file
 * {@code <type>-<hash>.html} or {@code <type>-<id>-<hash>.html}; the hash is a SHA-1 of the HTML in
 * older versions and the card's UUID in newer ones).
 *
 * @param type       the card type, e.g. {@code default}, {@code blank}, {@code error}
 * @param hash       the card's identifier within its task, letters and digits only
 * @param id         the {@code id} given to {@code @card(id=...)}, when one was
 * @param size       the size of the HTML in bytes, when the backend knows it without reading it
 * @param modifiedAt when the card was last written, when known
 */
public record Card(String type, String hash, Optional<String> id, OptionalLong size, Optional<Instant> modifiedAt) {
    private static final Pattern HASH = Pattern.compile("[A-Za-z0-9]{1,128}");

    public Card {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(size, "size");
        Objects.requireNonNull(modifiedAt, "modifiedAt");
        if (!isValidHash(hash)) {
            throw new IllegalArgumentException("a card hash is 1 to 128 letters or digits, got '" + hash + "'");
        }
    }

    /** A card known only by type, hash and optional id (as the UI backend lists them). */
    public static Card of(String type, String hash, Optional<String> id) {
        return new Card(type, hash, id, OptionalLong.empty(), Optional.empty());
    }

    /**
     * Whether {@code hash} can be a card hash: 1 to 128 ASCII letters or digits. Anything else (a
     * path, a dot, a separator) names no card, whatever the backend.
     */
    public static boolean isValidHash(String hash) {
        return hash != null && HASH.matcher(hash).matches();
    }
}
