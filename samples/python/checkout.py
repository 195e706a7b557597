#!/usr/bin/env python3
"""A merchant's whole integration with Paydesk, in Python's standard library only.

Creates an order (with an Idempotency-Key), prints its checkout URL, receives and
verifies the `order.paid` webhook, reads the order back, refunds part of it and
verifies `refund.succeeded`. With a test key the payment is made through the sandbox
bank by the gateway's test helper; with a live key it waits for a shopper.

    PAYDESK_API_URL=http://127.0.0.1:8080 PAYDESK_SECRET_KEY=sk_test_... python3 checkout.py
"""

import hashlib
import hmac
import http.server
import json
import os
import queue
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

API_URL = os.environ.get("PAYDESK_API_URL", "http://127.0.0.1:8080").rstrip("/")
SECRET_KEY = os.environ.get("PAYDESK_SECRET_KEY", "")
# Where the gateway can reach this script's webhook receiver.
WEBHOOK_HOST = os.environ.get("PAYDESK_WEBHOOK_HOST", "127.0.0.1")
WAIT_SECS = 60
TOLERANCE_SECS = 300


class PaydeskError(Exception):
    """A refusal from the API: `code` is stable, `message` is for people."""

    def __init__(self, status, code, message):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


def call(method, path, body=None, idempotency_key=None):
    """One API request; retries while the same key is still in flight (409)."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {SECRET_KEY}"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    for attempt in range(5):
        request = urllib.request.Request(API_URL + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as e:
            error = json.load(e).get("error", {})
            code = error.get("code", "unknown")
            if code == "idempotency_key_in_use" or code == "rate_limited":
                time.sleep(float(e.headers.get("Retry-After", "1")))
                continue
            raise PaydeskError(e.code, code, error.get("message", "")) from None
    raise PaydeskError(409, "idempotency_key_in_use", "still in flight after 5 tries")


def verify(secret, header, body, now):
    """`Paydesk-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""
    fields = [part.strip().partition("=") for part in header.split(",")]
    t = next((v for k, _, v in fields if k == "t"), "")
    if not t.isdigit():
        return False
    expected = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    matched = any(k == "v1" and hmac.compare_digest(expected, v) for k, _, v in fields)
    return matched and abs(now - int(t)) <= TOLERANCE_SECS


class Receiver(http.server.BaseHTTPRequestHandler):
    """Verifies every delivery before believing it; answers 2xx only to good ones."""

    secret = None
    events = queue.Queue()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        signature = self.headers.get("Paydesk-Signature", "")
        if self.secret is None or not verify(self.secret, signature, body, int(time.time())):
            self.send_response(400)
            self.end_headers()
            return
        self.send_response(204)
        self.end_headers()
        self.events.put(json.loads(body))

    def log_message(self, *args):
        pass


def wait_for(event_type, key, value):
    """The first verified event of `event_type` whose data[key] has `value`."""
    deadline = time.time() + WAIT_SECS
    while time.time() < deadline:
        try:
            event = Receiver.events.get(timeout=deadline - time.time())
        except queue.Empty:
            break
        if event["type"] == event_type and event["data"].get(key, {}).get("id") == value:
            return event
    raise SystemExit(f"no verified {event_type} for {value} within {WAIT_SECS} s")


def main():
    if not SECRET_KEY:
        raise SystemExit("set PAYDESK_SECRET_KEY to your secret key (sk_test_...)")
    server = http.server.ThreadingHTTPServer((WEBHOOK_HOST, 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    webhook_url = f"http://{WEBHOOK_HOST}:{server.server_address[1]}/webhooks/paydesk"

    # Once per integration in real life: the secret is shown only in this answer.
    _, endpoint = call(
        "POST",
        "/v1/webhook_endpoints",
        {"url": webhook_url, "event_types": ["order.paid", "refund.succeeded"],
         "description": "python sample"},
        idempotency_key=str(uuid.uuid4()),
    )
    Receiver.secret = endpoint["secret"]
    try:
        run()
    finally:
        call("DELETE", f"/v1/webhook_endpoints/{endpoint['id']}")
        server.shutdown()


def run():
    reference = f"py-{uuid.uuid4().hex[:12]}"
    status, order = call(
        "POST",
        "/v1/orders",
        {"currency": "CNY",
         "items": [{"name": "Longjing tea", "quantity": 2, "unit_price": "25.00"}],
         "merchant_reference": reference,
         "return_url": os.environ.get("PAYDESK_RETURN_URL",
                                      "http://127.0.0.1:8082/checkout/complete")},
        idempotency_key=f"order-{reference}",
    )
    print(f"order {order['id']} created ({status}), total {order['total']} {order['currency']}")
    print(f"checkout URL: {order['hosted_url']}")

    if SECRET_KEY.startswith("sk_test_"):
        _, order = call("POST", f"/v1/test_helpers/orders/{order['id']}/pay", {"outcome": "paid"})
        print(f"paid at the sandbox bank by the test helper: {order['status']}")
    else:
        print("waiting for the shopper to pay ...")

    paid = wait_for("order.paid", "order", order["id"])
    print(f"verified order.paid {paid['id']} for {order['id']}")

    _, order = call("GET", f"/v1/orders/{order['id']}")
    if order["status"] != "paid":
        raise SystemExit(f"order is {order['status']}, not paid")
    print(f"order {order['id']} is {order['status']}")

    _, refund = call(
        "POST",
        f"/v1/orders/{order['id']}/refunds",
        {"amount": "10.00", "reason": "requested_by_customer"},
        idempotency_key=f"refund-{reference}",
    )
    print(f"refund {refund['id']} of {refund['amount']} {refund['currency']} is {refund['status']}")

    # A refund beyond what is left is refused by its code, and nothing changes.
    try:
        call("POST", f"/v1/orders/{order['id']}/refunds", {"amount": "1000.00"},
             idempotency_key=f"refund-too-much-{reference}")
        raise SystemExit("a refund above the payment was accepted")
    except PaydeskError as e:
        if e.code != "refund_exceeds_payment":
            raise
        print(f"refused as expected: {e.code}")

    succeeded = wait_for("refund.succeeded", "refund", refund["id"])
    print(f"verified refund.succeeded {succeeded['id']} for {refund['id']}")
    print("done")


if __name__ == "__main__":
    try:
        main()
    except PaydeskError as e:
        print(f"Paydesk refused: {e}", file=sys.stderr)
        sys.exit(1)
