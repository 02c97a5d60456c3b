package io.kvpipe.app.topology;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test of the topology on a default {@link Pipeline} with a state directory of its own, fresh for each test. */
abstract class PipelineTest {

    @TempDir
    Path stateDir;

    Pipeline pipeline;

    @BeforeEach
    void startPipeline() {
        pipeline = new Pipeline(stateDir);
    }

    @AfterEach
    void stopPipeline() {
        pipeline.close();
    }
}
