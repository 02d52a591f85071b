package io.github.metaflowui.core;

import java.util.Locale;

/** The two log streams of a task attempt. */
public enum LogStream {
    STDOUT("out", "stdout"),
    STDERR("err", "stderr");

    private final String shortName;
    private final String fileName;

    LogStream(String shortName, String fileName) {
        this.shortName = shortName;
        this.fileName = fileName;
    }

    /** {@code out} or {@code err}, as in the UI backend's {@code logs/out} path. */
    public String shortName() {
        return shortName;
    }

    /** {@code stdout} or {@code stderr}, as in {@code 0.runtime_stdout.log}. */
    public String fileName() {
        return fileName;
    }

    /** Accepts {@code out}, {@code err}, {@code stdout}, {@code stderr} in any case. */
    public static LogStream parse(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        for (LogStream s : values()) {
            if (s.shortName.equals(v) || s.fileName.equals(v)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown log stream '" + value + "': expected out or err");
    }
}
