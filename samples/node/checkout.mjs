// A merchant's whole integration with Paydesk, in Node.js 18+ with no packages.
//
// Creates an order (with an Idempotency-Key), prints its checkout URL, receives and
// verifies the `order.paid` webhook, reads the order back, refunds part of it and
// verifies `refund.succeeded`. With a test key the payment is made through the sandbox
// bank by the gateway's test helper; with a live key it waits for a shopper.
//
//   PAYDESK_API_URL=http://127.0.0.1:8080 PAYDESK_SECRET_KEY=sk_test_... node checkout.mjs

import crypto from "node:crypto";
import http from "node:http";

const API_URL = (process.env.PAYDESK_API_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");
const SECRET_KEY = process.env.PAYDESK_SECRET_KEY ?? "";
const RETURN_URL = process.env.PAYDESK_RETURN_URL ?? "http://127.0.0.1:8082/checkout/complete";
const WEBHOOK_HOST = process.env.PAYDESK_WEBHOOK_HOST ?? "127.0.0.1";
const WAIT_MS = 60_000;
const TOLERANCE_SECS = 300;

/** A refusal from the API: `code` is stable, `message` is for people. */
class PaydeskError extends Error {
  constructor(status, code, message) {
    super(`${status} ${code}: ${message}`);
    Object.assign(this, { status, code });
  }
}

/** One API request; retries while the same key is still in flight (409) or rate limited. */
async function call(method, path, body, idempotencyKey) {
  const headers = { Authorization: `Bearer ${SECRET_KEY}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  for (let attempt = 0; attempt < 5; attempt++) {
    const response = await fetch(API_URL + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = response.status === 204 ? {} : await response.json();
    if (response.ok) return [response.status, answer];
    const { code = "unknown", message = "" } = answer.error ?? {};
    if (code === "idempotency_key_in_use" || code === "rate_limited") {
      await sleep(1000 * Number(response.headers.get("retry-after") ?? "1"));
      continue;
    }
    throw new PaydeskError(response.status, code, message);
  }
  throw new PaydeskError(409, "idempotency_key_in_use", "still in flight after 5 tries");
}

/** `Paydesk-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
function verify(secret, header, rawBody, nowSecs) {
  const fields = header.split(",").map((part) => {
    const at = part.indexOf("=");
    return [part.slice(0, at).trim(), part.slice(at + 1).trim()];
  });
  const t = fields.find(([k]) => k === "t")?.[1] ?? "";
  if (!/^\d+$/.test(t)) return false;
  const expected = crypto
    .createHmac("sha256", secret)
    .update(Buffer.concat([Buffer.from(`${t}.`), rawBody]))
    .digest();
  const matched = fields.some(
    ([k, v]) => k === "v1" && /^[0-9a-f]{64}$/.test(v) &&
      crypto.timingSafeEqual(Buffer.from(v, "hex"), expected),
  );
  return matched && Math.abs(nowSecs - Number(t)) <= TOLERANCE_SECS;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Verified events, and those waiting for one. */
const inbox = { events: [], waiters: [] };

function receive(secret) {
  return http.createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      const signature = request.headers["paydesk-signature"] ?? "";
      if (!secret.value || !verify(secret.value, signature, body, Math.floor(Date.now() / 1000))) {
        response.writeHead(400).end();
        return;
      }
      response.writeHead(204).end();
      inbox.events.push(JSON.parse(body.toString("utf8")));
      inbox.waiters.splice(0).forEach((wake) => wake());
    });
  });
}

/** The first verified event of `type` whose data[key].id is `id`. */
async function waitFor(type, key, id) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const event = inbox.events.find((e) => e.type === type && e.data[key]?.id === id);
    if (event) return event;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no verified ${type} for ${id} within ${WAIT_MS / 1000} s`);
    await new Promise((wake) => {
      const timer = setTimeout(wake, left);
      inbox.waiters.push(() => {
        clearTimeout(timer);
        wake();
      });
    });
  }
}

async function run() {
  const reference = `node-${crypto.randomUUID().slice(0, 12)}`;
  let [status, order] = await call(
    "POST",
    "/v1/orders",
    {
      currency: "CNY",
      items: [{ name: "Longjing tea", quantity: 2, unit_price: "25.00" }],
      merchant_reference: reference,
      return_url: RETURN_URL,
    },
    `order-${reference}`,
  );
  console.log(`order ${order.id} created (${status}), total ${order.total} ${order.currency}`);
  console.log(`checkout URL: ${order.hosted_url}`);

  if (SECRET_KEY.startsWith("sk_test_")) {
    [, order] = await call("POST", `/v1/test_helpers/orders/${order.id}/pay`, { outcome: "paid" });
    console.log(`paid at the sandbox bank by the test helper: ${order.status}`);
  } else {
    console.log("waiting for the shopper to pay ...");
  }

  const paid = await waitFor("order.paid", "order", order.id);
  console.log(`verified order.paid ${paid.id} for ${order.id}`);

  [, order] = await call("GET", `/v1/orders/${order.id}`);
  if (order.status !== "paid") throw new Error(`order is ${order.status}, not paid`);
  console.log(`order ${order.id} is ${order.status}`);

  const [, refund] = await call(
    "POST",
    `/v1/orders/${order.id}/refunds`,
    { amount: "10.00", reason: "requested_by_customer" },
    `refund-${reference}`,
  );
  console.log(`refund ${refund.id} of ${refund.amount} ${refund.currency} is ${refund.status}`);

  // A refund beyond what is left is refused by its code, and nothing changes.
  try {
    await call("POST", `/v1/orders/${order.id}/refunds`, { amount: "1000.00" },
      `refund-too-much-${reference}`);
    throw new Error("a refund above the payment was accepted");
  } catch (e) {
    if (!(e instanceof PaydeskError) || e.code !== "refund_exceeds_payment") throw e;
    console.log(`refused as expected: ${e.code}`);
  }

  const succeeded = await waitFor("refund.succeeded", "refund", refund.id);
  console.log(`verified refund.succeeded ${succeeded.id} for ${refund.id}`);
  console.log("done");
}

async function main() {
  if (!SECRET_KEY) throw new Error("set PAYDESK_SECRET_KEY to your secret key (sk_test_...)");
  const secret = { value: null };
  const server = receive(secret);
  await new Promise((listening) => server.listen(0, WEBHOOK_HOST, listening));
  const webhookUrl = `http://${WEBHOOK_HOST}:${server.address().port}/webhooks/paydesk`;
  // Once per integration in real life: the secret is shown only in this answer.
  const [, endpoint] = await call(
    "POST",
    "/v1/webhook_endpoints",
    { url: webhookUrl, event_types: ["order.paid", "refund.succeeded"], description: "node sample" },
    crypto.randomUUID(),
  );
  secret.value = endpoint.secret;
  try {
    await run();
  } finally {
    await call("DELETE", `/v1/webhook_endpoints/${endpoint.id}`);
    server.close();
  }
}

main().catch((e) => {
  console.error(e instanceof PaydeskError ? `Paydesk refused: ${e.message}` : e);
  process.exit(1);
});
