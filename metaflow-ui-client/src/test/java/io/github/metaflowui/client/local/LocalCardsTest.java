package io.github.metaflowui.client.local;

import io.github.metaflowui.core.Card;
import io.github.metaflowui.core.CardHtml;
import io.github.metaflowui.core.CardTooLargeException;
import io.github.metaflowui.core.TaskRef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Cards of the local backend, on a temporary copy of LinearFlow's first run into which each test
 * writes card files in Metaflow's layout ({@code <.metaflow>/mf.cards/<Flow>/runs/<run>/steps/<step>/tasks/<task>/cards/}).
 * The shared fixture has no cards and is never touched.
 */
class LocalCardsTest {
    static final String RUN = "1796301579117609";
    static final TaskRef START = TaskRef.of("LinearFlow", RUN, "start", "1");
    static final TaskRef PROCESS = TaskRef.of("LinearFlow", RUN, "process", "2");
    static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    static final String UUID = "9f1c2e4a5b6d4e8f9a0b1c2d3e4f5a6b";

    @TempDir
    Path tmp;
    Path root;
    LocalMetaflowBackend backend;

    @BeforeEach
    void copyFixture() {
        root = tmp.resolve(".metaflow");
        LocalFixture.copy("LinearFlow/_meta", root);
        LocalFixture.copy("LinearFlow/" + RUN, root);
        backend = LocalFixture.backend(root);
    }

    Path cardsDir(TaskRef t) {
        return root.resolve("mf.cards").resolve(t.run().flow()).resolve("runs").resolve(t.run().run().value())
                .resolve("steps").resolve(t.step().step()).resolve("tasks").resolve(t.task().value()).resolve("cards");
    }

