package io.github.metaflowui.client.local.internal;

import io.github.metaflowui.core.ArtifactValue;
import io.github.metaflowui.core.MetaflowException;
import net.razorvine.pickle.Unpickler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The restricted pickle reader and the JSON rendering, on pickles made by CPython 3.11
 * ({@code pickle.dumps(value, protocol=N).hex()}) and compared with what {@code json.dumps} printed.
 */
class PickleDecodingTest {
    private static final Path SOURCE = Path.of("test.pickle");

    private static Object decode(String hex) {
        return PickleBlobs.unpickle(HexFormat.of().parseHex(hex), SOURCE);
    }

    private static ArtifactValue render(String hex, int maxChars) {
        Object v = decode(hex);
        return PythonValues.render(v, PythonValues.typeOf(v), OptionalLong.of(hex.length() / 2), maxChars);
    }

    // {"b": 1, "a": [1, 2.5, None, True, "x\"y\n\té\x01"], "t": (1, 2), 1: "int key", 2.5: "float key",
    //  None: "none key", True: "bool key"}
    private static final String MIXED_P2 = "80027d71002858010000006271014b0158010000006171025d7103284b01474004000000000000"
            + "4e8858080000007822790a09c3a90171046558010000007471054b014b028671064b015808000000626f6f6c206b657971074740"
            + "040000000000005809000000666c6f6174206b657971084e58080000006e6f6e65206b65797109752e";
    private static final String MIXED_P4 = "80049563000000000000007d94288c0162944b018c0161945d94284b014740040000000000004e"
            + "888c087822790a09c3a90194658c0174944b014b0286944b018c08626f6f6c206b6579944740040000000000008c09666c6f6174"
            + "206b6579944e8c086e6f6e65206b657994752e";
    private static final String MIXED_JSON =
            "{\"b\":1,\"a\":[1,2.5,null,true,\"x\\\"y\\n\\té\\u0001\"],\"t\":[1,2],\"1\":\"bool key\","
                    + "\"2.5\":\"float key\",\"null\":\"none key\"}";

    @Test
    void a_mixed_dict_renders_like_json_dumps_in_both_protocols() {
        for (String hex : List.of(MIXED_P2, MIXED_P4)) {
            ArtifactValue v = render(hex, 1000);
            assertThat(v.rendered()).isTrue();
            assertThat(v.truncated()).isFalse();
            assertThat(v.pythonType()).isEqualTo("dict");
            assertThat(v.display()).isEqualTo(MIXED_JSON);
        }
    }

    @Test
    void floats_render_as_python_repr() {
        String hex = "80049583000000000000005d9428473fb999999999999a473ee4f8b588e368f1474341c37937e0800047430c6bf5263400"
                + "0047419d6f34547df3b6478000000000000000474014000000000000473fd5555555555555470000000000000001477fefff"
                + "ffffffffff473f1a36e2eb1c432d474059000000000000474480f0cf064dd592473e90c6f7a0b5ed8d652e";

        assertThat(render(hex, 1000).display()).isEqualTo("[0.1,1e-05,1e+16,1000000000000000.0,123456789.123,-0.0,"
                + "5.0,0.3333333333333333,5e-324,1.7976931348623157e+308,0.0001,100.0,1e+22,2.5e-07]");
    }

    @Test
    void non_finite_floats_render_as_strings() {
        String hex = "80049520000000000000005d9428477ff8000000000000477ff000000000000047fff0000000000000652e";

        assertThat(render(hex, 100).display()).isEqualTo("[\"NaN\",\"Infinity\",\"-Infinity\"]");
    }

