import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What happens to connections waiting in a closing listener's accept queue, with and without
 * net.ipv4.tcp_migrate_req: two SO_REUSEPORT listeners share a port, the "old" one never accepts, N clients connect
 * (the kernel spreads them over both), then the old listener closes. Each client then sends a line; it is served
 * if the "new" listener got its connection, reset if the kernel dropped it with the old queue.
 * Run by bench/accept-queue inside a network namespace of its own.
 */
public final class AcceptQueue {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        ServerSocketChannel oldListener = listener(0);
        int port = ((InetSocketAddress) oldListener.getLocalAddress()).getPort();
        ServerSocketChannel newListener = listener(port);
        AtomicInteger accepted = new AtomicInteger();
        Thread.ofPlatform().daemon(true).start(() -> {
            while (true) {
                try {
                    SocketChannel s = newListener.accept();
                    accepted.incrementAndGet();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            s.read(ByteBuffer.allocate(16));
                            s.write(ByteBuffer.wrap("ok\n".getBytes()));
                        } catch (IOException ignored) {
                            // client gone
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        List<SocketChannel> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clients.add(SocketChannel.open(new InetSocketAddress("127.0.0.1", port)));
        }
        Thread.sleep(200);
        oldListener.close();
        int served = 0;
        int reset = 0;
        for (SocketChannel c : clients) {
            try (c) {
                c.write(ByteBuffer.wrap("ping\n".getBytes()));
                ByteBuffer buf = ByteBuffer.allocate(16);
                if (c.read(buf) > 0) {
                    served++;
                } else {
                    reset++;
                }
            } catch (IOException e) {
                reset++;
            }
        }
        System.out.println("connections=" + n + " served=" + served + " reset=" + reset);
    }

    private static ServerSocketChannel listener(int port) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        s.bind(new InetSocketAddress("127.0.0.1", port), 1024);
        return s;
    }
}
