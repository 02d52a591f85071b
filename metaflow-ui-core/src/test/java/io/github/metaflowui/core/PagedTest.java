package io.github.metaflowui.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Paged}: lazy, restartable, truthful {@code hasNext()}, loop-proof. */
class PagedTest {

    /** Serves pages from a map cursor -> page ({@code ""} is the first page) and records every request. */
    static final class RecordingFetcher implements PageFetcher<String> {
        final Map<String, Page<String>> pages;
        final List<PageRequest> requests = new ArrayList<>();

        RecordingFetcher(Map<String, Page<String>> pages) {
            this.pages = pages;
        }

        @Override
        public Page<String> fetch(PageRequest request) {
            requests.add(request);
            Page<String> page = pages.get(request.cursor().orElse(""));
            if (page == null) {
                throw new AssertionError("unexpected request " + request);
            }
            return page;
        }

        List<String> cursors() {
            return requests.stream().map(r -> r.cursor().orElse("<first>")).toList();
        }
    }

    private static RecordingFetcher threePages() {
        return new RecordingFetcher(Map.of(
                "", Page.of(List.of("a", "b"), "c1"),
                "c1", Page.of(List.of("c", "d"), "c2"),
                "c2", Page.last(List.of("e"))));
    }

    @Test
    void fetches_nothing_until_iterated() {
        RecordingFetcher fetcher = threePages();

        Paged<String> paged = Paged.of(fetcher, 2);
        Iterator<String> it = paged.iterator();
        paged.stream();
        paged.pages();
        paged.pages().iterator();

        assertThat(fetcher.requests).isEmpty();
        assertThat(it.hasNext()).isTrue();
        assertThat(fetcher.requests).containsExactly(PageRequest.first(2));
    }

    @Test
    void iterates_every_item_of_every_page_in_order() {
        RecordingFetcher fetcher = threePages();

        assertThat(Paged.of(fetcher, 2)).containsExactly("a", "b", "c", "d", "e");
        assertThat(fetcher.requests).containsExactly(PageRequest.first(2), PageRequest.after("c1", 2),
                PageRequest.after("c2", 2));
    }

    @Test
    void each_iterator_starts_over_from_the_first_page() {
        RecordingFetcher fetcher = threePages();
        Paged<String> paged = Paged.of(fetcher, 2);

        Iterator<String> first = paged.iterator();
        assertThat(first.next()).isEqualTo("a");
        assertThat(first.next()).isEqualTo("b");
        assertThat(first.next()).isEqualTo("c");

        assertThat(paged.toList()).containsExactly("a", "b", "c", "d", "e");
        assertThat(first.next()).as("the first iterator is unaffected").isEqualTo("d");
        assertThat(fetcher.cursors()).containsExactly("<first>", "c1", "<first>", "c1", "c2");
    }

    @Test
    void has_next_skips_empty_pages_in_the_middle_and_at_the_end() {
        RecordingFetcher fetcher = new RecordingFetcher(Map.of(
                "", Page.of(List.of("a"), "c1"),
                "c1", Page.of(List.of(), "c2"),
                "c2", Page.of(List.of(), "c3"),
                "c3", Page.of(List.of("b"), "c4"),
                "c4", Page.last(List.of())));

        Iterator<String> it = Paged.of(fetcher, 1).iterator();

        assertThat(it.hasNext()).isTrue();
        assertThat(it.next()).isEqualTo("a");
        assertThat(it.hasNext()).as("two empty pages later there is b").isTrue();
        assertThat(it.next()).isEqualTo("b");
        assertThat(it.hasNext()).as("the trailing empty page has nothing").isFalse();
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
        assertThat(fetcher.cursors()).containsExactly("<first>", "c1", "c2", "c3", "c4");
    }

    @Test
    void has_next_is_false_when_every_page_is_empty() {
        RecordingFetcher fetcher = new RecordingFetcher(Map.of(
                "", Page.of(List.of(), "c1"),
                "c1", Page.last(List.of())));

        assertThat(Paged.of(fetcher, 5).iterator().hasNext()).isFalse();
        assertThat(Paged.of(fetcher, 5).stream().count()).isZero();
    }

    @Test
    void has_next_is_idempotent_and_fetches_once() {
        RecordingFetcher fetcher = threePages();
        Iterator<String> it = Paged.of(fetcher, 2).iterator();

        assertThat(it.hasNext()).isTrue();
        assertThat(it.hasNext()).isTrue();
        assertThat(it.hasNext()).isTrue();

        assertThat(fetcher.requests).hasSize(1);
    }

    @Test
    void a_repeated_cursor_ends_with_a_clear_error_instead_of_looping() {
        RecordingFetcher fetcher = new RecordingFetcher(Map.of(
                "", Page.of(List.of("a"), "c1"),
                "c1", Page.of(List.of("b"), "c2"),
                "c2", Page.of(List.of("c"), "c1")));
        Iterator<String> it = Paged.of(fetcher, 1).iterator();
        List<String> seen = new ArrayList<>();

        assertThatIllegalStateException()
                .isThrownBy(() -> it.forEachRemaining(seen::add))
                .withMessage("backend repeated the page cursor 'c1'; stopping instead of looping forever");
        assertThat(seen).containsExactly("a", "b");
        assertThat(fetcher.requests).hasSize(3);
    }

