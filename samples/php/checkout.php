<?php
// A merchant's whole integration with Paydesk, in PHP 8's standard library only (no
// extensions beyond those php-cli ships with: json, hash, sockets by streams).
//
// Creates an order (with an Idempotency-Key), prints its checkout URL, receives and
// verifies the `order.paid` webhook, reads the order back, refunds part of it and
// verifies `refund.succeeded`. With a test key the payment is made through the sandbox
// bank by the gateway's test helper; with a live key it waits for a shopper.
//
//   PAYDESK_API_URL=http://127.0.0.1:8080 PAYDESK_SECRET_KEY=sk_test_... php checkout.php

declare(strict_types=1);

const WAIT_SECS = 60;
const TOLERANCE_SECS = 300;

function env(string $name, string $fallback): string
{
    $value = getenv($name);
    return $value === false || $value === '' ? $fallback : $value;
}

$API_URL = rtrim(env('PAYDESK_API_URL', 'http://127.0.0.1:8080'), '/');
$SECRET_KEY = env('PAYDESK_SECRET_KEY', '');
$RETURN_URL = env('PAYDESK_RETURN_URL', 'http://127.0.0.1:8082/checkout/complete');
$WEBHOOK_HOST = env('PAYDESK_WEBHOOK_HOST', '127.0.0.1');

/** A refusal from the API: `code` is stable, the message is for people. */
final class PaydeskError extends Exception
{
    public function __construct(public readonly int $status, public readonly string $errorCode, string $message)
    {
        parent::__construct("$status {$errorCode}: $message");
    }
}

/** One API request; retries while the same key is still in flight (409) or rate limited. */
function call(string $method, string $path, ?array $body = null, ?string $idempotencyKey = null): array
{
    global $API_URL, $SECRET_KEY;
    $headers = ["Authorization: Bearer $SECRET_KEY"];
    if ($body !== null) {
        $headers[] = 'Content-Type: application/json';
    }
    if ($idempotencyKey !== null) {
        $headers[] = "Idempotency-Key: $idempotencyKey";
    }
    for ($attempt = 0; $attempt < 5; $attempt++) {
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => implode("\r\n", $headers),
            'content' => $body === null ? '' : json_encode($body),
            'ignore_errors' => true,
            'timeout' => 30,
        ]]);
        $answer = file_get_contents($API_URL . $path, false, $context);
        if ($answer === false) {
            throw new RuntimeException("cannot reach $API_URL");
        }
        $status = (int) explode(' ', $http_response_header[0])[1];
        $json = $answer === '' ? [] : json_decode($answer, true, 512, JSON_THROW_ON_ERROR);
        if ($status < 300) {
            return [$status, $json];
        }
        $code = $json['error']['code'] ?? 'unknown';
        if ($code === 'idempotency_key_in_use' || $code === 'rate_limited') {
            sleep(max(1, (int) (header_value($http_response_header, 'retry-after') ?? '1')));
            continue;
        }
        throw new PaydeskError($status, $code, $json['error']['message'] ?? '');
    }
    throw new PaydeskError(409, 'idempotency_key_in_use', 'still in flight after 5 tries');
}

function header_value(array $lines, string $name): ?string
{
    foreach ($lines as $line) {
        [$key, $value] = array_pad(explode(':', $line, 2), 2, '');
        if (strcasecmp(trim($key), $name) === 0) {
            return trim($value);
        }
    }
    return null;
}

/** `Paydesk-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
function verify(string $secret, string $header, string $body, int $now): bool
{
    $t = '';
    $signatures = [];
    foreach (explode(',', $header) as $part) {
        [$key, $value] = array_pad(explode('=', trim($part), 2), 2, '');
        if ($key === 't') {
            $t = $value;
        } elseif ($key === 'v1') {
            $signatures[] = $value;
        }
    }
    if (!ctype_digit($t)) {
        return false;
    }
    $expected = hash_hmac('sha256', "$t.$body", $secret);
    $matched = false;
    foreach ($signatures as $signature) {
        $matched = hash_equals($expected, $signature) || $matched;
    }
    return $matched && abs($now - (int) $t) <= TOLERANCE_SECS;
}

/** The webhook receiver: a listening socket, read whenever the script waits for an event. */
final class Receiver
{
    /** @var resource */
    private $server;
    public ?string $secret = null;
    private array $events = [];

    public function __construct(string $host)
    {
        $this->server = stream_socket_server("tcp://$host:0", $errno, $error);
        if ($this->server === false) {
            throw new RuntimeException("cannot listen: $error");
        }
    }

    public function url(): string
    {
        return 'http://' . stream_socket_get_name($this->server, false) . '/webhooks/paydesk';
    }

