package dev.junction.apiserver;

import java.nio.file.Path;

/** Runs an API server in its own JVM for the kill-loop test: {@code <dataDir>}; prints {@code PORT <n>}. */
public final class ApiServerProcessMain {
    private ApiServerProcessMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ApiServer server = ApiServer.builder().dataDir(Path.of(args[0])).bindAddress("127.0.0.1").port(0)
                .advertiseAddress("127.0.0.1").build().start();
        System.out.println("PORT " + server.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
