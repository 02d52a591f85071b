package io.github.metaflowui.servlet;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A small extra table a {@link MetaflowUiPlugin} adds to a run or task page. Every value is shown as
 * text; a row with a URL shows its value as a link.
 *
 * @param title the panel heading
 * @param rows  name/value rows, in order
 */
public record UiPanel(String title, List<Row> rows) {
    public UiPanel {
        Objects.requireNonNull(title, "title");
        rows = List.copyOf(rows);
    }

    /**
     * One row.
     *
     * @param url when present, an {@code http(s)://} URL or site path (see {@link UiLink#isSafeUrl})
     */
    public record Row(String name, String value, Optional<String> url) {
        public Row {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(url, "url");
            url.ifPresent(u -> {
                if (!UiLink.isSafeUrl(u)) {
                    throw new IllegalArgumentException("panel row url must start with http://, https:// or /");
                }
            });
        }

        public static Row of(String name, String value) {
            return new Row(name, value, Optional.empty());
        }

        public static Row link(String name, String value, String url) {
            return new Row(name, value, Optional.of(url));
        }
    }
}
