package io.github.metaflowui.core.watch;

import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.StatusInfo;
import io.github.metaflowui.core.Step;
import io.github.metaflowui.core.Task;

import java.util.List;

/**
 * Equivalences that ignore what changes merely because time passes: a running object's reason text
 * up to its numbers ("heartbeat 12 s ago" is the same as "heartbeat 14 s ago", but not as
 * "heartbeat 1 min ago"), an unfinished run's duration and its heartbeat. Terminal objects are
 * compared in full.
 */
final class Quiet {
    private Quiet() {
    }

    static boolean sameRun(Run a, Run b) {
        if (a.equals(b)) {
            return true;
        }
        boolean unfinished = a.finishedAt().isEmpty() && b.finishedAt().isEmpty();
        return a.ref().equals(b.ref()) && a.userName().equals(b.userName()) && a.user().equals(b.user())
                && a.createdAt().equals(b.createdAt()) && a.tags().equals(b.tags())
                && a.systemTags().equals(b.systemTags()) && sameStatus(a.status(), b.status())
                && a.finishedAt().equals(b.finishedAt()) && (unfinished || a.duration().equals(b.duration()))
                && (unfinished || a.lastHeartbeat().equals(b.lastHeartbeat()));
    }

    static boolean sameTask(Task a, Task b) {
        if (a.equals(b)) {
            return true;
        }
        if (!a.ref().equals(b.ref()) || !a.createdAt().equals(b.createdAt()) || !a.foreachLabel().equals(b.foreachLabel())
                || !sameStatus(a.status(), b.status())) {
            return false;
        }
        List<Attempt> x = a.attempts();
        List<Attempt> y = b.attempts();
        if (x.size() != y.size()) {
            return false;
        }
        for (int i = 0; i < x.size(); i++) {
            Attempt p = x.get(i);
            Attempt q = y.get(i);
            if (p.id() != q.id() || !sameStatus(p.status(), q.status()) || !p.startedAt().equals(q.startedAt())
                    || !p.finishedAt().equals(q.finishedAt())) {
                return false;
            }
        }
        return true;
    }

    static boolean sameStep(Step a, Step b) {
        return a.equals(b) || (a.ref().equals(b.ref()) && a.createdAt().equals(b.createdAt())
                && sameStatus(a.status(), b.status()) && a.counts().equals(b.counts())
                && a.startedAt().equals(b.startedAt()) && a.finishedAt().equals(b.finishedAt()));
    }

    static boolean sameTail(LogTail a, LogTail b) {
        return a.task().equals(b.task()) && a.stream() == b.stream() && a.attempt() == b.attempt()
                && a.totalLines() == b.totalLines();
    }

    /** Same status; same reason, or for an unfinished status, the same reason up to its numbers. */
    static boolean sameStatus(StatusInfo a, StatusInfo b) {
        if (a.status() != b.status()) {
            return false;
        }
        return a.status().isTerminal() ? a.reason().equals(b.reason()) : sameIgnoringNumbers(a.reason(), b.reason());
    }

    /** Equal when every run of digits is taken as one and the same token. */
    static boolean sameIgnoringNumbers(String a, String b) {
        int i = 0;
        int j = 0;
        int la = a.length();
        int lb = b.length();
        while (i < la && j < lb) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            boolean da = ca >= '0' && ca <= '9';
            boolean db = cb >= '0' && cb <= '9';
            if (da && db) {
                while (i < la && a.charAt(i) >= '0' && a.charAt(i) <= '9') {
                    i++;
                }
                while (j < lb && b.charAt(j) >= '0' && b.charAt(j) <= '9') {
                    j++;
                }
            } else if (ca == cb) {
                i++;
                j++;
            } else {
                return false;
            }
        }
        return i == la && j == lb;
    }
}
