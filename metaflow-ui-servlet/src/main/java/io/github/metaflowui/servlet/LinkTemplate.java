package io.github.metaflowui.servlet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * An external link configured at run or task scope, e.g.
 * {@code https://grafana.example.com/d/pods?var-pod={metadata.kubernetes-pod-name}&from={start_ms}}.
 *
 * <p>Placeholders: {@code {flow}}, {@code {run}}, {@code {user}}, {@code {start}}/{@code {finish}}
 * (ISO-8601 UTC), {@code {start_ms}}/{@code {finish_ms}} (epoch milliseconds); at task scope also
 * {@code {step}}, {@code {task}}, {@code {attempt}} and {@code {metadata.<field>}} (the attempt's
 * latest value of that metadata field). Every value is URL-encoded where it is put. A link whose
 * placeholder has no value (e.g. a run still running has no {@code {finish}}) is not shown.
 *
 * @param label    the link text
 * @param template an {@code http(s)://} URL or site path with placeholders
 */
public record LinkTemplate(String label, String template) {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_.:-]*)}");
    /** Placeholders known at run scope. */
    public static final Set<String> RUN_NAMES = Set.of("flow", "run", "user", "start", "finish", "start_ms",
            "finish_ms");
    /** Placeholders known at task scope, besides {@code metadata.<field>}. */
    public static final Set<String> TASK_NAMES = Set.of("flow", "run", "user", "start", "finish", "start_ms",
            "finish_ms", "step", "task", "attempt");

    public LinkTemplate {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(template, "template");
        if (label.isBlank()) {
            throw new IllegalArgumentException("link label must not be blank");
        }
        String bare = PLACEHOLDER.matcher(template).replaceAll("x");
        if (!UiLink.isSafeUrl(bare) || bare.contains("{") || bare.contains("}")) {
            throw new IllegalArgumentException("link template must be an http(s):// URL or a site path with"
                    + " {placeholders}, got '" + template + "'");
        }
    }

    /** The placeholder names the template uses, in order. */
    public List<String> placeholders() {
        List<String> out = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** Checks every placeholder is known at this scope; throws IllegalArgumentException naming the first that is not. */
    void check(boolean taskScope) {
        for (String name : placeholders()) {
            boolean known = taskScope
                    ? TASK_NAMES.contains(name) || (name.startsWith("metadata.") && name.length() > 9)
                    : RUN_NAMES.contains(name);
            if (!known) {
                throw new IllegalArgumentException("unknown placeholder {" + name + "} in " + (taskScope ? "task" : "run")
                        + " link '" + label + "'; known: " + (taskScope ? TASK_NAMES + " and metadata.<field>"
                        : RUN_NAMES));
            }
        }
    }

    /** The link with every placeholder replaced by its URL-encoded value; empty when one has no value. */
    public Optional<UiLink> expand(Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            if (v == null) {
                return Optional.empty();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(
                    URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20")));
        }
        m.appendTail(out);
        return Optional.of(new UiLink(label, out.toString()));
    }
}
