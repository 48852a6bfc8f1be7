package dev.junction.node;

import io.fabric8.kubernetes.api.model.Container;
import java.util.List;
import java.util.Optional;

/**
 * Decides how a container without {@code command} runs: Junction has no image store, so only
 * images it implements itself ("built-in" images) can run without a command.
 */
@FunctionalInterface
public interface ImageResolver {

    /**
     * @param container the container (its {@code args} already expanded as kubelet does)
     * @return the argv to run, or empty when the image is not runnable here
     */
    Optional<List<String>> argvFor(Container container);

    /** A resolver that runs no image (every container needs a {@code command}). */
    static ImageResolver none() {
        return c -> Optional.empty();
    }
}
