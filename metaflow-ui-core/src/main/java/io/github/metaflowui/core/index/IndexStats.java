package io.github.metaflowui.core.index;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What an {@link IndexedBackend} holds.
 *
 * @param ready        the first build finished: run queries are answered from memory
 * @param runs         runs indexed
 * @param unfinished   runs indexed that are not finished (re-checked on every refresh)
 * @param complete     every run of the backend is indexed (none was left out for lack of room)
 * @param coveredFrom  when not complete: every run created at or after this instant is indexed
 * @param buildTime    how long the first build took
 * @param lastRefresh  when the last refresh ended
 * @param taskTables   runs whose tasks are held
 * @param tasks        tasks held, all runs together
 * @param bytes        estimated heap used by the index
 */
public record IndexStats(boolean ready, int runs, int unfinished, boolean complete, Optional<Instant> coveredFrom,
                         Optional<Duration> buildTime, Optional<Instant> lastRefresh, int taskTables, long tasks,
                         long bytes) {
}
