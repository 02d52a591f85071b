package io.github.metaflowui.client.local.internal;

import io.github.metaflowui.core.MetaflowException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Problems with files are told relative to the Metaflow object, never by server path. */
class LocalFaultsTest {
    private static final Path ROOT = Path.of("/srv/data/.metaflow");
    private final LocalFaults faults = new LocalFaults(ROOT, LoggerFactory.getLogger(LocalFaultsTest.class));

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ''                                                          | the Metaflow directory
            LinearFlow                                                  | the directory of flow LinearFlow
            LinearFlow/_meta/_self.json                                 | the record of flow LinearFlow
            LinearFlow/123/_meta/_self.json                             | the run record of LinearFlow/123
            LinearFlow/123                                              | the directory of run LinearFlow/123
            LinearFlow/123/end/_meta/_self.json                         | the record of step LinearFlow/123/end
            LinearFlow/123/end/3/_meta/_self.json                       | the record of task LinearFlow/123/end/3
            LinearFlow/123/end/3/_meta                                  | the metadata folder of task LinearFlow/123/end/3
            LinearFlow/123/end/3/_meta/sysmeta_attempt_ok_1796301631065.json | the attempt_ok metadata of task LinearFlow/123/end/3
            LinearFlow/123/end/3/_meta/1_artifact_total.json            | the record of artifact total (attempt 1) of task LinearFlow/123/end/3
            LinearFlow/123/end/3/0.data.json                            | the artifact index of attempt 0 of task LinearFlow/123/end/3
            LinearFlow/123/end/3/1.attempt.json                         | the start record of attempt 1 of task LinearFlow/123/end/3
            LinearFlow/123/end/3/0.runtime                              | the outcome record of attempt 0 of task LinearFlow/123/end/3
            LinearFlow/123/end/3/0.runtime_stderr.log                   | the runtime_stderr log of attempt 0 of task LinearFlow/123/end/3
            LinearFlow/123/end/3/notes.txt                              | a file of task LinearFlow/123/end/3
            LinearFlow/data/31/31d415581f0a178dbec4ba818db4087ae9b5cd75 | the artifact blob 31d41558 of flow LinearFlow
            LinearFlow/data/31/31d415581f0a178dbec4ba818db4087ae9b5cd75_meta | the metadata of artifact blob 31d41558 of flow LinearFlow
            """)
    void names_the_metaflow_object_a_file_belongs_to(String relative, String expected) {
        assertThat(faults.describe(ROOT.resolve(relative))).isEqualTo(expected);
    }

    @Test
    void a_file_outside_the_root_is_not_named_either() {
        assertThat(faults.describe(Path.of("/etc/passwd"))).isEqualTo("a file outside the Metaflow directory");
    }

    @Test
    void the_public_form_keeps_the_kind_names_the_object_and_keeps_the_path_in_the_cause_only() {
        Path file = ROOT.resolve("LinearFlow/123/_meta/_self.json");
        LocalFaults.Undecodable decode = new LocalFaults.Undecodable(file, "is malformed JSON",
                "Unexpected character ('t' (code 116))", null);
        LocalFaults.Unreadable io = new LocalFaults.Unreadable(file, "cannot be read", "AccessDeniedException", null);

        MetaflowException d = faults.publicForm(decode);
        MetaflowException n = faults.publicForm(io);

        assertThat(d).isExactlyInstanceOf(MetaflowException.DecodeException.class)
                .hasMessage("the run record of LinearFlow/123 is malformed JSON").hasCause(decode);
        assertThat(n).isExactlyInstanceOf(MetaflowException.NoAnswerException.class)
                .hasMessage("the run record of LinearFlow/123 cannot be read").hasCause(io);
        assertThat(decode.getMessage()).isEqualTo(file + " is malformed JSON: Unexpected character ('t' (code 116))");
    }

    @Test
    void other_exceptions_pass_unchanged() {
        MetaflowException plain = new MetaflowException.DecodeException("artifact sha 'x' of flow F is not a "
                + "hexadecimal digest");

        assertThat(faults.publicForm(plain)).isSameAs(plain);
    }
}
