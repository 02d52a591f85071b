package io.github.metaflowui.core;

/** Fetches one page; what a backend implements so that {@link Paged} can do the iterating. */
@FunctionalInterface
public interface PageFetcher<T> {
    Page<T> fetch(PageRequest request);
}
