package io.github.metaflowui.client.uibackend;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.metaflowui.client.http.testing.Recordings;
import io.github.metaflowui.core.Card;
import io.github.metaflowui.core.CardHtml;
import io.github.metaflowui.core.CardTooLargeException;
import io.github.metaflowui.core.TaskRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Cards through the UI backend: the real recorded (empty) card lists of the fixture, and, for a task
 * of it, a card list, HTML and realtime data in the service's shapes (contract §3.4) added with WireMock.
 */
class UiBackendCardsTest {
    static final TaskRef RECORDED = TaskRef.of("BranchJoinFlow", "3", "start", "10");
    static final TaskRef WITH_CARDS = TaskRef.of("LinearFlow", "1", "start", "1");
    static final String CARDS = "/api/flows/LinearFlow/runs/1/steps/start/tasks/1/cards";
    static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    static final String HTML = "<!DOCTYPE html><html><body><h1>Card</h1><script>console.log(1)</script></body></html>";

    static WireMockServer wm;
    static UiServiceBackend backend;

    @BeforeAll
    static void start() {
        wm = Recordings.serve("ui-backend");
        wm.stubFor(get(urlPathEqualTo(CARDS)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"data\": [{\"id\": null, \"hash\": \"" + SHA + "\", \"type\": \"default\"},"
                        + " {\"id\": \"summary\", \"hash\": \"abc123\", \"type\": \"blank\"},"
                        + " {\"id\": null, \"hash\": \"../etc\", \"type\": \"default\"}],"
                        + " \"status\": 200, \"links\": {}, \"pages\": {\"self\": 1, \"first\": 1, \"prev\": null, \"next\": null, \"last\": 1},"
                        + " \"query\": {}}")));
        wm.stubFor(get(urlPathEqualTo(CARDS + "/" + SHA)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody(HTML)));
        wm.stubFor(get(urlPathEqualTo(CARDS + "/abc123")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "text/plain").withBody("Card not found for task. Possibly still being processed.")));
        wm.stubFor(get(urlPathEqualTo(CARDS + "/" + SHA + "/data")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"data\": {\"reload_token\": \"r1\"}, \"id\": null, \"type\": \"default\"}")));
        wm.stubFor(get(urlPathEqualTo(CARDS + "/abc123/data")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json").withBody("{\"error\": \"Card data not found for task\"}")));
        backend = UiServiceBackend.builder().baseUri("http://localhost:" + wm.port() + "/api").build();
    }

    @AfterAll
    static void stop() {
        backend.close();
        wm.stop();
    }

    @Test
    void the_recorded_tasks_have_no_cards() {
        assertThat(backend.cards(RECORDED)).isEmpty();
        assertThat(backend.cards(TaskRef.of("BigForeachFlow", "12", "square", "267"))).isEmpty();
    }

    @Test
    void lists_cards_with_type_hash_and_id_leaving_out_unusable_hashes() {
        assertThat(backend.cards(WITH_CARDS)).containsExactly(
                Card.of("default", SHA, Optional.empty()),
                Card.of("blank", "abc123", Optional.of("summary")));
    }

    @Test
    void serves_the_html_of_a_card_and_nothing_for_one_still_rendering() {
        CardHtml html = backend.cardHtml(WITH_CARDS, SHA, 1 << 20).orElseThrow();
        assertThat(html.text()).isEqualTo(HTML);
        assertThat(html.card().type()).isEqualTo("default");
        assertThat(backend.cardHtml(WITH_CARDS, "abc123", 1 << 20)).isEmpty();
    }

    @Test
    void a_bad_hash_is_never_sent() {
        int before = wm.findAll(getRequestedFor(urlPathEqualTo(CARDS + "/..%2Fetc"))).size();
        assertThat(backend.cardHtml(WITH_CARDS, "../etc", 1000)).isEmpty();
        assertThat(backend.cardHtml(WITH_CARDS, "a/b", 1000)).isEmpty();
        assertThat(wm.getAllServeEvents()).noneMatch(e -> e.getRequest().getUrl().contains("etc")
                && e.getRequest().getUrl().contains("/cards/"));
        assertThat(before).isZero();
    }

    @Test
    void a_card_larger_than_allowed_is_refused() {
        assertThatThrownBy(() -> backend.cardHtml(WITH_CARDS, SHA, 10))
                .isInstanceOf(CardTooLargeException.class)
                .hasMessageContaining("card " + SHA + " of task LinearFlow/1/start/1");
    }

    @Test
    void realtime_data_is_proxied_and_absent_data_is_empty() {
        assertThat(backend.cardData(WITH_CARDS, SHA, 1000))
                .contains("{\"data\": {\"reload_token\": \"r1\"}, \"id\": null, \"type\": \"default\"}");
        assertThat(backend.cardData(WITH_CARDS, "abc123", 1000)).isEmpty();
    }
}