    @Test
    void a_page_pointing_at_itself_is_caught_on_the_second_fetch() {
        RecordingFetcher fetcher = new RecordingFetcher(Map.of(
                "", Page.of(List.of("a"), "same"),
                "same", Page.of(List.of("b"), "same")));

        assertThatIllegalStateException()
                .isThrownBy(() -> Paged.of(fetcher, 1).toList())
                .withMessageContaining("repeated the page cursor 'same'");
        assertThat(fetcher.requests).hasSize(2);
    }

    @Test
    void first_page_is_one_fetch_of_the_first_page() {
        RecordingFetcher fetcher = threePages();

        Page<String> first = Paged.of(fetcher, 2).firstPage();

        assertThat(first.items()).containsExactly("a", "b");
        assertThat(first.nextCursor()).contains("c1");
        assertThat(first.hasNext()).isTrue();
        assertThat(fetcher.requests).containsExactly(PageRequest.first(2));
    }

    @Test
    void stream_is_lazy_and_reads_only_the_pages_it_needs() {
        RecordingFetcher fetcher = threePages();

        List<String> firstThree = Paged.of(fetcher, 2).stream().limit(3).toList();

        assertThat(firstThree).containsExactly("a", "b", "c");
        assertThat(fetcher.cursors()).containsExactly("<first>", "c1");
    }

    @Test
    void pages_fetches_each_page_when_reached_including_empty_ones() {
        RecordingFetcher fetcher = new RecordingFetcher(Map.of(
                "", Page.of(List.of("a", "b"), "c1"),
                "c1", Page.of(List.of(), "c2"),
                "c2", Page.last(List.of("c"))));
        Iterator<Page<String>> pages = Paged.of(fetcher, 2).pages().iterator();

        assertThat(pages.next().items()).containsExactly("a", "b");
        assertThat(fetcher.requests).hasSize(1);
        assertThat(pages.next().items()).isEmpty();
        assertThat(pages.next().items()).containsExactly("c");
        assertThat(pages.hasNext()).isFalse();
        assertThatThrownBy(pages::next).isInstanceOf(NoSuchElementException.class);
        assertThat(fetcher.requests).hasSize(3);
    }

    @Test
    void a_single_last_page_is_fetched_once() {
        RecordingFetcher fetcher = new RecordingFetcher(Map.of("", Page.last(List.of("only"))));

        assertThat(Paged.of(fetcher)).containsExactly("only");
        assertThat(fetcher.requests).containsExactly(PageRequest.first(PageRequest.DEFAULT_LIMIT));
    }

    @Test
    void errors_of_the_fetcher_surface_unchanged_from_the_lazy_iterator() {
        MetaflowException.NoAnswerException failure = new MetaflowException.NoAnswerException("connection refused");
        Paged<String> paged = Paged.of(request -> {
            throw failure;
        }, 10);

        assertThatThrownBy(() -> paged.iterator().hasNext()).isSameAs(failure);
        assertThatThrownBy(() -> paged.stream().findFirst()).isSameAs(failure);
    }

    @Test
    void a_fetcher_returning_null_is_reported() {
        assertThatNullPointerException()
                .isThrownBy(() -> Paged.<String>of(request -> null, 10).iterator().hasNext())
                .withMessage("fetcher returned null");
    }

    @Test
    void page_size_must_be_between_1_and_1000() {
        PageFetcher<String> f = r -> Page.last(List.of());

        assertThatIllegalArgumentException().isThrownBy(() -> Paged.of(f, 0))
                .withMessage("page size must be between 1 and 1000");
        assertThatIllegalArgumentException().isThrownBy(() -> Paged.of(f, 1001))
                .withMessage("page size must be between 1 and 1000");
        assertThat(Paged.of(f, 1000)).isEmpty();
        assertThatNullPointerException().isThrownBy(() -> Paged.of(null, 10)).withMessage("fetcher");
    }

    @Test
    void page_request_validates_and_compares_by_value() {
        assertThatIllegalArgumentException().isThrownBy(() -> PageRequest.first(0))
                .withMessage("limit must be between 1 and 1000, got 0");
        assertThatIllegalArgumentException().isThrownBy(() -> PageRequest.after("c", 1001))
                .withMessage("limit must be between 1 and 1000, got 1001");
        assertThatNullPointerException().isThrownBy(() -> PageRequest.after(null, 10)).withMessage("cursor");
        assertThat(PageRequest.after("c", 10)).isEqualTo(PageRequest.after("c", 10))
                .hasSameHashCodeAs(PageRequest.after("c", 10))
                .isNotEqualTo(PageRequest.first(10));
        assertThat(PageRequest.first(10).cursor()).isEmpty();
        assertThat(PageRequest.after("c", 10).cursor()).contains("c");
    }

    @Test
    void page_copies_its_items() {
        List<String> items = new ArrayList<>(List.of("a"));
        Page<String> page = Page.last(items);
        items.add("b");

        assertThat(page.items()).containsExactly("a");
        assertThat(page.hasNext()).isFalse();
        assertThat(Page.of(List.of(), null).nextCursor()).isEmpty();
    }
}
