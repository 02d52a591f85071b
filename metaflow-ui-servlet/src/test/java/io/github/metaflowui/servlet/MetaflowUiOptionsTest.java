package io.github.metaflowui.servlet;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetaflowUiOptionsTest {

    @Test
    void defaults_are_loopback_only_self_framing_metaflow_title_and_50_runs() {
        MetaflowUiOptions d = MetaflowUiOptions.defaults();

        assertThat(d.title()).isEqualTo("Metaflow");
        assertThat(d.frameAncestors()).isEqualTo("'self'");
        assertThat(d.runsPageSize()).isEqualTo(50);
        assertThat(d.clock().getZone()).isEqualTo(ZoneOffset.UTC);
        assertThat(AccessPolicy.isLoopback("127.0.0.1")).isTrue();
    }

    @Test
    void builder_keeps_what_it_was_given() {
        Clock clock = Clock.fixed(Instant.parse("2026-12-04T00:00:00Z"), ZoneOffset.UTC);
        AccessPolicy policy = AccessPolicy.allowAll();

        MetaflowUiOptions o = MetaflowUiOptions.builder().clock(clock).accessPolicy(policy)
                .frameAncestors("'self' https://admin.example.com").title("Staging").runsPageSize(1000).build();

        assertThat(o.clock()).isSameAs(clock);
        assertThat(o.accessPolicy()).isSameAs(policy);
        assertThat(o.frameAncestors()).isEqualTo("'self' https://admin.example.com");
        assertThat(o.title()).isEqualTo("Staging");
        assertThat(o.runsPageSize()).isEqualTo(1000);
    }

    @Test
    void build_rejects_bad_values_with_precise_messages() {
        assertThatThrownBy(() -> MetaflowUiOptions.builder().title(" ").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("title must not be blank");
        assertThatThrownBy(() -> MetaflowUiOptions.builder().frameAncestors("").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("frameAncestors must not be blank; use 'none' to forbid framing");
        assertThatThrownBy(() -> MetaflowUiOptions.builder().frameAncestors("'self'; script-src *").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("frameAncestors must be a CSP source list without ';', ',' or control characters,"
                        + " got ''self'; script-src *'");
        assertThatThrownBy(() -> MetaflowUiOptions.builder().frameAncestors("'self'\r\nX-Evil: 1").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control characters");
        assertThatThrownBy(() -> MetaflowUiOptions.builder().runsPageSize(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("runsPageSize must be between 1 and 1000, got 0");
        assertThatThrownBy(() -> MetaflowUiOptions.builder().runsPageSize(1001).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("runsPageSize must be between 1 and 1000, got 1001");
        assertThatThrownBy(() -> MetaflowUiOptions.builder().clock(null))
                .isInstanceOf(NullPointerException.class).hasMessage("clock");
    }
}
