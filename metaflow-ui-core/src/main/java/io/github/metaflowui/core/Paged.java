package io.github.metaflowui.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A lazily paged sequence. No I/O happens until it is iterated; each {@link #iterator()} starts
 * over from the first page; {@code hasNext()} never lies (empty pages are skipped); a cursor that
 * repeats ends the iteration with an {@link IllegalStateException} instead of looping forever.
 * Each page is fetched whole before its items are handed out, so nothing needs closing.
 */
public final class Paged<T> implements Iterable<T> {
    private final PageFetcher<T> fetcher;
    private final int pageSize;

    private Paged(PageFetcher<T> fetcher, int pageSize) {
        this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
        if (pageSize < 1 || pageSize > PageRequest.MAX_LIMIT) {
            throw new IllegalArgumentException("page size must be between 1 and " + PageRequest.MAX_LIMIT);
        }
        this.pageSize = pageSize;
    }

    public static <T> Paged<T> of(PageFetcher<T> fetcher, int pageSize) {
        return new Paged<>(fetcher, pageSize);
    }

    public static <T> Paged<T> of(PageFetcher<T> fetcher) {
        return new Paged<>(fetcher, PageRequest.DEFAULT_LIMIT);
    }

    /** The first page only (one fetch). */
    public Page<T> firstPage() {
        return fetcher.fetch(PageRequest.first(pageSize));
    }

    /** The pages, each fetched when the iteration reaches it. */
    public Iterable<Page<T>> pages() {
        return PageIterator::new;
    }

    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private final PageIterator pages = new PageIterator();
            private Iterator<T> current = List.<T>of().iterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext()) {
                    if (!pages.hasNext()) {
                        return false;
                    }
                    current = pages.next().items().iterator();
                }
                return true;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    public Stream<T> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED), false);
    }

    /** Reads everything into a list. Beware of large sequences. */
    public List<T> toList() {
        List<T> all = new ArrayList<>();
        forEach(all::add);
        return all;
    }

    private final class PageIterator implements Iterator<Page<T>> {
        private final Set<String> seenCursors = new HashSet<>();
        private boolean started;
        private Optional<String> nextCursor = Optional.empty();

        @Override
        public boolean hasNext() {
            return !started || nextCursor.isPresent();
        }

        @Override
        public Page<T> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            PageRequest request = started ? PageRequest.after(nextCursor.get(), pageSize) : PageRequest.first(pageSize);
            started = true;
            Page<T> page = Objects.requireNonNull(fetcher.fetch(request), "fetcher returned null");
            nextCursor = page.nextCursor();
            if (nextCursor.isPresent() && !seenCursors.add(nextCursor.get())) {
                throw new IllegalStateException("backend repeated the page cursor '" + nextCursor.get()
                        + "'; stopping instead of looping forever");
            }
            return page;
        }
    }
}
