package io.github.metaflowui.core;

/**
 * A card (or its realtime data) is larger than the caller allowed; nothing of it was returned. The
 * message names the card, its size when known, and the limit.
 */
public class CardTooLargeException extends MetaflowException {
    private final long size;
    private final long limit;

    /**
     * @param size  the size in bytes, or -1 when only "more than the limit" is known
     * @param limit the largest size allowed
     */
    public CardTooLargeException(String what, long size, long limit) {
        super(what + " is " + (size < 0 ? "larger than " + limit + " bytes" : size + " bytes")
                + ", more than the " + limit + " bytes allowed");
        this.size = size;
        this.limit = limit;
    }

    /** The size in bytes, or -1 when only "more than the limit" is known. */
    public long size() {
        return size;
    }

    public long limit() {
        return limit;
    }
}
