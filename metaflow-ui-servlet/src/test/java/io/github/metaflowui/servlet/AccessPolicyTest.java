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
}
