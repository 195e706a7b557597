#!/usr/bin/env python3
"""Verifies a Paydesk webhook with nothing but Python's standard library, the way a
merchant's receiver would.

    verify_webhook.py SECRET SIGNATURE_HEADER NOW_UNIX_SECONDS < raw_body

Exits 0 and prints "valid" if one v1 signature matches and the timestamp is within five
minutes of NOW; exits 1 and prints why not otherwise.
"""

import hashlib
import hmac
import sys

TOLERANCE_SECONDS = 300


def verify(secret: str, header: str, body: bytes, now: int) -> str | None:
    timestamp = None
    signatures = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            return "malformed header"
        if key == "t":
            timestamp = value
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not timestamp.isdigit() or not signatures:
        return "malformed header"
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    if not any(hmac.compare_digest(expected, s) for s in signatures):
        return "no signature matches"
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return "timestamp outside the tolerance"
    return None


def main() -> int:
    secret, header, now = sys.argv[1], sys.argv[2], int(sys.argv[3])
    problem = verify(secret, header, sys.stdin.buffer.read(), now)
    print(problem or "valid")
    return 1 if problem else 0


if __name__ == "__main__":
    sys.exit(main())
