package dev.junction.bench.proxy;

import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.EndpointsMap;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.Protocol;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortMap;
import dev.junction.proxy.ServicePortName;
import dev.junction.proxy.userspace.Scheduler;
import dev.junction.proxy.userspace.UserspaceProxier;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request/response rate over loopback, direct to an echo backend and through the userspace proxy
 * (a stand-in for ../shared/bench/l4-proxy.sh when wrk/haproxy are not installed): C keep-alive
 * connections each send 64-byte requests and wait for the echo, for T seconds, interleaved.
 * Usage: {@code UserspaceThroughputBench [seconds=5] [connections=32] [rounds=3]}.
 */
public final class UserspaceThroughputBench {
    private UserspaceThroughputBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        try (ServerSocket echo = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
                UserspaceProxier proxier = new UserspaceProxier("127.0.0.1", Scheduler.RR, Duration.ofMillis(250),
                        Optional.empty(), List.of())) {
            Thread.ofVirtual().start(() -> {
                while (!echo.isClosed()) {
                    try {
                        Socket s = echo.accept();
                        s.setTcpNoDelay(true);
                        Thread.ofVirtual().start(() -> {
                            try (s) {
                                s.getInputStream().transferTo(s.getOutputStream());
                            } catch (IOException ignored) {
                                // client gone
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            ServicePortName name = new ServicePortName("bench", "echo", "", Protocol.TCP);
            proxier.sync(new ProxySnapshot(ServicePortMap.of(Map.of(name, ServicePortInfo.clusterIP("10.96.0.1", 80, Protocol.TCP))),
                    EndpointsMap.of(Map.of(name, List.of(EndpointInfo.ready("127.0.0.1", echo.getLocalPort()))))), NodeInfo.named("b"));
            int proxyPort = proxier.listenerPort(name).orElseThrow();
            for (int round = 1; round <= rounds; round++) {
                double direct = run(echo.getLocalPort(), connections, seconds);
                double proxied = run(proxyPort, connections, seconds);
                System.out.printf("RESULT l4 round=%d connections=%d direct_rps=%.0f userspace_rps=%.0f ratio=%.2f%n",
                        round, connections, direct, proxied, proxied / direct);
            }
        }
    }

    private static double run(int port, int connections, int seconds) throws Exception {
        AtomicLong count = new AtomicLong();
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                byte[] request = new byte[64];
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    s.setTcpNoDelay(true);
                    OutputStream out = s.getOutputStream();
                    InputStream in = new DataInputStream(s.getInputStream());
                    while (System.nanoTime() < deadline) {
                        out.write(request);
                        ((DataInputStream) in).readFully(request);
                        count.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return count.get() / (double) seconds;
    }
}
