package io.github.metaflowui.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One run of a flow with its derived status.
 *
 * @param ref           flow and run id
 * @param userName      the user name recorded by the writer
 * @param user          the verified owner: {@code userName} when the system tags hold
 *                      {@code user:<userName>}, else empty (e.g. production runs)
 * @param createdAt     when the run was registered ({@code ts_epoch})
 * @param tags          user tags
 * @param systemTags    system tags ({@code user:}, {@code runtime:}, {@code metaflow_version:}, ...)
 * @param status        derived status with its reason
 * @param finishedAt    when it finished, if it did
 * @param duration      finished (or last seen alive) minus created, if known
 * @param lastHeartbeat the last run heartbeat, if the backend has heartbeats
 */
public record Run(RunRef ref, String userName, Optional<String> user, Instant createdAt, List<String> tags,
                  List<String> systemTags, StatusInfo status, Optional<Instant> finishedAt,
                  Optional<Duration> duration, Optional<Instant> lastHeartbeat) {
    public Run {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(userName, "userName");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(createdAt, "createdAt");
        tags = List.copyOf(tags);
        systemTags = List.copyOf(systemTags);
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(lastHeartbeat, "lastHeartbeat");
    }

    public String flow() {
        return ref.flow();
    }

    public RunId id() {
        return ref.run();
    }

    /** User tags followed by system tags, the set Metaflow's tag filters match against. */
    public List<String> allTags() {
        List<String> all = new ArrayList<>(tags);
        all.addAll(systemTags);
        return all;
    }

    /** The value of the first system tag {@code prefix:value}, e.g. {@code project} or {@code project_branch}. */
    public Optional<String> systemTag(String prefix) {
        String p = prefix + ":";
        return systemTags.stream().filter(t -> t.startsWith(p)).map(t -> t.substring(p.length())).findFirst();
    }

    /** The verified owner, or the recorded user name when there is none. */
    public String displayUser() {
        return user.orElse(userName);
    }
}
