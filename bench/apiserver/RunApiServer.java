/** Runs Junction's {@code apiserver} command in its own JVM for the benchmark (source launcher). */
public class RunApiServer {
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new dev.junction.apiserver.ApiServerCommand()).execute(args));
    }
}
