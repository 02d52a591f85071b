package io.github.metaflowui.core;

/**
 * The root of every exception this library throws. Unchecked. Split into
 * {@link NoAnswerException} (transport, timeout, circuit open), {@link ServiceException} (the
 * service answered with an error) and {@link DecodeException} (the answer could not be understood).
 */
public class MetaflowException extends RuntimeException {
    public MetaflowException(String message) {
        super(message);
    }

    public MetaflowException(String message, Throwable cause) {
        super(message, cause);
    }

    /** No usable answer: connection refused or reset, timeout, circuit breaker open, unreadable directory. */
    public static class NoAnswerException extends MetaflowException {
        public NoAnswerException(String message) {
            super(message);
        }

        public NoAnswerException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The service answered with an error status. */
    public static class ServiceException extends MetaflowException {
        private final int statusCode;
        private final String bodyExcerpt;

        public ServiceException(String message, int statusCode, String bodyExcerpt) {
            super(message);
            this.statusCode = statusCode;
            this.bodyExcerpt = bodyExcerpt == null ? "" : bodyExcerpt;
        }

        public int statusCode() {
            return statusCode;
        }

        /** A short excerpt of the error body, for diagnostics. */
        public String bodyExcerpt() {
            return bodyExcerpt;
        }
    }

    /** The answer (a response body, a file) could not be decoded. */
    public static class DecodeException extends MetaflowException {
        public DecodeException(String message) {
            super(message);
        }

        public DecodeException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
