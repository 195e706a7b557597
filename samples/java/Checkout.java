// A merchant's whole integration with Paydesk, in Java 17's standard library only
// (java.net.http for the API, com.sun.net.httpserver for webhooks, javax.crypto for
// signatures, and a small JSON reader below: the JDK has none).
//
// Creates an order (with an Idempotency-Key), prints its checkout URL, receives and
// verifies the `order.paid` webhook, reads the order back, refunds part of it and
// verifies `refund.succeeded`. With a test key the payment is made through the sandbox
// bank by the gateway's test helper; with a live key it waits for a shopper.
//
//   PAYDESK_API_URL=http://127.0.0.1:8080 PAYDESK_SECRET_KEY=sk_test_... java Checkout.java

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class Checkout {
    static final String API_URL = env("PAYDESK_API_URL", "http://127.0.0.1:8080").replaceAll("/$", "");
    static final String SECRET_KEY = env("PAYDESK_SECRET_KEY", "");
    static final String RETURN_URL = env("PAYDESK_RETURN_URL", "http://127.0.0.1:8082/checkout/complete");
    static final String WEBHOOK_HOST = env("PAYDESK_WEBHOOK_HOST", "127.0.0.1");
    static final Duration WAIT = Duration.ofSeconds(60);
    static final long TOLERANCE_SECS = 300;
    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }

    /** A refusal from the API: {@code code} is stable, the message is for people. */
    static final class PaydeskException extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        PaydeskException(int status, String code, String message) {
            super(status + " " + code + ": " + message);
            this.status = status;
            this.code = code;
        }
    }

    record Answer(int status, Map<String, Object> body) {
        String get(String key) {
            return (String) body.get(key);
        }
    }

    /** One API request; retries while the same key is still in flight (409) or rate limited. */
    static Answer call(String method, String path, String json, String idempotencyKey)
            throws IOException, InterruptedException, PaydeskException {
        for (int attempt = 0; attempt < 5; attempt++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(API_URL + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + SECRET_KEY)
                    .method(method, json == null
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(json));
            if (json != null) request.header("Content-Type", "application/json");
            if (idempotencyKey != null) request.header("Idempotency-Key", idempotencyKey);
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Map<String, Object> body = response.body().isEmpty() ? Map.of() : Json.object(response.body());
            if (response.statusCode() < 300) return new Answer(response.statusCode(), body);
            @SuppressWarnings("unchecked")
            Map<String, Object> error = (Map<String, Object>) body.getOrDefault("error", Map.of());
            String code = (String) error.getOrDefault("code", "unknown");
            if (code.equals("idempotency_key_in_use") || code.equals("rate_limited")) {
                long seconds = response.headers().firstValueAsLong("retry-after").orElse(1);
                Thread.sleep(1000 * Math.max(seconds, 1));
                continue;
            }
            throw new PaydeskException(response.statusCode(), code, (String) error.getOrDefault("message", ""));
        }
        throw new PaydeskException(409, "idempotency_key_in_use", "still in flight after 5 tries");
    }

    /** {@code Paydesk-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">}. */
    static boolean verify(String secret, String header, byte[] body, long now) {
        String t = "";
        List<String> signatures = new ArrayList<>();
        for (String part : header.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2) continue;
            if (kv[0].equals("t")) t = kv[1];
            if (kv[0].equals("v1")) signatures.add(kv[1]);
        }
        if (!t.matches("\\d{1,18}")) return false;
        byte[] expected;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
            expected = mac.doFinal(body);
        } catch (Exception e) {
            return false;
        }
        boolean matched = false;
        for (String signature : signatures) {
            byte[] got;
            try {
                got = HexFormat.of().parseHex(signature);
            } catch (IllegalArgumentException e) {
                continue;
            }
            matched |= MessageDigest.isEqual(expected, got);
        }
        return matched && Math.abs(now - Long.parseLong(t)) <= TOLERANCE_SECS;
    }

    /** Verified webhook events, and waiting for one. */
    static final class Inbox {
        private final List<Map<String, Object>> events = new ArrayList<>();
        volatile String secret;

        synchronized void add(Map<String, Object> event) {
            events.add(event);
            notifyAll();
        }

        /** The first verified event of {@code type} whose data[key].id is {@code id}. */
        @SuppressWarnings("unchecked")
        synchronized Map<String, Object> waitFor(String type, String key, String id) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                for (Map<String, Object> event : events) {
                    Map<String, Object> data = (Map<String, Object>) event.get("data");
                    Map<String, Object> subject = (Map<String, Object>) data.get(key);
                    if (type.equals(event.get("type")) && subject != null && id.equals(subject.get("id"))) {
                        return event;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("no verified " + type + " for " + id + " within " + WAIT);
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    static HttpServer receive(Inbox inbox) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(WEBHOOK_HOST, 0), 16);
        server.createContext("/webhooks/paydesk", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String signature = exchange.getRequestHeaders().getFirst("Paydesk-Signature");
            String secret = inbox.secret;
            boolean ok = "POST".equals(exchange.getRequestMethod()) && secret != null && signature != null
                    && verify(secret, signature, body, System.currentTimeMillis() / 1000);
            exchange.sendResponseHeaders(ok ? 204 : 400, -1);
            exchange.close();
            if (ok) inbox.add(Json.object(new String(body, StandardCharsets.UTF_8)));
        });
        server.start();
        return server;
    }

    static void run(Inbox inbox) throws Exception {
        String reference = "java-" + UUID.randomUUID().toString().substring(0, 12);
        Answer created = call("POST", "/v1/orders", """
                {"currency": "CNY",
                 "items": [{"name": "Longjing tea", "quantity": 2, "unit_price": "25.00"}],
                 "merchant_reference": "%s", "return_url": "%s"}"""
                .formatted(reference, RETURN_URL), "order-" + reference);
        String orderId = created.get("id");
        System.out.printf("order %s created (%d), total %s %s%n",
                orderId, created.status(), created.get("total"), created.get("currency"));
        System.out.printf("checkout URL: %s%n", created.get("hosted_url"));

        if (SECRET_KEY.startsWith("sk_test_")) {
            Answer paid = call("POST", "/v1/test_helpers/orders/" + orderId + "/pay", "{\"outcome\": \"paid\"}", null);
            System.out.printf("paid at the sandbox bank by the test helper: %s%n", paid.get("status"));
        } else {
            System.out.println("waiting for the shopper to pay ...");
        }

        Map<String, Object> paid = inbox.waitFor("order.paid", "order", orderId);
        System.out.printf("verified order.paid %s for %s%n", paid.get("id"), orderId);

        Answer order = call("GET", "/v1/orders/" + orderId, null, null);
        if (!"paid".equals(order.get("status"))) {
            throw new IllegalStateException("order is " + order.get("status") + ", not paid");
        }
        System.out.printf("order %s is %s%n", orderId, order.get("status"));

        String refunds = "/v1/orders/" + orderId + "/refunds";
        Answer refund = call("POST", refunds, "{\"amount\": \"10.00\", \"reason\": \"requested_by_customer\"}",
                "refund-" + reference);
        System.out.printf("refund %s of %s %s is %s%n",
                refund.get("id"), refund.get("amount"), refund.get("currency"), refund.get("status"));

        // A refund beyond what is left is refused by its code, and nothing changes.
        try {
            call("POST", refunds, "{\"amount\": \"1000.00\"}", "refund-too-much-" + reference);
            throw new IllegalStateException("a refund above the payment was accepted");
        } catch (PaydeskException e) {
            if (!e.code.equals("refund_exceeds_payment")) throw e;
            System.out.printf("refused as expected: %s%n", e.code);
        }

        Map<String, Object> succeeded = inbox.waitFor("refund.succeeded", "refund", refund.get("id"));
        System.out.printf("verified refund.succeeded %s for %s%n", succeeded.get("id"), refund.get("id"));
        System.out.println("done");
    }

    public static void main(String[] args) throws Exception {
        if (SECRET_KEY.isEmpty()) {
            System.err.println("set PAYDESK_SECRET_KEY to your secret key (sk_test_...)");
            System.exit(1);
        }
        Inbox inbox = new Inbox();
        HttpServer server = receive(inbox);
        String url = "http://" + WEBHOOK_HOST + ":" + server.getAddress().getPort() + "/webhooks/paydesk";
        try {
            // Once per integration in real life: the secret is shown only in this answer.
            Answer endpoint = call("POST", "/v1/webhook_endpoints", """
                    {"url": "%s", "event_types": ["order.paid", "refund.succeeded"],
                     "description": "java sample"}""".formatted(url), UUID.randomUUID().toString());
            inbox.secret = endpoint.get("secret");
            try {
                run(inbox);
            } finally {
                call("DELETE", "/v1/webhook_endpoints/" + endpoint.get("id"), null, null);
            }
        } catch (PaydeskException e) {
            System.err.println("Paydesk refused: " + e.getMessage());
            System.exit(1);
        } finally {
            server.stop(0);
        }
    }

    /** Just enough JSON: objects, arrays, strings, numbers (kept as text), booleans, null. */
    static final class Json {
        private final String text;
        private int at;

        private Json(String text) {
            this.text = text;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> object(String text) {
            Json json = new Json(text);
            Object value = json.value();
            json.space();
            if (json.at != text.length() || !(value instanceof Map)) {
                throw new IllegalArgumentException("not a JSON object");
            }
            return (Map<String, Object>) value;
        }

        private void space() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
        }

        private char peek() {
            space();
            if (at >= text.length()) throw new IllegalArgumentException("JSON ends early");
            return text.charAt(at);
        }

        private void expect(char c) {
            if (peek() != c) throw new IllegalArgumentException("expected " + c + " at " + at);
            at++;
        }

        private Object value() {
            char c = peek();
            if (c == '{') {
                Map<String, Object> map = new LinkedHashMap<>();
                at++;
                if (peek() == '}') { at++; return map; }
                do {
                    String key = string();
                    expect(':');
                    map.put(key, value());
                } while (peek() == ',' && at++ >= 0);
                expect('}');
                return map;
            }
            if (c == '[') {
                List<Object> list = new ArrayList<>();
                at++;
                if (peek() == ']') { at++; return list; }
                do {
                    list.add(value());
                } while (peek() == ',' && at++ >= 0);
                expect(']');
                return list;
            }
            if (c == '"') return string();
            for (String word : new String[] {"true", "false", "null"}) {
                if (text.startsWith(word, at)) {
                    at += word.length();
                    return word.equals("null") ? null : Boolean.valueOf(word);
                }
            }
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) at++;
            if (start == at) throw new IllegalArgumentException("unexpected " + c + " at " + at);
            return text.substring(start, at);
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = text.charAt(at++);
                if (c == '"') return out.toString();
                if (c != '\\') { out.append(c); continue; }
                char e = text.charAt(at++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> { out.append((char) Integer.parseInt(text.substring(at, at + 4), 16)); at += 4; }
                    default -> out.append(e);
                }
            }
        }
    }
}
