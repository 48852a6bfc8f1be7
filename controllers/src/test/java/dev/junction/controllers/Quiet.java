package dev.junction.controllers;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Silences the mock web server's per-request java.util.logging output. */
final class Quiet {
    private static final Logger MOCK = Logger.getLogger("io.fabric8.mockwebserver");

    private Quiet() {
    }

    static void mockServer() {
        MOCK.setLevel(Level.WARNING);
    }
}
