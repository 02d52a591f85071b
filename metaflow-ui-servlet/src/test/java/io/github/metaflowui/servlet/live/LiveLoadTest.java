package io.github.metaflowui.servlet.live;

import io.github.metaflowui.core.RunRef;
import io.github.metaflowui.core.Status;
import io.github.metaflowui.core.Task;
import io.github.metaflowui.core.testing.ScriptedBackend;
import io.github.metaflowui.core.watch.Watcher;
import io.github.metaflowui.servlet.MetaflowUiOptions;
import io.github.metaflowui.servlet.MetaflowUiServlet;
import io.github.metaflowui.servlet.TestServerAccess;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded load test on loopback that stops by itself: many SSE clients (1,000 by default;
 * {@code -Dmetaflow.live.clients=N}) and some clients that never read, all watching one running run
 * while it changes. Every reading client must end with the backend's final state; upstream calls
 * per poll interval must not grow with the clients, and neither may server threads or heap.
 */
class LiveLoadTest {
    private static final RunRef RUN = RunRef.of("LoadFlow", "1");
    private static final String[] RESOURCES = {"/flows/LoadFlow/runs/1", "/flows/LoadFlow/runs/1/steps",
            "/flows/LoadFlow/runs/1/tasks?_limit=200"};
    private static final int TASKS = 120;
    /** The resources polled: the three every client follows and the slow clients' log. */
    private static final int WATCHED = 4;
    private static final String PADDING = " " + "x".repeat(400);
    private static final String LOG = "/flows/LoadFlow/runs/1/steps/square/tasks/2/logs/out";
    private static final int SLOW_CLIENTS = 20;
    private static final Duration INTERVAL = Duration.ofMillis(100);

