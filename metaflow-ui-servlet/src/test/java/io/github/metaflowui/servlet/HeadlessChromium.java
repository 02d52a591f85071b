package io.github.metaflowui.servlet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real headless Chromium that loads a page, runs its scripts and prints the resulting DOM
 * ({@code --dump-dom}). Found as {@code -Dchromium=<path>}, {@code $CHROMIUM}, or {@code chromium},
 * {@code chromium-browser} or {@code google-chrome} on the {@code PATH}.
 */
final class HeadlessChromium {
    private HeadlessChromium() {
    }

    /** The browser executable, if one is installed. */
    static Optional<Path> find() {
        String configured = System.getProperty("chromium", System.getenv("CHROMIUM"));
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** The DOM of {@code url} once its scripts have run (up to 10 s of the page's own time). */
    static String dom(Path chromium, String url) {
        Path profile = null;
        try {
            profile = Files.createTempDirectory("chromium-profile");
            Path out = profile.resolve("dom.html");
            Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-first-run", "--disable-extensions", "--user-data-dir=" + profile,
                    "--virtual-time-budget=10000", "--dump-dom", url)
                    .redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("Chromium did not finish loading " + url + " within 90 s");
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (profile != null) {
                deleteQuietly(profile);
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary profile left behind is harmless
        }
    }
}
