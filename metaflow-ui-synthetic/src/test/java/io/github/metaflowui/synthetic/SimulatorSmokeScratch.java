package io.github.metaflowui.synthetic;

import io.github.metaflowui.client.service.MetadataServiceBackend;
import io.github.metaflowui.client.uibackend.UiServiceBackend;
import io.github.metaflowui.core.*;
import org.junit.jupiter.api.Test;

import java.time.*;

class SimulatorSmokeScratch {
    @Test
    void smoke() throws Exception {
        Instant asOf = Instant.parse("2026-12-03T12:00:00Z");
        Clock clock = Clock.fixed(asOf.plusSeconds(30), ZoneOffset.UTC);
        SyntheticArchive ar = SyntheticArchive.generate(ArchiveSpec.of(5000, 2000, asOf));
        System.out.println(ar + " " + ar.statusCounts() + " big " + ar.bigStepCounts());
        try (MetadataSimulator sim = MetadataSimulator.start(ar, 0, clock);
             UiServiceBackend ui = UiServiceBackend.builder().baseUri(sim.uiBackendUri()).clock(clock).build();
             MetadataServiceBackend svc = MetadataServiceBackend.builder().baseUri(sim.metadataServiceUri()).clock(clock).build()) {
            MetaflowClient c = MetaflowClient.of(ui);
            c.runs(RunQuery.all()).stream().limit(5).forEach(r -> System.out.println(r));
            c.runs(RunQuery.builder().sort(RunQuery.Sort.DURATION, SortOrder.DESC).build()).stream().limit(3).forEach(r -> System.out.println("DUR " + r.ref() + " " + r.duration()));
            System.out.println(ui.steps(ar.bigRun()));
            c.tasks(ar.bigRun(), TaskQuery.ofStep("sweep")).stream().limit(3).forEach(System.out::println);
            Task t = c.tasks(ar.bigRun(), TaskQuery.ofStep("sweep")).stream().filter(x -> x.attempts().size() > 1).findFirst().get();
            System.out.println(t);
            System.out.println(ui.logs(t.ref(), LogStream.STDERR, LogRequest.fromStart(0, 100).attempt(0)));
            System.out.println(ui.dag(ar.bigRun()));
            System.out.println(ui.parameters(ar.bigRun()));
            System.out.println(ui.artifacts(t.ref()));
            System.out.println(ui.metadata(t.ref()).size());
            MetaflowClient s = MetaflowClient.of(svc);
            String flow = ar.flows().get(0);
            s.runs(RunQuery.ofFlow(flow)).stream().limit(3).forEach(r -> System.out.println("SVC " + r));
            long n = s.runs(RunQuery.builder().flow(flow).status(Status.RUNNING).status(Status.COMPLETED).status(Status.FAILED).build()).stream().count();
            System.out.println("svc flow count " + n);
            System.out.println(svc.steps(ar.ref(10)));
            System.out.println(svc.run(ar.ref(ar.runCount() - 1)));
            System.out.println(ui.run(ar.ref(ar.runCount() - 1)));
            for (int i = 0; i < 50; i++) { RunRef rr = ar.ref(i); if (rr.run().value().startsWith("argo")) { System.out.println(ui.run(rr) + "\n" + svc.run(rr)); break; } }
        }
    }
}
