package io.github.metaflowui.client.http;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.github.metaflowui.client.service.MetadataServiceBackend;
import io.github.metaflowui.client.uibackend.UiServiceBackend;
import io.github.metaflowui.core.MetaflowClient;
import io.github.metaflowui.core.MetaflowException.DecodeException;
import io.github.metaflowui.core.MetaflowException.NoAnswerException;
import io.github.metaflowui.core.MetaflowException.ServiceException;
import io.github.metaflowui.core.PageRequest;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Iterator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** How the HTTP backends behave when the service or the network misbehaves. */
class TransportFaultsTest {
    static WireMockServer wm;

    /** Two retries after the first attempt, short delays, a one-second attempt timeout. */
    static final HttpOptions FAST = HttpOptions.builder()
            .maxRetries(2)
            .retryDelay(Duration.ofMillis(10), Duration.ofMillis(40))
            .attemptTimeout(Duration.ofSeconds(1))
            .responseTimeout(Duration.ofSeconds(3))
            .connectTimeout(Duration.ofSeconds(1))
            .circuitBreaker(50, Duration.ofSeconds(30))
            .build();

    MetadataServiceBackend backend;

    @BeforeAll
    static void start() {
        wm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        wm.start();
    }

    @AfterAll
    static void stop() {
        wm.stop();
    }

    @BeforeEach
    void reset() {
        wm.resetAll();
        backend = service(FAST);
    }

    @org.junit.jupiter.api.AfterEach
    void close() {
        backend.close();
    }

    static MetadataServiceBackend service(HttpOptions options) {
        return MetadataServiceBackend.builder().baseUri("http://localhost:" + wm.port()).httpOptions(options).build();
    }

    static String base() {
        return "http://localhost:" + wm.port() + "/";
    }

    static int requests(String url) {
        return wm.countRequestsMatching(getRequestedFor(urlEqualTo(url)).build()).getCount();
    }

    @Test
    void connection_reset_is_retried_then_reported_as_no_answer() {
        wm.stubFor(get("/flows").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        assertThatThrownBy(() -> backend.listFlows(PageRequest.first(10)))
                .isInstanceOf(NoAnswerException.class)
                .hasMessage("no answer from the metadata service at " + base() + " for GET /flows: connection reset (3 attempts)");
        assertThat(requests("/flows")).isEqualTo(3);
    }

    @Test
    void empty_reply_is_retried_then_reported_as_no_answer() {
        wm.stubFor(get("/flows").willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));
        assertThatThrownBy(() -> backend.listFlows(PageRequest.first(10)))
                .isInstanceOf(NoAnswerException.class)
                .hasMessage("no answer from the metadata service at " + base()
                        + " for GET /flows: the server closed the connection without answering (3 attempts)");
        assertThat(requests("/flows")).isEqualTo(3);
    }

