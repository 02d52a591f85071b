package io.github.metaflowui.client.http.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.matching.MatchResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/**
 * Serves the real recorded responses of the shared fixtures with WireMock. Stubs are built from each
 * recording's {@code requests.tsv} (method, path_and_query, status, file, content_type[, x_limit,
 * x_next_cursor]): the path must match exactly and the query must hold exactly the recorded parameters
 * (compared decoded, in any order). Anything the recording lacks gets WireMock's plain-text 404, which
 * the backends report as an error, so a test notices.
 */
public final class Recordings {
    private Recordings() {
    }

    /** {@code <metaflow.shared.dir>/fixtures/metaflow}, or a clear failure when the property is missing. */
    public static Path fixtures() {
        String dir = System.getProperty("metaflow.shared.dir");
        if (dir == null || dir.isBlank()) {
            throw new IllegalStateException("system property metaflow.shared.dir is not set: run the tests with Maven "
                    + "(surefire passes ${maven.multiModuleProjectDirectory}/../shared) or pass -Dmetaflow.shared.dir=<shared dir>");
        }
        Path p = Path.of(dir, "fixtures", "metaflow");
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("the shared fixtures are missing: " + p + " is not a directory");
        }
        return p;
    }

    /** A started WireMock server with the stubs of one recording directory (e.g. {@code service}). */
    public static WireMockServer serve(String recording) {
        WireMockServer wm = new WireMockServer(WireMockConfiguration.options().dynamicPort().containerThreads(16)
                .jettyAcceptors(1).asynchronousResponseEnabled(false));
        wm.start();
        stub(wm, fixtures().resolve(recording));
        return wm;
    }

    /** Adds the stubs of one recording directory. */
    public static void stub(WireMockServer wm, Path dir) {
        List<String> lines;
        try {
            lines = Files.readAllLines(dir.resolve("requests.tsv"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (!f[0].equals("GET")) {
                continue;
            }
            String pathAndQuery = f[1];
            int q = pathAndQuery.indexOf('?');
            String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
            Map<String, List<String>> expected = params(q < 0 ? "" : pathAndQuery.substring(q + 1));
            byte[] body;
            try {
                body = Files.readAllBytes(dir.resolve(f[3]));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ResponseDefinitionBuilder response = aResponse().withStatus(Integer.parseInt(f[2])).withBody(body);
            if (!f[4].isEmpty()) {
                response = response.withHeader("Content-Type", f[4]);
            }
            if (f.length > 5 && !f[5].isEmpty()) {
                response = response.withHeader("X-Limit", f[5]);
            }
            if (f.length > 6 && !f[6].isEmpty()) {
                response = response.withHeader("X-Next-Cursor", f[6]);
            }
            wm.stubFor(get(urlPathEqualTo(path))
                    .andMatching((Request r) -> MatchResult.of(params(query(r.getUrl())).equals(expected)))
                    .willReturn(response));
        }
    }

    private static String query(String url) {
        int q = url.indexOf('?');
        return q < 0 ? "" : url.substring(q + 1);
    }

    /** The decoded parameters of a query string, values in order per name, names sorted. */
    public static Map<String, List<String>> params(String query) {
        Map<String, List<String>> out = new TreeMap<>();
        if (query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
