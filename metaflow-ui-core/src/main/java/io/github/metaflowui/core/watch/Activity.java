package io.github.metaflowui.core.watch;

/** What a poll says about how soon to poll again. */
public enum Activity {
    /** Something is running: poll at the fast interval. */
    ACTIVE,
    /** Nothing is running but something may still happen (a new run, a retry): poll at the slow interval. */
    IDLE,
    /** Nothing will change any more (the run finished): stop polling. */
    FINISHED
}
