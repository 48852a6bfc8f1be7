package dev.junction.ingress;

import static dev.junction.ingress.Fixtures.ingress;
import static dev.junction.ingress.Fixtures.path;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The ingress controller for bench/ingress/run.sh: fabric8's mock API server (CRUD mode) holding
 * one catch-all Ingress to one Service whose only endpoint is the benchmark backend, and the
 * controller on loopback. Prints {@code READY http=<port> https=<port> health=<port>} and runs
 * until killed.
 *
 * <p>Arguments: {@code <backend-ip> <backend-port> <http-port> <https-port> <workers>}.
 */
public final class IngressBenchServer {
    private IngressBenchServer() {
    }

    public static void main(String[] args) throws Exception {
        String ip = args[0];
        int backendPort = Integer.parseInt(args[1]);
        int httpPort = Integer.parseInt(args[2]);
        int httpsPort = Integer.parseInt(args[3]);
        int workers = Integer.parseInt(args[4]);
        MockApi api = new MockApi();
        api.apply(Fixtures.ingressClass("junction", true));
        api.apply(Fixtures.service("bench", "backend", "http", 80));
        api.apply(Fixtures.slice("bench", "backend-1", "backend", "http", backendPort, Map.of(ip, true)));
        api.apply(ingress("bench", "bench").rule("", path("Prefix", "/", "backend", 80)).build());
        IngressController c = IngressController.builder().client(api.client).bindAddress(InetAddress.getLoopbackAddress())
                .httpPort(httpPort).httpsPort(httpsPort).healthPort(0).workerThreads(workers).build().start();
        while (!c.ready() || c.routeTable().lookup("127.0.0.1", "/").isEmpty()) {
            Thread.sleep(50);
        }
        System.out.println("READY http=" + c.httpPort() + " https=" + c.httpsPort() + " health=" + c.healthPort());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            c.close();
            api.close();
        }));
        new CountDownLatch(1).await();
    }
}
