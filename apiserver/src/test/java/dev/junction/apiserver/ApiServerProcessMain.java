package dev.junction.apiserver;

import java.nio.file.Path;
import java.util.List;

/**
 * Runs an API server in its own JVM for the kill-loop test and prints {@code PORT <n>}. Arguments:
 * {@code <dataDir>} (SQLite) or {@code --etcd <url>} (etcd3 backend), optionally followed by
 * {@code --exit}: stop once started (a normal exit, so that {@code -XX:+AutoCreateSharedArchive}
 * writes its class-data archive, which a SIGKILLed JVM never does).
 */
public final class ApiServerProcessMain {
    private ApiServerProcessMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ApiServer.Builder b = ApiServer.builder().bindAddress("127.0.0.1").port(0).advertiseAddress("127.0.0.1");
        if (args[0].equals("--etcd")) {
            b.storageBackend("etcd3").etcdServers(List.of(args[1]));
        } else {
            b.dataDir(Path.of(args[0]));
        }
        ApiServer server = b.build().start();
        System.out.println("PORT " + server.port());
        System.out.flush();
        if (args[args.length - 1].equals("--exit")) {
            server.close();
            System.exit(0);
        }
        Thread.currentThread().join();
    }
}