    @Test
    void service_unavailable_then_ok_is_retried_once() {
        wm.stubFor(get("/flows").inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withBody("busy")).willSetStateTo("up"));
        wm.stubFor(get("/flows").inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withBody("[{\"flow_id\": \"HelloFlow\", \"ts_epoch\": 1}]")));
        assertThat(backend.listFlows(PageRequest.first(10)).items()).extracting(f -> f.name()).containsExactly("HelloFlow");
        assertThat(requests("/flows")).isEqualTo(2);
    }

    @Test
    void not_found_is_not_retried() {
        wm.stubFor(get("/flows/Gone").willReturn(aResponse().withStatus(404).withBody("{}")));
        assertThat(backend.flow("Gone")).isEmpty();
        assertThat(requests("/flows/Gone")).isEqualTo(1);

        wm.stubFor(get("/flows").willReturn(aResponse().withStatus(404).withBody("404: Not Found")));
        assertThatThrownBy(() -> backend.listFlows(PageRequest.first(10)))
                .isInstanceOf(ServiceException.class)
                .hasMessage("the metadata service at " + base() + " answered 404 Not Found to GET /flows: 404: Not Found"
                        + " (no such endpoint: is " + base() + " the metadata service?)")
                .satisfies(e -> assertThat(((ServiceException) e).statusCode()).isEqualTo(404));
        assertThat(requests("/flows")).isEqualTo(1);
    }

    @Test
    void a_body_slower_than_the_attempt_timeout_is_abandoned() {
        wm.stubFor(get("/flows").willReturn(aResponse().withStatus(200)
                .withBody("[{\"flow_id\": \"SlowFlow\", \"ts_epoch\": 1}]                                        ")
                .withChunkedDribbleDelay(10, 4000)));
        try (MetadataServiceBackend once = service(FAST.toBuilder().maxRetries(0).build())) {
            // the message proves the attempt timeout ended it; the bound only stops a hang (the body takes 4 s)
            assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                    assertThatThrownBy(() -> once.listFlows(PageRequest.first(10)))
                            .isInstanceOf(NoAnswerException.class)
                            .hasMessage("no answer from the metadata service at " + base()
                                    + " for GET /flows: no complete answer within 1 s (per-attempt timeout)"));
        }
    }

    @Test
    void truncated_json_is_a_decode_error_and_not_retried() {
        wm.stubFor(get("/flows").willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/plain")
                .withBody("[{\"flow_id\": \"A\", \"ts_epoch\": 1}, {\"flow_id\": \"B\", \"ts_ep")));
        assertThatThrownBy(() -> backend.listFlows(PageRequest.first(10)))
                .isInstanceOf(DecodeException.class)
                .hasMessageStartingWith("could not decode the answer of the metadata service at " + base() + " to GET /flows: ")
                .hasMessageContaining("(truncated answer?)");
        assertThat(requests("/flows")).isEqualTo(1);
    }

    @Test
    void html_error_page_of_a_gateway_becomes_a_short_clear_error() {
        wm.stubFor(get("/flows").willReturn(aResponse().withStatus(502).withHeader("Content-Type", "text/html")
                .withBody("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway"
                        + "</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n")));
        assertThatThrownBy(() -> backend.listFlows(PageRequest.first(10)))
                .isInstanceOf(ServiceException.class)
                .hasMessage("the metadata service at " + base() + " answered 502 Bad Gateway to GET /flows: an HTML page,"
                        + " likely from a proxy or gateway: \"502 Bad Gateway\" (after 3 attempts)")
                .satisfies(e -> assertThat(((ServiceException) e).bodyExcerpt()).startsWith("<html>"));
        assertThat(requests("/flows")).isEqualTo(3);
    }

    @Test
    void double_encoded_error_strings_are_understood() {
        wm.stubFor(get("/flows").willReturn(aResponse().withStatus(500).withHeader("Content-Type", "text/plain")
                .withBody("\"{\\\"err_msg\\\": {\\\"pgerror\\\": \\\"ERROR:  canceling statement due to statement timeout\\\\n\\\","
                        + " \\\"pgcode\\\": \\\"57014\\\", \\\"diag\\\": {\\\"message_primary\\\": \\\"canceling statement due to"
                        + " statement timeout\\\", \\\"severity\\\": \\\"ERROR\\\"}}}\"")));
        assertThatThrownBy(() -> backend.listFlows(PageRequest.first(10)))
                .isInstanceOf(ServiceException.class)
                .hasMessage("the metadata service at " + base()
                        + " answered 500 Server Error to GET /flows: canceling statement due to statement timeout");
        assertThat(requests("/flows")).isEqualTo(1);

        wm.stubFor(get("/flows/X").willReturn(aResponse().withStatus(400).withBody("\"Invalid cursor\"")));
        assertThatThrownBy(() -> backend.flow("X"))
                .isInstanceOf(ServiceException.class)
                .hasMessageEndingWith("answered 400 Bad Request to GET /flows/X: Invalid cursor");
    }

    @Test
    void ui_backend_database_errors_in_the_envelope_are_understood() {
        wm.stubFor(get("/api/flows/F/runs/1").willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"data\": \"{\\\"err_msg\\\": {\\\"type\\\": \\\"timeout error\\\"}}\", \"status\": 500,"
                        + " \"links\": {}, \"query\": {}}")));
        try (UiServiceBackend ui = UiServiceBackend.builder().baseUri(base() + "api").httpOptions(FAST).build()) {
            assertThatThrownBy(() -> ui.run(RunRef.of("F", "1")))
                    .isInstanceOf(ServiceException.class)
                    .hasMessage("the UI backend at " + base() + "api/ answered 500 Server Error to GET /flows/F/runs/1:"
                            + " timeout error");
        }
    }

    @Test
    void circuit_breaker_opens_after_repeated_failures_and_closes_when_the_service_recovers() throws InterruptedException {
        HttpOptions breaker = FAST.toBuilder().maxRetries(0).circuitBreaker(2, Duration.ofMillis(600)).build();
        wm.stubFor(get("/flows").willReturn(aResponse().withStatus(503).withBody("down")));
        try (MetadataServiceBackend b = service(breaker)) {
            assertThatThrownBy(() -> b.listFlows(PageRequest.first(10))).isInstanceOf(ServiceException.class);
            assertThatThrownBy(() -> b.listFlows(PageRequest.first(10))).isInstanceOf(ServiceException.class);
            assertThatThrownBy(() -> b.listFlows(PageRequest.first(10)))
                    .isInstanceOf(NoAnswerException.class)
                    .hasMessage("no answer from the metadata service at " + base()
                            + " for GET /flows: circuit breaker open after repeated failures; calls resume in 1 s");
            assertThat(requests("/flows")).isEqualTo(2); // the open breaker did not call the service

            wm.stubFor(get("/flows").willReturn(aResponse().withStatus(200).withBody("[]")));
            Thread.sleep(700); // let the breaker's open period pass
            assertThat(b.listFlows(PageRequest.first(10)).items()).isEmpty();
            assertThat(b.listFlows(PageRequest.first(10)).items()).isEmpty();
            assertThat(requests("/flows")).isEqualTo(4);
        }
    }

    @Test
    void a_paged_list_whose_second_page_fails_yields_the_first_then_throws() {
        String row = "{\"flow_id\": \"F\", \"run_number\": %d, \"user_name\": \"alice\", \"ts_epoch\": %d, \"tags\": [],"
                + " \"system_tags\": [], \"last_heartbeat_ts\": null, \"status\": \"completed\"}";
        wm.stubFor(get("/flows/F/runs?_limit=2").willReturn(aResponse().withStatus(200).withHeader("X-Limit", "2")
                .withHeader("X-Next-Cursor", "page-2").withBody("[" + String.format(row, 4, 4000) + ","
                        + String.format(row, 3, 3000) + "]")));
        wm.stubFor(get("/flows/F/runs?_limit=2&_cursor=page-2").willReturn(aResponse().withStatus(503).withBody("busy")));
        Iterator<Run> it = MetaflowClient.of(backend, 2).runs(RunQuery.ofFlow("F")).iterator();
        assertThat(it.next().id().value()).isEqualTo("4");
        assertThat(it.next().id().value()).isEqualTo("3");
        assertThatThrownBy(it::hasNext)
                .isInstanceOf(ServiceException.class)
                .hasMessage("the metadata service at " + base()
                        + " answered 503 Service Unavailable to GET /flows/F/runs?_limit=2&_cursor=page-2: busy (after 3 attempts)");
    }

    @Test
    void retry_after_is_honoured_instead_of_the_backoff() {
        wm.stubFor(get("/flows").inScenario("limited").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "0").withBody("slow down"))
                .willSetStateTo("ok"));
        wm.stubFor(get("/flows").inScenario("limited").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200).withBody("[]")));
        HttpOptions slowBackoff = FAST.toBuilder().retryDelay(Duration.ofSeconds(20), Duration.ofSeconds(20)).build();
        try (MetadataServiceBackend b = service(slowBackoff)) {
            // below the 20 s backoff: Retry-After: 0 was honoured (generous for a loaded machine)
            assertTimeoutPreemptively(Duration.ofSeconds(15), () -> assertThat(b.listFlows(PageRequest.first(5)).items()).isEmpty());
        }
        assertThat(requests("/flows")).isEqualTo(2);
    }

    @Test
    void connection_refused_is_no_answer() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (MetadataServiceBackend b = MetadataServiceBackend.builder().baseUri("http://localhost:" + port)
                .httpOptions(FAST.toBuilder().maxRetries(1).build()).build()) {
            assertThatThrownBy(() -> b.flow("Any"))
                    .isInstanceOf(NoAnswerException.class)
                    .hasMessage("no answer from the metadata service at http://localhost:" + port
                            + "/ for GET /flows/Any: connection refused (2 attempts)");
        }
    }

    @Test
    void secrets_are_sent_but_never_shown() {
        wm.stubFor(get("/flows").willReturn(aResponse().withStatus(503).withBody("nope")));
        try (MetadataServiceBackend b = MetadataServiceBackend.builder().baseUri(base()).apiKey("s3cr3t-key")
                .header("Authorization", "Bearer t0ken-value").httpOptions(FAST.toBuilder().maxRetries(0).build()).build()) {
            assertThatThrownBy(() -> b.listFlows(PageRequest.first(1)))
                    .isInstanceOf(ServiceException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t").doesNotContain("t0ken"));
            assertThat(b.toString()).doesNotContain("s3cr3t").doesNotContain("t0ken");
            assertThat(b.describe()).doesNotContain("s3cr3t");
        }
        wm.verify(getRequestedFor(urlPathEqualTo("/flows")).withHeader("x-api-key", equalTo("s3cr3t-key"))
                .withHeader("Authorization", equalTo("Bearer t0ken-value")));
    }

    @Test
    void an_html_page_with_status_200_is_not_taken_for_json() {
        wm.stubFor(get("/flows").willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/html")
                .withBody("\n  <!DOCTYPE html><html><head><title>Sign in - Example SSO</title></head><body>...</body></html>")));
        assertThatThrownBy(() -> backend.listFlows(PageRequest.first(10)))
                .isInstanceOf(DecodeException.class)
                .hasMessage("could not decode the answer of the metadata service at " + base() + " to GET /flows: expected"
                        + " JSON but got an HTML page, likely from a proxy or gateway: \"Sign in - Example SSO\" (is " + base()
                        + " the metadata service, or is a login page or proxy in the way?)");
        assertThat(requests("/flows")).isEqualTo(1);
    }
}
