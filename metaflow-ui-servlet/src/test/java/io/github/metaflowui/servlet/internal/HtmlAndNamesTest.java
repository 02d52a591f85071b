package io.github.metaflowui.servlet.internal;

import io.github.metaflowui.core.LogStream;
import io.github.metaflowui.core.TaskRef;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class HtmlAndNamesTest {

    @Test
    void escapes_text_and_attribute_specials() {
        assertThat(Html.escape("<a href=\"x\" title='y'>&</a>"))
                .isEqualTo("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
        assertThat(Html.escape("plain/path/")).isEqualTo("plain/path/");
    }

    @Test
    void renders_every_placeholder_escaped() {
        byte[] template = "<meta content=\"{{BASE}}\"><script src=\"{{STATIC}}app.js\"></script><h1>{{TITLE}}</h1>{{X}}"
                .getBytes(StandardCharsets.UTF_8);
        IndexPage page = new IndexPage(template, "0123456789abcdef", "<T & \"q\">");

        String html = new String(page.render("/a\"b/"), StandardCharsets.UTF_8);

        assertThat(html).isEqualTo("<meta content=\"/a&quot;b/\"><script src=\"/a&quot;b/static/0123456789abcdef/"
                + "app.js\"></script><h1>&lt;T &amp; &quot;q&quot;&gt;</h1>{{X}}");
    }

    @Test
    void the_embed_placeholder_says_whether_the_chrome_is_hidden() {
        byte[] template = "<meta name=\"metaflow-ui-embed\" content=\"{{EMBED}}\">".getBytes(StandardCharsets.UTF_8);
        assertThat(new String(new IndexPage(template, "0123456789abcdef", "T", true).render("/"), StandardCharsets.UTF_8))
                .isEqualTo("<meta name=\"metaflow-ui-embed\" content=\"1\">");
        assertThat(new String(new IndexPage(template, "0123456789abcdef", "T").render("/"), StandardCharsets.UTF_8))
                .isEqualTo("<meta name=\"metaflow-ui-embed\" content=\"0\">");
    }

    @Test
    void download_names_keep_only_safe_characters() {
        assertThat(Api.downloadName(TaskRef.of("ParamsLogsFlow", "1796301628865091", "logs", "2"), LogStream.STDOUT, 0))
                .isEqualTo("stdout_ParamsLogsFlow_1796301628865091_logs_2-0.txt");
        assertThat(Api.downloadName(TaskRef.of("F\"low", "argo-x/../y", "st ep", "t;\r\n1"), LogStream.STDERR, 3))
                .isEqualTo("stderr_F_low_argo-x_.._y_st_ep_t___1-3.txt");
    }
}
