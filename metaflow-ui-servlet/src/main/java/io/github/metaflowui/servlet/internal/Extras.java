package io.github.metaflowui.servlet.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import io.github.metaflowui.core.Attempt;
import io.github.metaflowui.core.MetadataRecord;
import io.github.metaflowui.core.Run;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.servlet.LinkTemplate;
import io.github.metaflowui.servlet.MetaflowUiPlugin;
import io.github.metaflowui.servlet.UiLink;
import io.github.metaflowui.servlet.UiPanel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The configured links and plugin contributions of a run or task page ({@code .../extras}). */
public final class Extras {
    private static final Logger LOG = LoggerFactory.getLogger(Extras.class);
    private static final int MAX_ITEMS = 50;

    private final List<LinkTemplate> runLinks;
    private final List<LinkTemplate> taskLinks;
    private final List<MetaflowUiPlugin> plugins;

    public Extras(List<LinkTemplate> runLinks, List<LinkTemplate> taskLinks, List<MetaflowUiPlugin> plugins) {
        this.runLinks = List.copyOf(runLinks);
        this.taskLinks = List.copyOf(taskLinks);
        this.plugins = List.copyOf(plugins);
    }

    public static Extras none() {
        return new Extras(List.of(), List.of(), List.of());
    }

    /** True when a task page needs the task's metadata (a template or a plugin may read it). */
    public boolean wantsTaskMetadata() {
        return !plugins.isEmpty() || taskLinks.stream().anyMatch(t -> t.placeholders().stream()
                .anyMatch(p -> p.startsWith("metadata.")));
    }

    record Link(UiLink link, String source) {
    }

    record Panel(UiPanel panel, String source) {
    }

    /** Links and panels of a run page. */
    public Json.Body run(Run run) {
        Map<String, String> values = runValues(run);
        List<Link> links = new ArrayList<>();
        for (LinkTemplate t : runLinks) {
            t.expand(values).ifPresent(l -> links.add(new Link(l, "options")));
        }
        List<Panel> panels = new ArrayList<>();
        for (MetaflowUiPlugin p : plugins) {
            call(p, "runLinks", () -> p.runLinks(run)).forEach(l -> links.add(new Link(l, p.name())));
            call(p, "runPanels", () -> p.runPanels(run)).forEach(x -> panels.add(new Panel(x, p.name())));
        }
        return g -> write(g, links, panels);
    }

    /** Links and panels of a task page for one attempt; {@code metadata} is all of the task's records. */
    public Json.Body task(Run run, Task task, int attempt, List<MetadataRecord> metadata) {
        List<MetadataRecord> mine = metadata.stream()
                .filter(m -> m.attemptId().isEmpty() || m.attemptId().getAsInt() == attempt)
                .toList();
        Map<String, String> values = runValues(run);
        values.put("step", task.step());
        values.put("task", task.id().value());
        values.put("attempt", Integer.toString(attempt));
        Optional<Attempt> a = task.attempts().stream().filter(x -> x.id() == attempt).findFirst();
        // at task scope, start and finish are the attempt's when known
        a.flatMap(Attempt::startedAt).ifPresent(t -> putTime(values, "start", t));
        a.flatMap(Attempt::finishedAt).ifPresentOrElse(t -> putTime(values, "finish", t), () -> {
            values.remove("finish");
            values.remove("finish_ms");
        });
        mine.stream().sorted(Comparator.comparing(MetadataRecord::timestamp).thenComparingLong(MetadataRecord::id))
                .forEach(m -> values.put("metadata." + m.fieldName(), m.value()));
        List<Link> links = new ArrayList<>();
        for (LinkTemplate t : taskLinks) {
            t.expand(values).ifPresent(l -> links.add(new Link(l, "options")));
        }
        List<Panel> panels = new ArrayList<>();
        for (MetaflowUiPlugin p : plugins) {
            call(p, "taskLinks", () -> p.taskLinks(task, attempt, mine)).forEach(l -> links.add(new Link(l, p.name())));
            call(p, "taskPanels", () -> p.taskPanels(task, attempt, mine))
                    .forEach(x -> panels.add(new Panel(x, p.name())));
        }
        return g -> write(g, links, panels);
    }

    private static Map<String, String> runValues(Run run) {
        Map<String, String> v = new HashMap<>();
        v.put("flow", run.ref().flow());
        v.put("run", run.ref().run().value());
        v.put("user", run.user().orElse(run.userName()));
        putTime(v, "start", run.createdAt());
        run.finishedAt().ifPresent(t -> putTime(v, "finish", t));
        return v;
    }

    private static void putTime(Map<String, String> v, String name, Instant t) {
        v.put(name, t.toString());
        v.put(name + "_ms", Long.toString(t.toEpochMilli()));
    }

    private static <T> List<T> call(MetaflowUiPlugin p, String what, Supplier<List<T>> s) {
        try {
            List<T> out = s.get();
            if (out == null) {
                return List.of();
            }
            return out.stream().filter(x -> x != null).limit(MAX_ITEMS).toList();
        } catch (RuntimeException e) {
            LOG.warn("Metaflow UI plugin {} failed in {}; its part is left out", Bounded.text(p.name(), 100), what, e);
            return List.of();
        }
    }

    private static void write(JsonGenerator g, List<Link> links, List<Panel> panels) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("links");
        for (Link l : links) {
            g.writeStartObject();
            g.writeStringField("label", l.link().label());
            g.writeStringField("url", l.link().url());
            g.writeStringField("source", l.source());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("panels");
        for (Panel p : panels) {
            g.writeStartObject();
            g.writeStringField("title", p.panel().title());
            g.writeStringField("source", p.source());
            g.writeArrayFieldStart("rows");
            for (UiPanel.Row r : p.panel().rows()) {
                g.writeStartObject();
                g.writeStringField("name", r.name());
                g.writeStringField("value", r.value());
                if (r.url().isPresent()) {
                    g.writeStringField("url", r.url().get());
                } else {
                    g.writeNullField("url");
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** The templates, for {@code /api/config}. */
    public void writeConfig(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("links");
        for (String scope : List.of("run", "task")) {
            g.writeArrayFieldStart(scope);
            for (LinkTemplate t : scope.equals("run") ? runLinks : taskLinks) {
                g.writeStartObject();
                g.writeStringField("label", t.label());
                g.writeStringField("template", t.template());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndObject();
        g.writeArrayFieldStart("plugins");
        for (MetaflowUiPlugin p : plugins) {
            g.writeString(p.name());
        }
        g.writeEndArray();
    }
}
