package io.github.metaflowui.servlet;

import io.github.metaflowui.core.MetadataRecord;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.Task;

import java.util.List;

/**
 * Adds links and small panels to the run and task pages (register with
 * {@link MetaflowUiOptions.Builder#plugin}). Every method has a default that adds nothing.
 *
 * <p>Called on request threads, so implementations must be thread-safe and quick. What they return
 * is shown as text and plain links only (never markup). A method that throws is logged and skipped:
 * the page still shows.
 */
public interface MetaflowUiPlugin {

    /** A short name, used in logs and as the {@code source} of what it adds. */
    default String name() {
        return getClass().getSimpleName();
    }

    /** Links shown on the run page. */
    default List<UiLink> runLinks(Run run) {
        return List.of();
    }

    /** Panels shown on the run page. */
    default List<UiPanel> runPanels(Run run) {
        return List.of();
    }

    /**
     * Links shown on the task page.
     *
     * @param attempt  the attempt shown
     * @param metadata the task's metadata records of that attempt (and those without an attempt)
     */
    default List<UiLink> taskLinks(Task task, int attempt, List<MetadataRecord> metadata) {
        return List.of();
    }

    /** Panels shown on the task page; arguments as for {@link #taskLinks}. */
    default List<UiPanel> taskPanels(Task task, int attempt, List<MetadataRecord> metadata) {
        return List.of();
    }
}
