package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ApiServerCommandTest {
    @Test
    void malformedCompactionIntervalIsAUsageErrorNamingTheFlag() {
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new ApiServerCommand()).setErr(new PrintWriter(err));
        int code = cmd.execute("--storage-backend", "etcd3", "--etcd-servers", "http://127.0.0.1:1", "--etcd-compaction-interval", "5 minutes");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--etcd-compaction-interval", "5 minutes");
    }
}
