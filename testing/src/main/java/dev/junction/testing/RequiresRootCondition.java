package dev.junction.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/** Evaluates {@link RequiresRoot}: skips unless the effective user is root and every command exists. */
public final class RequiresRootCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        var annotation = context.getElement()
                .flatMap(e -> AnnotationSupport.findAnnotation(e, RequiresRoot.class));
        if (annotation.isEmpty()) {
            return ConditionEvaluationResult.enabled("no @RequiresRoot");
        }
        if (!isRoot()) {
            return ConditionEvaluationResult.disabled("skipped: needs root (network namespaces, netfilter); CI runs it as root");
        }
        List<String> missing = new ArrayList<>();
        List<String> needed = new ArrayList<>(List.of("ip"));
        needed.addAll(List.of(annotation.get().commands()));
        for (String command : needed) {
            if (!onPath(command)) {
                missing.add(command);
            }
        }
        return missing.isEmpty()
                ? ConditionEvaluationResult.enabled("root with " + needed)
                : ConditionEvaluationResult.disabled("skipped: commands not installed: " + missing + " (.ci/run installs them)");
    }

    /** True when the JVM runs as uid 0. */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (Exception e) {
            return false;
        }
        return false;
    }

    /** True when {@code command} is an executable file in a PATH directory (or /usr/sbin, /sbin). */
    public static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
