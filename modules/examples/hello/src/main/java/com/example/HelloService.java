package com.example;

import dev.graceful.launcher.GracefulServer;

/** A whole service: SIGTERM stops it without dropping a request, SIGHUP restarts it with zero downtime. */
public final class HelloService {
    public static void main(String[] args) {
        GracefulServer.builder()
                .routing(r -> r
                        .get("/", (req, res) -> res.send("hello"))
                        .get("/slow", (req, res) -> {
                            Thread.sleep(2_000);
                            res.send("done");
                        }))
                .build()
                .run(args);
    }
}
