-- Webhooks as merchants register them: any number of endpoints per merchant, each with
-- its own URL, event types and secret; one delivery per (event, endpoint), so an event
-- is retried at each endpoint on its own schedule; every HTTP attempt kept for the
-- merchant to read; events numbered per order.

CREATE TABLE webhook_endpoints (
    id                      TEXT PRIMARY KEY,
    merchant_id             TEXT NOT NULL REFERENCES merchants (id),
    url                     TEXT NOT NULL,
    -- JSON array of event types; ["*"] subscribes to every type.
    event_types             TEXT NOT NULL,
    description             TEXT,
    -- Needed in clear to sign (HMAC); never logged, shown once at creation and rotation.
    secret                  TEXT NOT NULL,
    -- After a rotation the old secret signs too, until this time (ms).
    previous_secret         TEXT,
    previous_secret_until   INTEGER,
    status                  TEXT NOT NULL CHECK (status IN ('enabled', 'disabled', 'deleted')),
    -- Why a disabled endpoint was disabled (the merchant, or a 410 Gone answer).
    disabled_reason         TEXT,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_by_merchant ON webhook_endpoints (merchant_id, created_at);

-- The merchant-wide URL and secret become the merchant's first endpoint, for every
-- event type.
INSERT INTO webhook_endpoints (id, merchant_id, url, event_types, secret, status, created_at,
                               updated_at)
SELECT 'we_' || id, id, webhook_url, '["*"]', webhook_secret, 'enabled', created_at, created_at
FROM merchants WHERE webhook_url IS NOT NULL;

-- Events are numbered per order, 1, 2, 3 …, so a merchant can put them in order.
ALTER TABLE outbox_events ADD COLUMN seq INTEGER;
UPDATE outbox_events SET seq = (
    SELECT COUNT(*) FROM outbox_events e
    WHERE e.order_id = outbox_events.order_id
      AND (e.created_at, e.rowid) <= (outbox_events.created_at, outbox_events.rowid));
UPDATE outbox_events SET payload = json_set(payload, '$.sequence', seq) WHERE json_valid(payload);
CREATE UNIQUE INDEX outbox_events_order_seq ON outbox_events (order_id, seq);
CREATE INDEX outbox_events_by_merchant ON outbox_events (merchant_id, created_at);

CREATE TABLE webhook_deliveries (
    event_id         TEXT NOT NULL REFERENCES outbox_events (id),
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id),
    -- The event's order and number, copied so the in-order rule needs no join.
    order_id         TEXT NOT NULL,
    seq              INTEGER NOT NULL,
    state            TEXT NOT NULL
        CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled')),
    -- When retries started (at the event, or when the merchant asked to redeliver):
    -- a delivery still failing three days later gives up.
    scheduled_at     INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    delivered_at     INTEGER,
    last_error       TEXT,
    PRIMARY KEY (event_id, endpoint_id)
) WITHOUT ROWID;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_in_order
    ON webhook_deliveries (endpoint_id, order_id, seq) WHERE state = 'pending';

INSERT INTO webhook_deliveries (event_id, endpoint_id, order_id, seq, state, scheduled_at,
                                attempts, next_attempt_at, delivered_at, last_error)
SELECT e.id, 'we_' || e.merchant_id, e.order_id, e.seq,
       CASE WHEN e.delivered_at IS NULL THEN 'pending' ELSE 'delivered' END,
       e.created_at, e.attempts, e.next_attempt_at, e.delivered_at, e.last_error
FROM outbox_events e JOIN merchants m ON m.id = e.merchant_id
WHERE m.webhook_url IS NOT NULL;

-- Every HTTP attempt at a delivery, as the merchant's endpoint answered it.
CREATE TABLE webhook_attempts (
    id            INTEGER PRIMARY KEY,
    event_id      TEXT NOT NULL,
    endpoint_id   TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    duration_ms   INTEGER NOT NULL,
    -- The HTTP status, if the endpoint answered at all.
    status_code   INTEGER,
    error         TEXT
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (event_id, endpoint_id, id);

DROP INDEX outbox_due;
ALTER TABLE outbox_events DROP COLUMN attempts;
ALTER TABLE outbox_events DROP COLUMN next_attempt_at;
ALTER TABLE outbox_events DROP COLUMN delivered_at;
ALTER TABLE outbox_events DROP COLUMN last_error;
ALTER TABLE merchants DROP COLUMN webhook_url;
ALTER TABLE merchants DROP COLUMN webhook_secret;
