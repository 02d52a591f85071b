package io.github.metaflowui.core.watch;

import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.RunQuery;
import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.diff.Change;
import io.github.metaflowui.core.diff.Snapshot;
import io.github.metaflowui.core.spi.MetaflowBackend;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Monitoring Metaflow runs from a Java service, on top of a {@link Watcher}: react when runs fail,
 * wait for a run to finish, follow a run's status. Runs are polled, one poll per watched resource
 * however many callbacks there are; callbacks run on the watcher's threads and must return quickly.
 *
 * <pre>{@code
 * try (MetaflowMonitor monitor = MetaflowMonitor.of(backend)) {
 *     monitor.onRunFailed("TrainFlow", run -> pager.alert(run.ref() + " failed: " + run.status().reason()));
 *     Run last = monitor.awaitFinished(RunRef.of("TrainFlow", "1234"), Duration.ofHours(2));
 * }
 * }</pre>
 */
public final class MetaflowMonitor implements AutoCloseable {
    /** How many of the newest runs of a query the run callbacks look at. */
    public static final int RUNS_WINDOW = 100;

    private final Watcher watcher;
    private final boolean ownsWatcher;
    private final List<Consumer<WatchError>> errorHandlers = new CopyOnWriteArrayList<>();

    private MetaflowMonitor(Watcher watcher, boolean ownsWatcher) {
        this.watcher = Objects.requireNonNull(watcher, "watcher");
        this.ownsWatcher = ownsWatcher;
    }

    /** A monitor with its own watcher (default intervals), closed with the monitor. */
    public static MetaflowMonitor of(MetaflowBackend backend) {
        return new MetaflowMonitor(Watcher.of(backend), true);
    }

    /** A monitor sharing {@code watcher}, which it never closes. */
    public static MetaflowMonitor of(Watcher watcher) {
        return new MetaflowMonitor(watcher, false);
    }

    public Watcher watcher() {
        return watcher;
    }

    /** Calls {@code handler} whenever a poll fails (the watcher retries by itself). */
    public Subscription onError(Consumer<WatchError> handler) {
        Objects.requireNonNull(handler, "handler");
        errorHandlers.add(handler);
        return () -> errorHandlers.remove(handler);
    }

    /** Calls {@code action} with every run of {@code flow} that fails from now on. */
    public Subscription onRunFailed(String flow, Consumer<Run> action) {
        return onRunStatus(RunQuery.ofFlow(flow), Status.FAILED, action);
    }

    /**
     * Calls {@code action} with every run among the newest {@link #RUNS_WINDOW} of {@code query} that
     * reaches {@code status} from now on: a run seen changing to it, or a new run that already has it.
     * Runs that had it before the first poll are not reported.
     */
    public Subscription onRunStatus(RunQuery query, Status status, Consumer<Run> action) {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(action, "action");
        return watcher.watch(Resources.runs(query, 0, RUNS_WINDOW), new Forwarding<>() {
            @Override
            public void onChanges(ChangeSet<Run> changes) {
                for (Change<Run> c : changes.changes()) {
                    boolean reached = (c instanceof Change.StatusChanged<Run> s && s.to().status() == status)
                            || (c instanceof Change.Added<Run> a && a.entity().status().status() == status);
                    if (reached) {
                        action.accept(c.entity());
                    }
                }
            }
        });
    }

    /**
     * Streams the status of one run to {@code action}: first its current status (once the run exists),
     * then every change, until the run finishes.
     */
    public Subscription statusChanges(RunRef run, Consumer<RunStatusChange> action) {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(action, "action");
        return watcher.watch(Resources.run(run), new Forwarding<>() {
            @Override
            public void onSnapshot(Snapshot<Run> snapshot) {
                snapshot.values().forEach(r -> action.accept(new RunStatusChange(r, Optional.empty(), r.status())));
            }

            @Override
            public void onChanges(ChangeSet<Run> changes) {
                for (Change<Run> c : changes.changes()) {
                    if (c instanceof Change.StatusChanged<Run> s) {
                        action.accept(new RunStatusChange(s.entity(), Optional.of(s.from()), s.to()));
                    } else if (c instanceof Change.Added<Run> a) {
                        action.accept(new RunStatusChange(a.entity(), Optional.empty(), a.entity().status()));
                    }
                }
            }
        });
    }

    /**
     * Completes with the run once it has finished (completed or failed), as soon as a poll sees it.
     * Cancelling the future stops watching.
     */
    public CompletableFuture<Run> whenFinished(RunRef run) {
        Objects.requireNonNull(run, "run");
        CompletableFuture<Run> done = new CompletableFuture<>();
        Subscription sub = watcher.watch(Resources.run(run), new Forwarding<>() {
            @Override
            public void onSnapshot(Snapshot<Run> snapshot) {
                check(snapshot);
            }

            @Override
            public void onChanges(ChangeSet<Run> changes) {
                check(changes.after());
            }

            private void check(Snapshot<Run> s) {
                s.values().stream().filter(r -> r.status().status().isTerminal()).findFirst().ifPresent(done::complete);
            }
        });
        done.whenComplete((r, e) -> sub.close());
        return done;
    }

    /**
     * Waits until the run has finished and returns it as it ended.
     *
     * @throws TimeoutException     when it has not finished within {@code timeout}
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public Run awaitFinished(RunRef run, Duration timeout) throws InterruptedException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<Run> f = whenFinished(run);
        try {
            return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new TimeoutException("run " + run + " did not finish within " + timeout);
        } catch (InterruptedException e) {
            f.cancel(false);
            throw e;
        } catch (ExecutionException | CancellationException e) {
            throw new IllegalStateException("waiting for run " + run + " failed", e);
        }
    }

    /** Closes the watcher if the monitor made it. */
    @Override
    public void close() {
        if (ownsWatcher) {
            watcher.close();
        }
    }

    /** Forwards errors to the monitor's error handlers. */
    private abstract class Forwarding<T> implements WatchListener<T> {
        @Override
        public void onError(WatchError error) {
            for (Consumer<WatchError> h : errorHandlers) {
                h.accept(error);
            }
        }
    }
}
