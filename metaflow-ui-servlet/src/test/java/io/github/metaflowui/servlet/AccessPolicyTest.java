package io.github.metaflowui.servlet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class AccessPolicyTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "[::1]", "::ffff:127.0.0.1",
            "0000:0000:0000:0000:0000:0000:0000:0001", "::1%lo"})
    void loopback_addresses_are_loopback(String address) {
        assertThat(AccessPolicy.isLoopback(address)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "192.168.1.10", "::2", "fe80::1", "::ffff:10.0.0.1", "localhost",
            "127.0.0.1.evil.example", "", "128.0.0.1", "2130706433", "127.1", "not an address"})
    void everything_else_is_not_and_no_name_is_ever_resolved(String address) {
        assertThat(AccessPolicy.isLoopback(address)).isFalse();
    }

    @Test
    void null_is_not_loopback() {
        assertThat(AccessPolicy.isLoopback(null)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "localhost:8083", "LOCALHOST:8083", "localhost.", "127.0.0.1",
            "127.0.0.1:8083", "127.1.2.3:80", "[::1]", "[::1]:8083", "metaflow.localhost:8083", "a.b.localhost"})
    void loopback_host_headers_are_loopback_hosts(String host) {
        assertThat(AccessPolicy.isLoopbackHost(host)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "evil.example:8083", "localhost.evil.example", "127.0.0.1.nip.io",
            "notlocalhost", ".localhost", "10.0.0.1:8083", "[fe80::1]:80", "::1", "[::1", "[::1]x", "", " ",
            "2130706433", "0.0.0.0:8083"})
    void any_other_host_header_is_not_and_nothing_is_resolved(String host) {
        assertThat(AccessPolicy.isLoopbackHost(host)).isFalse();
    }

    @Test
    void a_missing_host_is_not_a_loopback_host() {
        assertThat(AccessPolicy.isLoopbackHost(null)).isFalse();
    }
}
