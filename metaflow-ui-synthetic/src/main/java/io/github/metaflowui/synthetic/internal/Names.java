package io.github.metaflowui.synthetic.internal;

import java.util.ArrayList;
import java.util.List;

/** Word lists for flow names, users and tags: plausible, and plainly made up. */
final class Names {
    private Names() {
    }

    private static final String[] VERBS = {"Train", "Score", "Feature", "Ingest", "Etl", "Forecast", "Rank", "Embed",
        "Cluster", "Label", "Validate", "Export", "Backfill", "Sweep", "Evaluate", "Tune", "Predict", "Segment",
        "Recommend", "Detect", "Index", "Sample", "Aggregate", "Clean", "Enrich", "Publish", "Monitor", "Audit",
        "Report", "Simulate"};
    private static final String[] NOUNS = {"Model", "Data", "Daily", "Hourly", "Batch", "Stream", "Vision", "Text",
        "Graph", "Churn"};

    static final String[] USERS = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan",
        "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yara",
        "zoe", "amir", "beatriz", "chen", "dmitri", "elif", "fatima", "gustavo", "hana", "ines", "jonas", "kofi",
        "lena", "mateo", "noor", "oskar", "priya", "quentin", "rosa", "sven"};

    static final String[] TAGS = {"env:prod", "env:dev", "env:test", "team:ml", "team:data", "team:search",
        "nightly", "backfill", "adhoc", "gpu", "canary", "exp:1", "exp:2", "exp:3", "exp:4", "exp:5", "exp:6",
        "exp:7", "exp:8", "exp:9", "priority:high", "priority:low", "dataset:v1", "dataset:v2", "dataset:v3",
        "region:us", "region:eu", "ticket:ML-101", "ticket:ML-202", "reviewed"};

    static final String[] PROJECTS = {"recsys", "fraud", "search", "forecasting", "vision"};
    static final String[] BRANCHES = {"main", "prod", "user.alice", "test.experiment"};
    static final String[] PYTHON = {"3.10.14", "3.11.2", "3.12.4"};
    static final String[] METAFLOW = {"2.19.30", "2.19.34", "2.19.38"};

    /** {@code count} distinct flow names: every verb once before any verb twice. */
    static List<String> flows(int count) {
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String verb = VERBS[i % VERBS.length];
            String noun = NOUNS[(i / VERBS.length + i) % NOUNS.length];
            int round = i / (VERBS.length * NOUNS.length);
            out.add(verb + noun + (round == 0 ? "" : String.valueOf(round + 1)) + "Flow");
        }
        return out;
    }
}
