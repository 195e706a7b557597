#!/usr/bin/env python3
"""Verifies a Paydesk webhook with the libraries merchants already use: the Standard
Webhooks reference library (`standardwebhooks`) on the `webhook-*` headers, and Stripe's
library on `Paydesk-Signature` (Stripe's `t=…,v1=…` scheme).

    verify_with_libraries.py SECRET HEADERS_JSON < raw_body

HEADERS_JSON holds the delivery's headers, names in lower case. Prints one line per
library, "standardwebhooks: valid" or "standardwebhooks: invalid (why)", and exits 0
only if both are valid. Both libraries check the timestamp against this machine's clock.
"""

import json
import sys

import standardwebhooks
import stripe

TOLERANCE_SECONDS = 300


def standard(secret: str, headers: dict, body: bytes) -> str | None:
    try:
        standardwebhooks.Webhook(secret).verify(body, headers)
    except Exception as e:  # the library's own error types differ by version
        return f"{type(e).__name__}: {e}"
    return None


def stripe_scheme(secret: str, headers: dict, body: bytes) -> str | None:
    try:
        stripe.WebhookSignature.verify_header(
            body.decode("utf-8"),
            headers.get("paydesk-signature", ""),
            secret,
            TOLERANCE_SECONDS,
        )
    except stripe.SignatureVerificationError as e:
        return str(e)
    return None


def main() -> int:
    secret, headers_json = sys.argv[1], sys.argv[2]
    headers = {k.lower(): v for k, v in json.loads(headers_json).items()}
    body = sys.stdin.buffer.read()
    failures = 0
    for name, check in (("standardwebhooks", standard), ("stripe", stripe_scheme)):
        why = check(secret, headers, body)
        print(f"{name}: valid" if why is None else f"{name}: invalid ({why})")
        failures += why is not None
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
