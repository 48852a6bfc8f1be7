package dev.junction.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the argv that starts another Junction JVM with this JVM's java binary and classpath, e.g.
 * {@code java -Xmx256m … -cp … dev.junction.cli.Junction apiserver --data-dir …}. Each kind of
 * component shares a dynamic class-data-sharing archive ({@code cds/<kind>.jsa},
 * JDK 19+ {@code -XX:+AutoCreateSharedArchive}) so that the lab's dozen JVMs start faster after
 * the first run.
 */
public final class JvmCommand {
    private JvmCommand() {
    }

    /**
     * @param cds     directory for CDS archives
     * @param kind    archive name, e.g. {@code apiserver}
     * @param heapMb  maximum heap (-Xmx) in MiB
     * @param args    the Junction subcommand and its arguments
     * @return the full argv
     */
    public static List<String> of(Path cds, String kind, int heapMb, List<String> args) {
        return of(cds, kind, heapMb, List.of(), args);
    }

    /**
     * As {@link #of(Path, String, int, List)}, with extra JVM flags for this kind of component.
     *
     * @param cds      directory for CDS archives
     * @param kind     archive name, e.g. {@code apiserver}
     * @param heapMb   maximum heap (-Xmx) in MiB
     * @param jvmFlags flags added after the common ones, e.g. {@code -Xmn48m}
     * @param args     the Junction subcommand and its arguments
     * @return the full argv
     */
    public static List<String> of(Path cds, String kind, int heapMb, List<String> jvmFlags, List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(javaBinary());
        argv.add("-Xmx" + heapMb + "m");
        argv.add("-Xss512k");
        argv.add("-XX:+UseSerialGC");
        // a JVM out of heap exits (and the supervisor restarts it) instead of living on with dead
        // threads, as a container's OOM kill would end it
        argv.add("-XX:+ExitOnOutOfMemoryError");
        argv.add("-XX:SharedArchiveFile=" + cds.resolve(kind + ".jsa"));
        argv.add("-XX:+AutoCreateSharedArchive");
        argv.add("-Xlog:cds=off");
        argv.add("-Xlog:cds+dynamic=off");
        argv.addAll(nettyFlags(Runtime.version().feature()));
        argv.addAll(jvmFlags);
        argv.add("-cp");
        argv.add(System.getProperty("java.class.path"));
        argv.add(Junction.class.getName());
        argv.addAll(args);
        return argv;
    }

    /**
     * Flags that let Netty use {@code sun.misc.Unsafe} and direct-buffer internals (its fast path;
     * without them every buffer access is bounds-checked): the module opens Netty documents, and on
     * JDK 23+ ({@code --sun-misc-unsafe-memory-access}, JEP 471/498) the Unsafe memory-access opt-in,
     * a flag older JDKs would refuse.
     *
     * @param javaFeature the java binary's feature version (21, 25, …)
     */
    static List<String> nettyFlags(int javaFeature) {
        List<String> flags = new ArrayList<>(List.of("--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "-Dio.netty.tryReflectionSetAccessible=true",
                "--enable-native-access=ALL-UNNAMED"));
        if (javaFeature >= 23) {
            flags.add("--sun-misc-unsafe-memory-access=allow");
        }
        return flags;
    }

    /** This JVM's java executable. */
    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
