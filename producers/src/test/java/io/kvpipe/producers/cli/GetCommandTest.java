package io.kvpipe.producers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.kvpipe.producers.client.KvClient;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code get} against a stand-in query server. */
class GetCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final AtomicReference<String> lastUri = new AtomicReference<>();
    private HttpServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                lastUri.set(exchange.getRequestURI().getRawPath()
                        + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()));
                String path = exchange.getRequestURI().getPath();
                String answer = answers.get(path);
                int status = answer == null ? 404 : Integer.parseInt(answer.substring(0, 3));
                byte[] body = (answer == null ? "{\"error\":\"not found\"}" : answer.substring(4))
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, body.length);
                try (OutputStream o = exchange.getResponseBody()) {
                    o.write(body);
                }
            }
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private int get(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "get";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--query-url";
        all[args.length + 2] = url();
        return KvpipeCli.newCommandLine(c -> {
            throw new AssertionError("get needs no Kafka client");
        }, new PrintWriter(out, true), new PrintWriter(err, true)).execute(all);
    }

    @Test
    void aFoundKeyPrintsOneLineWithTheValueLast() {
        answers.put("/kv/user:42", "200 {\"key\":\"user:42\",\"value\":\"Ada Lovelace\",\"version\":3,\"partition\":2,"
                + "\"servedBy\":\"host-a:7070\",\"role\":\"primary\",\"stale\":false,\"lag\":0}");
        assertThat(get("user:42")).isZero();
        assertThat(out.toString()).isEqualTo(
                "found user:42 version=3 partition=2 role=primary served-by=host-a:7070 value=Ada Lovelace"
                        + System.lineSeparator());
    }

    @Test
    void aStaleReplicaSaysSo() {
        answers.put("/kv/k", "200 {\"key\":\"k\",\"value\":\"v\",\"version\":1,\"partition\":0,"
                + "\"servedBy\":\"host-b:7070\",\"role\":\"replica\",\"stale\":true,\"lag\":5}");
        assertThat(get("k")).isZero();
        assertThat(out.toString()).startsWith("found k version=1 partition=0 role=replica served-by=host-b:7070 stale lag=5 value=v");
    }

    @Test
    void aMissingKeyExitsOne() {
        assertThat(get("nothing")).isEqualTo(1);
        assertThat(out.toString()).isEqualTo("not-found nothing" + System.lineSeparator());
    }

    @Test
    void thePositionAndAnEscapedKeyGoToTheServer() {
        answers.put("/kv/a/b c", "200 {\"key\":\"a/b c\",\"value\":\"v\",\"version\":1}");
        assertThat(get("a/b c", "--position", "2:118")).isZero();
        assertThat(lastUri.get()).isEqualTo("/kv/a%2Fb%20c?position=2:118");
    }

    @Test
    void aVersionPositionGoesToTheServerToo() {
        answers.put("/kv/k", "200 {\"key\":\"k\",\"value\":\"v\",\"version\":4}");
        assertThat(get("k", "--position", "2:v4")).isZero();
        assertThat(lastUri.get()).isEqualTo("/kv/k?position=2:v4");
    }

    @Test
    void jsonPrintsTheAnswerAsItIs() {
        String body = "{\"key\":\"k\",\"value\":\"v\",\"version\":1}";
        answers.put("/kv/k", "200 " + body);
        assertThat(get("k", "--json")).isZero();
        assertThat(out.toString()).isEqualTo(body + System.lineSeparator());
    }

    @Test
    void aServerErrorIsAnErrorLine() {
        answers.put("/kv/k", "503 {\"error\":\"position 2:118 not reached within 5000 ms\"}");
        assertThat(get("k", "--position", "2:118")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo(
                "kvpipe-cli: the query server answered HTTP 503: position 2:118 not reached within 5000 ms"
                        + System.lineSeparator());
    }

    @Test
    void anUnreachableServerIsAnErrorLine() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        int code = KvpipeCli.newCommandLine(KvClient::create, new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("get", "k", "--query-url", "http://127.0.0.1:" + port);
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("kvpipe-cli: cannot reach the query server at http://127.0.0.1:" + port);
    }

    @Test
    void aBadPositionIsAnErrorLine() {
        assertThat(get("k", "--position", "soon")).isEqualTo(2);
        assertThat(err.toString()).startsWith("kvpipe-cli: a position is <partition>:<offset> or <partition>:v<version>");
    }
}
