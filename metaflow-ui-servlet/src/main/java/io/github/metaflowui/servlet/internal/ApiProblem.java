package io.github.metaflowui.servlet.internal;

/**
 * A request the API answers with an RFC 9457 problem: 4xx for what the caller got wrong. The
 * detail is shown to the caller, so it names the parameter and value but never internals.
 */
public final class ApiProblem extends RuntimeException {
    private final int status;
    private final String title;

    public ApiProblem(int status, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
    }

    public static ApiProblem badRequest(String detail) {
        return new ApiProblem(400, "Bad Request", detail);
    }

    public static ApiProblem notFound(String detail) {
        return new ApiProblem(404, "Not Found", detail);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }
}
