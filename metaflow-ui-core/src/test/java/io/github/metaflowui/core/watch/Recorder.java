package io.github.metaflowui.core.watch;

import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.diff.Change;
import io.github.metaflowui.core.diff.Snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** A listener that writes down what it is told, as short text lines. */
class Recorder<T> implements WatchListener<T> {
    final List<String> events = new ArrayList<>();
    final List<ChangeSet<T>> changeSets = new ArrayList<>();
    Snapshot<T> state;

    @Override
    public synchronized void onSnapshot(Snapshot<T> snapshot) {
        state = snapshot;
        events.add("snapshot " + snapshot.values().stream().map(Recorder::describe).collect(Collectors.joining(", ")));
    }

    @Override
    public synchronized void onChanges(ChangeSet<T> changes) {
        changeSets.add(changes);
        state = io.github.metaflowui.core.diff.Differ.apply(state, changes.changes());
        events.add((changes.resync() ? "resync " : "changes ")
                + changes.changes().stream().map(Recorder::describe).collect(Collectors.joining(", ")));
    }

    @Override
    public synchronized void onError(WatchError error) {
        events.add("error #" + error.failures() + " retry in " + error.retryIn().toSeconds() + " s: " + error.message());
    }

    @Override
    public synchronized void onRecovered() {
        events.add("recovered");
    }

    @Override
    public synchronized void onFinished(Snapshot<T> last) {
        events.add("finished");
    }

    synchronized List<String> take() {
        List<String> out = new ArrayList<>(events);
        events.clear();
        return out;
    }

    static String describe(Object o) {
        if (o instanceof Change<?> c) {
            String kind = c instanceof Change.Added<?> ? "+" : c instanceof Change.Removed<?> ? "-"
                    : c instanceof Change.StatusChanged<?> s ? "~" + s.from().status().wireName() + ">" : "*";
            return kind + describe(c.entity());
        }
        if (o instanceof Run r) {
            return r.ref() + " " + r.status().status().wireName();
        }
        if (o instanceof Task t) {
            return t.ref() + " " + t.status().status().wireName() + "#" + t.attempts().size();
        }
        if (o instanceof Step s) {
            return s.ref() + " " + s.status().status().wireName() + " " + s.counts().total();
        }
        if (o instanceof LogTail l) {
            return l.key() + " a" + l.attempt() + " n" + l.totalLines() + " rows " + l.firstRow() + "+" + l.lines().size();
        }
        return String.valueOf(o);
    }
}
