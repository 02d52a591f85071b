package io.github.metaflowui.synthetic;

import io.github.metaflowui.core.Status;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The generator: deterministic, realistic in shape, and validated. */
class SyntheticArchiveTest {
    static final Instant AS_OF = Instant.parse("2026-12-03T12:00:00Z");

    @Test
    void the_same_spec_gives_the_same_archive_and_another_seed_another() {
        ArchiveSpec spec = ArchiveSpec.of(20_000, 3_000, AS_OF);
        SyntheticArchive a = SyntheticArchive.generate(spec);
        SyntheticArchive b = SyntheticArchive.generate(spec);
        SyntheticArchive c = SyntheticArchive.generate(spec.withSeed(7));
        int differ = 0;
        for (int i = 0; i < a.runCount(); i++) {
            assertThat(b.ref(i)).isEqualTo(a.ref(i));
            assertThat(b.status(i)).isEqualTo(a.status(i));
            assertThat(b.createdAt(i)).isEqualTo(a.createdAt(i));
            assertThat(b.tags(i)).isEqualTo(a.tags(i));
            if (!c.ref(i).equals(a.ref(i)) || c.status(i) != a.status(i) || !c.tags(i).equals(a.tags(i))) {
                differ++;
            }
        }
        assertThat(b.statusCounts()).isEqualTo(a.statusCounts());
        assertThat(b.bigStepCounts()).isEqualTo(a.bigStepCounts());
        assertThat(differ).isGreaterThan(10_000);
    }

    @Test
    void a_million_runs_have_a_few_hundred_flows_a_status_mix_and_string_ids() {
        SyntheticArchive a = SyntheticArchive.generate(ArchiveSpec.of(1_000_000, 100_000, AS_OF));

        assertThat(a.flows()).hasSize(301).contains("HyperparameterSweepFlow");
        assertThat(a.statusCounts().get(Status.COMPLETED)).isGreaterThan(800_000);
        assertThat(a.statusCounts().get(Status.FAILED)).isBetween(50_000, 150_000);
        assertThat(a.statusCounts().get(Status.RUNNING)).isBetween(1, 1_000);
        assertThat(a.bigStepCounts().get(Status.FAILED)).isEqualTo(60);
        assertThat(a.bigStepCounts().get(Status.COMPLETED)).isEqualTo(99_940);
        assertThat(a.bigRun().flow()).isEqualTo("HyperparameterSweepFlow");
        Set<String> users = new HashSet<>();
        int scheduler = 0;
        for (int i = 0; i < a.runCount(); i += 97) {
            users.add(a.user(i));
            if (a.ref(i).run().value().startsWith("argo-")) {
                scheduler++;
                assertThat(a.systemTags(i)).anySatisfy(t -> assertThat(t).startsWith("production:"));
            } else {
                assertThat(a.ref(i).run().isNumeric()).isTrue();
                assertThat(a.systemTags(i)).contains("user:" + a.user(i));
            }
        }
        assertThat(users).hasSizeGreaterThan(30);
        assertThat(scheduler).isBetween(500, 1_600); // about one run in ten, of 10,310 sampled
        assertThat(a.approximateBytes()).isLessThan(40L << 20);
    }

    @Test
    void specs_are_validated_with_messages_for_the_user() {
        assertThat(ArchiveSpec.parse("1_000_000:100,000", AS_OF)).isEqualTo(ArchiveSpec.of(1_000_000, 100_000, AS_OF));
        assertThatThrownBy(() -> ArchiveSpec.parse("1000000", AS_OF)).hasMessage(
                "expected RUNS:TASKS, e.g. 1000000:100000, got '1000000'");
        assertThatThrownBy(() -> ArchiveSpec.parse("x:5", AS_OF)).hasMessage(
                "RUNS in RUNS:TASKS must be a whole number, got 'x' in 'x:5'");
        assertThatThrownBy(() -> ArchiveSpec.of(3_000_000, 5, AS_OF)).hasMessage(
                "runs must be between 1 and 2,000,000, got 3000000");
        assertThatThrownBy(() -> MetadataSimulator.start(SyntheticArchive.generateLocal(ArchiveSpec.of(10, 5, AS_OF))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LocalArchiveWriter");
    }
}