    @Test
    void big_integers_keep_every_digit() {
        String hex = "80049527000000000000005d94288a090000000000000000404afbffffff8a0500000080008a090000000000000080006"
                + "52e";

        assertThat(render(hex, 100).display()).isEqualTo("[1180591620717411303424,-5,2147483648,9223372036854775808]");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "set p2|8002635f5f6275696c74696e5f5f0a7365740a71005d71014b03618571025271032e|set|[3]",
            "set p4|80049507000000000000008f94284b03902e|set|[3]",
            "frozenset p2|8002635f5f6275696c74696e5f5f0a66726f7a656e7365740a71005d710158040000006f6e6c797102618571035271042e"
                    + "|frozenset|[\"only\"]",
            "frozenset p4|8004950b00000000000000288c046f6e6c799491942e|frozenset|[\"only\"]",
            "tuple p2|80024b01580300000074776f71004740080000000000008571018771022e|tuple|[1,\"two\",[3.0]]",
            "tuple p4|80049516000000000000004b018c0374776f94474008000000000000859487942e|tuple|[1,\"two\",[3.0]]",
            "nested sets|80049510000000000000005d94288f94284b0190284b029194652e|list|[[1],[2]]"})
    void sets_and_tuples_render_as_arrays(String name, String hex, String type, String json) {
        ArtifactValue v = render(hex, 100);

        assertThat(v.pythonType()).isEqualTo(type);
        assertThat(v.display()).isEqualTo(json);
        assertThat(v.rendered()).isTrue();
    }

    @Test
    void bytes_are_not_rendered_but_described() {
        ArtifactValue v = render("800495060000000000000043020001942e", 100);

        assertThat(v.rendered()).isFalse();
        assertThat(v.pythonType()).isEqualTo("bytes");
        assertThat(v.display()).isEqualTo("bytes (17 bytes)");
    }

    @Test
    void long_values_are_cut_to_the_requested_length() {
        ArtifactValue v = render(MIXED_P4, 10);

        assertThat(v.display()).isEqualTo(MIXED_JSON.substring(0, 10));
        assertThat(v.truncated()).isTrue();
        assertThat(v.rendered()).isTrue();
        assertThat(render(MIXED_P4, MIXED_JSON.length()).truncated()).isFalse();
    }

    @Test
    void a_cut_never_splits_a_surrogate_pair() {
        ArtifactValue v = PythonValues.render("a🚀b", "str", OptionalLong.empty(), 3);

        assertThat(v.display()).isEqualTo("\"a");
        assertThat(v.truncated()).isTrue();
    }

    @Test
    void a_value_referring_to_itself_is_not_rendered() {
        List<Object> self = new java.util.ArrayList<>();
        self.add(1);
        self.add(self);

        ArtifactValue v = PythonValues.render(self, "list", OptionalLong.of(20), 1000);

        assertThat(v.rendered()).isFalse();
        assertThat(v.display()).isEqualTo("list (20 bytes)");
    }

    @Test
    void recorded_types_and_sizes_describe_other_values() {
        assertThat(PythonValues.typeName("<class 'pandas.core.frame.DataFrame'>")).isEqualTo("pandas.core.frame.DataFrame");
        assertThat(PythonValues.typeName("<class 'builtins.dict'>")).isEqualTo("dict");
        assertThat(PythonValues.typeName("<class 'int'>")).isEqualTo("int");
        assertThat(PythonValues.unrendered("pandas.core.frame.DataFrame", OptionalLong.of(12_345), 100).display())
                .isEqualTo("pandas.core.frame.DataFrame (12,345 bytes)");
        assertThat(PythonValues.unrendered("numpy.ndarray", OptionalLong.of(1), 100).display())
                .isEqualTo("numpy.ndarray (1 byte)");
    }

    // ------------------------------------------------------------------ safety

    /** {@code class Evil: def __reduce__(self): return (os.system, ('touch /tmp/pwned-by-pickle',))}, protocol 2. */
    private static final String EVIL_P2 = "800263706f7369780a73797374656d0a7100581a000000746f756368202f746d702f70776e6564"
            + "2d62792d7069636b6c6571018571025271032e";
    /** {@code [Evil()]}, protocol 4 (STACK_GLOBAL). */
    private static final String EVIL_P4 = "80049538000000000000005d948c05706f736978948c0673797374656d9493948c1a746f756368"
            + "202f746d702f70776e65642d62792d7069636b6c659485945294612e";

    @Test
    void a_pickle_calling_a_function_gets_an_inert_object_instead() {
        Object p2 = decode(EVIL_P2);
        Object p4 = decode(EVIL_P4);

        assertThat(p2).isEqualTo(new SafeUnpickler.PyObject("posix", "system"));
        assertThat(p4).isEqualTo(List.of(new SafeUnpickler.PyObject("posix", "system")));
        ArtifactValue v = PythonValues.render(p4, "list", OptionalLong.of(63), 100);
        assertThat(v.rendered()).isFalse();
        assertThat(v.display()).isEqualTo("list (63 bytes)");
        assertThat(PythonValues.typeOf(p2)).isEqualTo("posix.system");
    }

    @Test
    void constructors_registered_with_pyrolite_are_never_called() {
        AtomicBoolean called = new AtomicBoolean();
        Unpickler.registerConstructor("posix", "system", args -> {
            called.set(true);
            return "ran";
        });

        Object v = decode(EVIL_P4);

        assertThat(called).isFalse();
        assertThat(v).isEqualTo(List.of(new SafeUnpickler.PyObject("posix", "system")));
    }

    @Test
    void garbage_is_a_decode_error_naming_the_source() {
        assertThatThrownBy(() -> decode("80049501"))
                .isInstanceOf(MetaflowException.DecodeException.class)
                .hasMessageStartingWith("test.pickle cannot be decoded as a pickle: ");
        assertThatThrownBy(() -> decode("ff"))
                .isInstanceOf(LocalFaults.Undecodable.class)
                .hasMessageStartingWith("test.pickle cannot be decoded as a pickle: ")
                .extracting(e -> ((LocalFaults.Fault) e).problem()).isEqualTo("cannot be decoded as a pickle");
    }

    // ------------------------------------------------------------------ blobs

    @Test
    void blobs_are_gunzipped_unless_marked_raw(@TempDir Path tmp) throws IOException {
        byte[] pickle = HexFormat.of().parseHex(MIXED_P4);
        Path gz = tmp.resolve("aa11");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(pickle);
        }
        Files.writeString(tmp.resolve("aa11_meta"), "{\"cas_raw\": false, \"cas_version\": 1}");
        Path raw = Files.write(tmp.resolve("bb22"), pickle);
        Files.writeString(tmp.resolve("bb22_meta"), "{\"cas_raw\": true, \"cas_version\": 1}");

        assertThat(PickleBlobs.load(gz).map(v -> PythonValues.toJson(v, 1000).orElseThrow().text())).contains(MIXED_JSON);
        assertThat(PickleBlobs.load(raw).map(v -> PythonValues.toJson(v, 1000).orElseThrow().text())).contains(MIXED_JSON);
        assertThat(PickleBlobs.load(tmp.resolve("missing"))).isEmpty();
    }

    @Test
    void blobs_over_16_mib_on_disk_are_refused(@TempDir Path tmp) throws IOException {
        Path big = tmp.resolve("cc33");
        try (var ch = java.nio.channels.FileChannel.open(big, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[]{1}), PickleBlobs.MAX_COMPRESSED);
        }

        assertThatThrownBy(() -> PickleBlobs.readPickle(big))
                .isInstanceOf(MetaflowException.DecodeException.class)
                .hasMessage(big + " is 16777217 bytes, over the 16 MiB limit for decoding");
    }

    @Test
    void blobs_over_64_mib_once_decompressed_are_refused(@TempDir Path tmp) throws IOException {
        Path bomb = tmp.resolve("dd44");
        byte[] zeros = new byte[1 << 20];
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(bomb))) {
            for (int i = 0; i < 65; i++) {
                out.write(zeros);
            }
        }

        assertThat(Files.size(bomb)).isLessThan(PickleBlobs.MAX_COMPRESSED);
        assertThatThrownBy(() -> PickleBlobs.readPickle(bomb))
                .isInstanceOf(MetaflowException.DecodeException.class)
                .hasMessage(bomb + " is over the 64 MiB limit once decompressed");
    }

    @Test
    void a_sha_that_is_not_hex_is_refused_before_touching_the_disk() {
        assertThatThrownBy(() -> PickleBlobs.blobPath(Path.of("root"), "Flow", "../../etc/passwd"))
                .isInstanceOf(MetaflowException.DecodeException.class)
                .hasMessage("artifact sha '../../etc/passwd' of flow Flow is not a hexadecimal digest");
        assertThat(PickleBlobs.blobPath(Path.of("root"), "Flow", "31d415"))
                .isEqualTo(Path.of("root", "Flow", "data", "31", "31d415"));
    }

    @Test
    void dict_order_survives_setitems() {
        Object v = decode(MIXED_P4);

        assertThat(v).isInstanceOf(Map.class);
        List<Object> keys = new java.util.ArrayList<>(((Map<?, ?>) v).keySet());
        assertThat(keys).containsExactly("b", "a", "t", 1, 2.5, null);
    }
}
