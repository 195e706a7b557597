#!/usr/bin/env bash
# One webhook delivery, on stdin and stdout (socat runs this once per connection):
# verify `Paydesk-Signature` against the raw body and keep the event in the spool
# folder if it holds; answer 204, or 400 to a delivery that does not verify.
set -euo pipefail

secret=$(cat "$PAYDESK_SPOOL/secret")
length=0 signature=""
read -r request_line
while IFS= read -r line; do
  line=${line%$'\r'}
  [ -z "$line" ] && break
  case "${line,,}" in
    content-length:*) length=${line#*:}; length=${length// /} ;;
    paydesk-signature:*) signature=${line#*:}; signature=${signature# } ;;
  esac
done
body=$(head -c "$length")

# t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">[,v1=… while a secret rotates]
t="" matched=no
IFS=',' read -ra fields <<< "$signature"
for field in "${fields[@]}"; do
  case "$field" in t=*) t=${field#t=} ;; esac
done
if [[ "$t" =~ ^[0-9]+$ ]] && (( ${t} - $(date +%s) <= 300 && $(date +%s) - ${t} <= 300 )); then
  expected=$(printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac "$secret" -r | cut -d' ' -f1)
  for field in "${fields[@]}"; do
    [ "$field" = "v1=$expected" ] && matched=yes
  done
fi

if [ "$matched" = yes ] && [[ "$request_line" == POST* ]]; then
  id=$(grep -o '"id":"evt_[^"]*"' <<< "$body" | head -1 | cut -d'"' -f4)
  printf '%s' "$body" > "$PAYDESK_SPOOL/$id.json"
  printf 'HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n'
else
  printf 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'
fi