    static Path write(Path file, String content, Instant modified) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return file;
    }

    @Test
    void a_task_without_cards_has_none() {
        assertThat(backend.cards(START)).isEmpty();
        assertThat(backend.cardHtml(START, SHA, 1000)).isEmpty();
        assertThat(LocalFixture.backend().cards(START)).isEmpty(); // the real fixture has no cards
    }

    @Test
    void lists_cards_in_the_current_layout_oldest_first_with_type_id_hash_and_size() throws IOException {
        write(cardsDir(START).resolve("default-" + SHA + ".html"), "<html><body>default card</body></html>",
                Instant.parse("2026-12-03T12:00:02Z"));
        write(cardsDir(START).resolve("blank-summary-" + UUID + ".html"), "<p>summary</p>",
                Instant.parse("2026-12-03T12:00:01Z"));

        assertThat(backend.cards(START)).containsExactly(
                new Card("blank", UUID, Optional.of("summary"), java.util.OptionalLong.of(14),
                        Optional.of(Instant.parse("2026-12-03T12:00:01Z"))),
                new Card("default", SHA, Optional.empty(), java.util.OptionalLong.of(38),
                        Optional.of(Instant.parse("2026-12-03T12:00:02Z"))));
        assertThat(backend.cards(PROCESS)).isEmpty();

        CardHtml html = backend.cardHtml(START, SHA, 1000).orElseThrow();
        assertThat(html.text()).isEqualTo("<html><body>default card</body></html>");
        assertThat(html.card().type()).isEqualTo("default");
        // Metaflow's short hashes: a prefix finds the card
        assertThat(backend.cardHtml(START, UUID.substring(0, 5), 1000).orElseThrow().text()).isEqualTo("<p>summary</p>");
        assertThat(backend.cardHtml(START, "ffff", 1000)).isEmpty();
    }

    @Test
    void reads_the_older_layout_without_steps_only_when_the_current_one_has_no_cards() throws IOException {
        Path old = root.resolve("mf.cards/LinearFlow/runs/" + RUN + "/tasks/1/cards");
        write(old.resolve("default-" + SHA + ".html"), "old layout", Instant.parse("2026-12-03T12:00:00Z"));
        assertThat(backend.cards(START)).extracting(Card::hash).containsExactly(SHA);
        assertThat(backend.cardHtml(START, SHA, 100).orElseThrow().text()).isEqualTo("old layout");

        write(cardsDir(START).resolve("blank-" + UUID + ".html"), "new layout", Instant.parse("2026-12-03T12:00:00Z"));
        assertThat(backend.cards(START)).extracting(Card::hash).containsExactly(UUID);
    }

    @Test
    void bad_and_partial_files_are_skipped() throws IOException {
        Instant t = Instant.parse("2026-12-03T12:00:00Z");
        write(cardsDir(START).resolve("default-" + SHA + ".html"), "good", t);
        write(cardsDir(START).resolve("blank-" + UUID + ".html"), "", t); // being written
        write(cardsDir(START).resolve("not-a-card.txt"), "x", t);
        write(cardsDir(START).resolve("a-b-c-" + UUID + ".html"), "too many parts", t);
        write(cardsDir(START).resolve("default-" + "bad.hash" + ".html"), "dot in hash", t);
        Files.createDirectories(cardsDir(START).resolve("default-abcdef.html")); // a directory

        assertThat(backend.cards(START)).extracting(Card::hash).containsExactly(SHA);
        assertThat(backend.cardHtml(START, UUID, 100)).isEmpty();
    }

    @Test
    void a_hash_that_is_not_letters_and_digits_names_no_card_and_never_a_path() throws IOException {
        write(cardsDir(START).resolve("default-" + SHA + ".html"), "good", Instant.parse("2026-12-03T12:00:00Z"));
        write(root.resolve("secret.html"), "secret", Instant.parse("2026-12-03T12:00:00Z"));
        for (String hash : new String[] {"", "../../../../../../secret", "..", "a/b", SHA + ".html", "%2e%2e"}) {
            assertThat(backend.cardHtml(START, hash, 1000)).as(hash).isEmpty();
        }
        TaskRef traversal = TaskRef.of("LinearFlow", RUN, "..", "1");
        assertThat(backend.cards(traversal)).isEmpty();
    }

    @Test
    void a_card_larger_than_allowed_is_refused_clearly() throws IOException {
        write(cardsDir(START).resolve("default-" + SHA + ".html"), "x".repeat(2000), Instant.parse("2026-12-03T12:00:00Z"));
        assertThat(backend.cardHtml(START, SHA, 2000)).isPresent();
        assertThatThrownBy(() -> backend.cardHtml(START, SHA, 1999))
                .isInstanceOf(CardTooLargeException.class)
                .hasMessageContaining("card default-" + SHA + " of task LinearFlow/" + RUN + "/start/1")
                .hasMessageContaining("2000 bytes")
                .hasMessageNotContaining(tmp.toString());
    }

    @Test
    void realtime_data_is_read_from_the_runtime_folder() throws IOException {
        write(cardsDir(START).resolve("blank-" + UUID + ".html"), "<p>live</p>", Instant.parse("2026-12-03T12:00:00Z"));
        Path runtime = cardsDir(START).getParent().resolve("runtime");
        write(runtime.resolve("blank-" + UUID + ".data.json"), "{\"data\": {\"progress\": 3}}",
                Instant.parse("2026-12-03T12:00:00Z"));
        assertThat(backend.cardData(START, UUID, 1000)).contains("{\"data\": {\"progress\": 3}}");
        assertThat(backend.cardData(START, SHA, 1000)).isEmpty();
    }

    @Test
    void reading_cards_writes_nothing() throws IOException {
        write(cardsDir(START).resolve("default-" + SHA + ".html"), "good", Instant.parse("2026-12-03T12:00:00Z"));
        long before;
        try (var s = Files.walk(root)) {
            before = s.count();
        }
        backend.cards(START);
        backend.cardHtml(START, SHA, 100);
        backend.cardData(START, SHA, 100);
        backend.cards(PROCESS);
        try (var s = Files.walk(root)) {
            assertThat(s.count()).isEqualTo(before);
        }
    }

    @Test
    void a_card_root_set_on_the_builder_is_read() throws IOException {
        Path elsewhere = tmp.resolve("cards-elsewhere");
        write(elsewhere.resolve("LinearFlow/runs/" + RUN + "/steps/start/tasks/1/cards/default-" + SHA + ".html"),
                "elsewhere", Instant.parse("2026-12-03T12:00:00Z"));
        LocalMetaflowBackend b = LocalMetaflowBackend.builder().root(root).clock(LocalFixture.CLOCK).cardRoot(elsewhere).build();
        assertThat(b.cardHtml(START, SHA, 100).orElseThrow().text()).isEqualTo("elsewhere");
        assertThat(backend.cards(START)).isEmpty();
    }
}