    /** The first verified event of `$type` whose data[$key]['id'] is `$id`. */
    public function waitFor(string $type, string $key, string $id): array
    {
        $deadline = microtime(true) + WAIT_SECS;
        while (true) {
            foreach ($this->events as $event) {
                if ($event['type'] === $type && ($event['data'][$key]['id'] ?? null) === $id) {
                    return $event;
                }
            }
            $left = $deadline - microtime(true);
            if ($left <= 0) {
                throw new RuntimeException("no verified $type for $id within " . WAIT_SECS . ' s');
            }
            $connection = @stream_socket_accept($this->server, $left);
            if ($connection !== false) {
                $this->serve($connection);
            }
        }
    }

    /** @param resource $connection */
    private function serve($connection): void
    {
        stream_set_timeout($connection, 10);
        $headers = [];
        $request = fgets($connection);
        while (($line = fgets($connection)) !== false && rtrim($line) !== '') {
            [$name, $value] = array_pad(explode(':', $line, 2), 2, '');
            $headers[strtolower(trim($name))] = trim($value);
        }
        $length = (int) ($headers['content-length'] ?? '0');
        $body = '';
        while (strlen($body) < $length && !feof($connection)) {
            $body .= fread($connection, $length - strlen($body));
        }
        $ok = $request !== false && str_starts_with($request, 'POST ') && $this->secret !== null
            && verify($this->secret, $headers['paydesk-signature'] ?? '', $body, time());
        fwrite($connection, $ok
            ? "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
            : "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        fclose($connection);
        if ($ok) {
            $this->events[] = json_decode($body, true, 512, JSON_THROW_ON_ERROR);
        }
    }
}

function run(Receiver $receiver): void
{
    global $SECRET_KEY, $RETURN_URL;
    $reference = 'php-' . bin2hex(random_bytes(6));
    [$status, $order] = call('POST', '/v1/orders', [
        'currency' => 'CNY',
        'items' => [['name' => 'Longjing tea', 'quantity' => 2, 'unit_price' => '25.00']],
        'merchant_reference' => $reference,
        'return_url' => $RETURN_URL,
    ], "order-$reference");
    echo "order {$order['id']} created ($status), total {$order['total']} {$order['currency']}\n";
    echo "checkout URL: {$order['hosted_url']}\n";

    if (str_starts_with($SECRET_KEY, 'sk_test_')) {
        [, $order] = call('POST', "/v1/test_helpers/orders/{$order['id']}/pay", ['outcome' => 'paid']);
        echo "paid at the sandbox bank by the test helper: {$order['status']}\n";
    } else {
        echo "waiting for the shopper to pay ...\n";
    }

    $paid = $receiver->waitFor('order.paid', 'order', $order['id']);
    echo "verified order.paid {$paid['id']} for {$order['id']}\n";

    [, $order] = call('GET', "/v1/orders/{$order['id']}");
    if ($order['status'] !== 'paid') {
        throw new RuntimeException("order is {$order['status']}, not paid");
    }
    echo "order {$order['id']} is {$order['status']}\n";

    [, $refund] = call('POST', "/v1/orders/{$order['id']}/refunds",
        ['amount' => '10.00', 'reason' => 'requested_by_customer'], "refund-$reference");
    echo "refund {$refund['id']} of {$refund['amount']} {$refund['currency']} is {$refund['status']}\n";

    // A refund beyond what is left is refused by its code, and nothing changes.
    try {
        call('POST', "/v1/orders/{$order['id']}/refunds", ['amount' => '1000.00'],
            "refund-too-much-$reference");
        throw new RuntimeException('a refund above the payment was accepted');
    } catch (PaydeskError $e) {
        if ($e->errorCode !== 'refund_exceeds_payment') {
            throw $e;
        }
        echo "refused as expected: {$e->errorCode}\n";
    }

    $succeeded = $receiver->waitFor('refund.succeeded', 'refund', $refund['id']);
    echo "verified refund.succeeded {$succeeded['id']} for {$refund['id']}\n";
    echo "done\n";
}

try {
    if ($SECRET_KEY === '') {
        throw new RuntimeException('set PAYDESK_SECRET_KEY to your secret key (sk_test_...)');
    }
    $receiver = new Receiver($WEBHOOK_HOST);
    // Once per integration in real life: the secret is shown only in this answer.
    [, $endpoint] = call('POST', '/v1/webhook_endpoints', [
        'url' => $receiver->url(),
        'event_types' => ['order.paid', 'refund.succeeded'],
        'description' => 'php sample',
    ], bin2hex(random_bytes(16)));
    $receiver->secret = $endpoint['secret'];
    try {
        run($receiver);
    } finally {
        call('DELETE', "/v1/webhook_endpoints/{$endpoint['id']}");
    }
} catch (PaydeskError $e) {
    fwrite(STDERR, "Paydesk refused: {$e->getMessage()}\n");
    exit(1);
} catch (Throwable $e) {
    fwrite(STDERR, $e->getMessage() . "\n");
    exit(1);
}
