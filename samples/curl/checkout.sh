#!/usr/bin/env bash
# A merchant's whole integration with Paydesk, in curl and the shell (with socat to
# receive webhooks and openssl to verify them).
#
# Creates an order (with an Idempotency-Key), prints its checkout URL, receives and
# verifies the `order.paid` webhook, reads the order back, refunds part of it and
# verifies `refund.succeeded`. With a test key the payment is made through the sandbox
# bank by the gateway's test helper; with a live key it waits for a shopper.
#
#   PAYDESK_API_URL=http://127.0.0.1:8080 PAYDESK_SECRET_KEY=sk_test_... ./checkout.sh
#
# The shell has no JSON parser: `field` below reads the first value of a key from the
# gateway's compact JSON, which is enough here. Real code should use jq or a language.
set -euo pipefail

API_URL=${PAYDESK_API_URL:-http://127.0.0.1:8080}
API_URL=${API_URL%/}
SECRET_KEY=${PAYDESK_SECRET_KEY:?set PAYDESK_SECRET_KEY to your secret key (sk_test_...)}
RETURN_URL=${PAYDESK_RETURN_URL:-http://127.0.0.1:8082/checkout/complete}
WEBHOOK_HOST=${PAYDESK_WEBHOOK_HOST:-127.0.0.1}
WEBHOOK_PORT=${PAYDESK_WEBHOOK_PORT:-8090}
WAIT_SECS=60
here=$(cd "$(dirname "$0")" && pwd)

# call METHOD PATH [BODY] [IDEMPOTENCY-KEY]: prints the answer; on a refusal prints
# the error code to stderr and returns 1. Retries while the key is still in flight.
call() {
  local method=$1 path=$2 body=${3:-} key=${4:-} answer status code
  local args=(-sS -X "$method" -H "Authorization: Bearer $SECRET_KEY" -w '\n%{http_code}')
  [ -n "$body" ] && args+=(-H "Content-Type: application/json" -d "$body")
  [ -n "$key" ] && args+=(-H "Idempotency-Key: $key")
  for _ in 1 2 3 4 5; do
    answer=$(curl "${args[@]}" "$API_URL$path")
    status=${answer##*$'\n'}
    answer=${answer%$'\n'*}
    if (( status < 300 )); then
      printf '%s' "$answer"
      return 0
    fi
    code=$(field code <<< "$answer")
    case "$code" in
      idempotency_key_in_use | rate_limited) sleep 1 ;;
      *) echo "$code" >&2; return 1 ;;
    esac
  done
  echo idempotency_key_in_use >&2
  return 1
}

# field KEY: the first string value of KEY in the JSON on stdin.
field() {
  grep -o "\"$1\":\"[^\"]*\"" | head -1 | cut -d'"' -f4
}

# wait_for TYPE SUBJECT ID: the id of the first verified event of TYPE about ID.
wait_for() {
  local type=$1 subject=$2 id=$3 deadline=$(( $(date +%s) + WAIT_SECS )) file
  while (( $(date +%s) < deadline )); do
    for file in "$PAYDESK_SPOOL"/evt_*.json; do
      [ -e "$file" ] || continue
      if grep -q "\"type\":\"$type\"" "$file" && grep -q "\"$subject\":{\"id\":\"$id\"" "$file"; then
        basename "$file" .json
        return 0
      fi
    done
    sleep 0.2
  done
  echo "no verified $type for $id within $WAIT_SECS s" >&2
  return 1
}

export PAYDESK_SPOOL
PAYDESK_SPOOL=$(mktemp -d)
socat "TCP-LISTEN:$WEBHOOK_PORT,bind=$WEBHOOK_HOST,reuseaddr,fork" SYSTEM:"bash '$here/receive.sh'" &
receiver=$!
endpoint_id=""
cleanup() {
  [ -n "$endpoint_id" ] && call DELETE "/v1/webhook_endpoints/$endpoint_id" > /dev/null || true
  kill "$receiver" 2> /dev/null || true
  rm -rf "$PAYDESK_SPOOL"
}
trap cleanup EXIT

# Once per integration in real life: the secret is shown only in this answer.
endpoint=$(call POST /v1/webhook_endpoints \
  "{\"url\": \"http://$WEBHOOK_HOST:$WEBHOOK_PORT/webhooks/paydesk\",
    \"event_types\": [\"order.paid\", \"refund.succeeded\"], \"description\": \"curl sample\"}" \
  "endpoint-$(openssl rand -hex 8)")
endpoint_id=$(field id <<< "$endpoint")
field secret <<< "$endpoint" > "$PAYDESK_SPOOL/secret"

reference="sh-$(openssl rand -hex 6)"
order=$(call POST /v1/orders \
  "{\"currency\": \"CNY\",
    \"items\": [{\"name\": \"Longjing tea\", \"quantity\": 2, \"unit_price\": \"25.00\"}],
    \"merchant_reference\": \"$reference\", \"return_url\": \"$RETURN_URL\"}" \
  "order-$reference")
order_id=$(field id <<< "$order")
echo "order $order_id created, total $(field total <<< "$order") $(field currency <<< "$order")"
echo "checkout URL: $(field hosted_url <<< "$order")"

if [[ "$SECRET_KEY" == sk_test_* ]]; then
  paid=$(call POST "/v1/test_helpers/orders/$order_id/pay" '{"outcome": "paid"}')
  echo "paid at the sandbox bank by the test helper: $(field status <<< "$paid")"
else
  echo "waiting for the shopper to pay ..."
fi

event=$(wait_for order.paid order "$order_id")
echo "verified order.paid $event for $order_id"

status=$(call GET "/v1/orders/$order_id" | field status)
[ "$status" = paid ] || { echo "order is $status, not paid" >&2; exit 1; }
echo "order $order_id is $status"

refund=$(call POST "/v1/orders/$order_id/refunds" \
  '{"amount": "10.00", "reason": "requested_by_customer"}' "refund-$reference")
refund_id=$(field id <<< "$refund")
echo "refund $refund_id of $(field amount <<< "$refund") $(field currency <<< "$refund") is $(field status <<< "$refund")"

# A refund beyond what is left is refused by its code, and nothing changes.
if code=$(call POST "/v1/orders/$order_id/refunds" '{"amount": "1000.00"}' \
  "refund-too-much-$reference" 2>&1 > /dev/null); then
  echo "a refund above the payment was accepted" >&2
  exit 1
fi
[ "$code" = refund_exceeds_payment ] || { echo "refused with $code" >&2; exit 1; }
echo "refused as expected: $code"

event=$(wait_for refund.succeeded refund "$refund_id")
echo "verified refund.succeeded $event for $refund_id"
echo "done"
