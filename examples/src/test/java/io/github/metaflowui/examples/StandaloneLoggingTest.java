package io.github.metaflowui.examples;

import org.junit.jupiter.api.Test;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.util.logging.Handler;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/** The runner hands core's java.util.logging / System.Logger records to SLF4J, so every line has one format. */
class StandaloneLoggingTest {

    @Test
    void java_util_logging_goes_through_slf4j_once_however_often_it_is_asked() {
        StandaloneMain.routeJavaLoggingToSlf4j();
        StandaloneMain.routeJavaLoggingToSlf4j();

        Handler[] handlers = Logger.getLogger("").getHandlers();
        assertThat(SLF4JBridgeHandler.isInstalled()).isTrue();
        assertThat(handlers).singleElement().isInstanceOf(SLF4JBridgeHandler.class);
        // core's loggers have no handlers of their own: their records reach the root's bridge
        assertThat(Logger.getLogger("io.github.metaflowui.core.index.IndexedBackend").getHandlers()).isEmpty();
        assertThat(Logger.getLogger("io.github.metaflowui.core.index.IndexedBackend").getUseParentHandlers()).isTrue();
    }
}