    @Test
    void a_thousand_viewers_cost_the_backend_what_one_does_and_all_end_with_its_final_state() throws Exception {
        int clients = Integer.getInteger("metaflow.live.clients", 1000);
        long fdLimit = fdLimit();
        if (fdLimit > 0 && fdLimit < 2L * (clients + SLOW_CLIENTS) + 1000) {
            clients = (int) Math.max(50, (fdLimit - 1000) / 2 - SLOW_CLIENTS);
            System.out.println("LiveLoadTest: the file descriptor limit (" + fdLimit + ") allows " + clients + " clients");
        }
        ScriptedBackend backend = new ScriptedBackend();
        backend.run("LoadFlow/1", Status.RUNNING, "heartbeat 1 s ago").task("LoadFlow/1/start/1", Status.COMPLETED);
        for (int i = 0; i < TASKS / 2; i++) {
            backend.task("LoadFlow/1/square/" + (i + 2), Status.RUNNING);
        }
        QueuedThreadPool pool = new QueuedThreadPool(64, 8);
        pool.setName("load-jetty");
        Watcher watcher = Watcher.builder(backend).activeInterval(INTERVAL).idleInterval(INTERVAL)
                .threadNamePrefix("metaflow-ui-watch-load").build();
        MetaflowUiServlet servlet = new MetaflowUiServlet(backend, MetaflowUiOptions.builder()
                .watcher(watcher).maxLiveClients(clients + SLOW_CLIENTS + 10)
                .heartbeatInterval(Duration.ofMillis(500)).slowClientTimeout(Duration.ofSeconds(2))
                .liveClientQueueBytes(1024 * 1024).build());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
        List<SseReader> readers = new ArrayList<>();
        List<Socket> slow = new ArrayList<>();
        try (TestServerAccess server = TestServerAccess.start(servlet, true, new Server(pool))) {
            StringBuilder q = new StringBuilder("/api/events");
            for (int i = 0; i < RESOURCES.length; i++) {
                q.append(i == 0 ? '?' : '&').append("resource=").append(URLEncoder.encode(RESOURCES[i], StandardCharsets.UTF_8));
            }
            URI uri = URI.create("http://127.0.0.1:" + server.port() + q);
            // the slow clients also follow a chatty log, so that what they do not read piles up
            String slowQuery = q + "&resource=" + URLEncoder.encode(LOG, StandardCharsets.UTF_8);

            List<ClientModel> models = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                ClientModel m = new ClientModel(RESOURCES.length);
                models.add(m);
                readers.add(SseReader.open(http, uri, null, m::accept));
            }
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                Socket s = new Socket();
                s.setReceiveBufferSize(1024);
                s.connect(new InetSocketAddress("127.0.0.1", server.port()));
                s.getOutputStream().write(("GET " + slowQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            int expected = clients + SLOW_CLIENTS;
            waitUntil("every client is connected", Duration.ofSeconds(60),
                    () -> servlet.liveStats().orElseThrow().clients() == expected);
            waitUntil("every client has its snapshots", Duration.ofSeconds(60),
                    () -> models.stream().allMatch(m -> m.rowsOf(RESOURCES[2]).size() == TASKS / 2 + 1));
            Measure baseline = Measure.take();
            long polls0 = watcher.pollCount();
            long calls0 = backend.totalCalls();
            long t0 = System.nanoTime();

            // the run progresses: tasks finish, new ones start, one is retried, then everything ends
            for (int step = 0; step < TASKS / 2; step++) {
                backend.task("LoadFlow/1/square/" + (step + 2), Status.COMPLETED);
                backend.task("LoadFlow/1/square/" + (TASKS / 2 + step + 2), step % 10 == 3
                        ? new Status[] {Status.FAILED, Status.RUNNING} : new Status[] {Status.RUNNING});
                backend.log("LoadFlow/1/square/2", io.github.metaflowui.core.LogStream.STDOUT, 0, 1500, PADDING);
                if (step % 2 == 0) {
                    Thread.sleep(INTERVAL.toMillis());
                }
            }
            Measure middle = Measure.take();
            for (int i = TASKS / 2; i < TASKS; i++) {
                backend.task("LoadFlow/1/square/" + (i + 2), i % 10 == 3 ? new Status[] {Status.FAILED, Status.COMPLETED}
                        : new Status[] {Status.COMPLETED});
            }
            backend.task("LoadFlow/1/end/" + (TASKS + 2), Status.COMPLETED);
            backend.run("LoadFlow/1", Status.COMPLETED, "end step succeeded");

            for (ClientModel m : models) {
                assertThat(m.done.await(120, TimeUnit.SECONDS)).as("a client got 'finished' for every resource").isTrue();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long polls = watcher.pollCount() - polls0;
            long calls = backend.totalCalls() - calls0;
            waitUntil("the slow clients are dropped (" + servlet.liveStats().orElseThrow() + ")", Duration.ofSeconds(20),
                    () -> servlet.liveStats().orElseThrow().dropped() >= SLOW_CLIENTS);
            Measure end = Measure.take();

            // every client ends with the backend's final state
            List<Task> finalTasks = backend.tasksOf(RUN);
            for (ClientModel m : models) {
                assertThat(m.error).isNull();
                Map<String, String> tasks = m.rowsOf(RESOURCES[2]);
                assertThat(tasks.keySet()).containsExactlyInAnyOrderElementsOf(
                        finalTasks.stream().map(t -> t.ref().pathspec()).toList());
                for (Task t : finalTasks) {
                    assertThat(tasks.get(t.ref().pathspec()))
                            .isEqualTo(t.status().status().wireName() + "#" + t.attempts().size());
                }
                assertThat(m.rowsOf(RESOURCES[0]).get("LoadFlow/1")).isEqualTo("completed");
                assertThat(m.rowsOf(RESOURCES[1]).get("LoadFlow/1/square")).isEqualTo("completed completed=" + TASKS);
            }
            // upstream: one poll per resource per interval (plus a status check when nothing in it runs)
            double intervals = seconds / (INTERVAL.toMillis() / 1000.0);
            System.out.printf("LiveLoadTest: %d clients + %d slow; %.1f s; %d polls (%.2f per resource per interval);"
                            + " %d backend calls (%.2f per poll); server threads %d -> %d -> %d; heap after GC %d -> %d -> %d MB;"
                            + " events per client %d%n",
                    clients, SLOW_CLIENTS, seconds, polls, polls / (WATCHED * intervals), calls,
                    (double) calls / polls, baseline.serverThreads, middle.serverThreads, end.serverThreads,
                    baseline.heapMb, middle.heapMb, end.heapMb, models.get(0).events);
            assertThat((double) calls / polls).isLessThanOrEqualTo(2.0);
            assertThat((double) polls).isLessThanOrEqualTo(WATCHED * (intervals + 5));
            assertThat(end.serverThreads).isLessThanOrEqualTo(baseline.serverThreads + 8);
            // the clients' own models live in this JVM too (about 10 MB more at the end); a server that
            // buffered per client or per event would add hundreds of MB here
            assertThat(end.heapMb).isLessThan(baseline.heapMb + 96);
        } finally {
            readers.forEach(SseReader::close);
            for (Socket s : slow) {
                s.close();
            }
            watcher.close();
        }
    }

    private record Measure(int serverThreads, long heapMb) {
        static Measure take() throws InterruptedException {
            System.gc();
            Thread.sleep(100);
            System.gc();
            int threads = (int) Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                    .filter(t -> t.getName().startsWith("load-jetty") || t.getName().startsWith("metaflow-")).count();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
            return new Measure(threads, heap);
        }
    }

    private static long fdLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return -1;
    }

    private static void waitUntil(String what, Duration timeout, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }
}
