package dev.junction.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that needs root and the given commands (network namespaces, netfilter). Without them
 * the test is skipped with a message that says what is missing; CI runs as root, so there it runs.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresRootCondition.class)
public @interface RequiresRoot {
    /** Commands that must be on the PATH, e.g. {@code "iptables-restore"}; {@code ip} is always required. */
    String[] commands() default {};
}
