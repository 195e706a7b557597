-- Reconciliation against the banks' settlement files, settlements, payouts, and events
-- about settlements and payouts.

-- Events are about an order, a settlement or a payout: `order_id` holds the event's
-- subject, so it no longer refers to orders. Rebuilt in place; references to the
-- events are checked when the migration commits.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE outbox_events_new (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    -- The subject: an order's, settlement's or payout's id.
    order_id         TEXT NOT NULL,
    type             TEXT NOT NULL,
    payload          TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    seq              INTEGER
);
INSERT INTO outbox_events_new (id, merchant_id, order_id, type, payload, created_at, seq)
SELECT id, merchant_id, order_id, type, payload, created_at, seq FROM outbox_events;
DROP TABLE outbox_events;
ALTER TABLE outbox_events_new RENAME TO outbox_events;
CREATE UNIQUE INDEX outbox_events_order_seq ON outbox_events (order_id, seq);
CREATE INDEX outbox_events_by_merchant ON outbox_events (merchant_id, created_at);

-- When the bank's settlement file confirmed the balance transaction's money (for a
-- refund the bank refused for good, when it refused): settlement takes only these.
ALTER TABLE balance_transactions ADD COLUMN reconciled_at INTEGER;
CREATE INDEX balance_transactions_settleable ON balance_transactions (merchant_id, currency)
    WHERE status = 'pending' AND reconciled_at IS NOT NULL;
CREATE INDEX balance_transactions_by_source ON balance_transactions (source);

-- The latest reconciliation of each day, file and merchant, line by line.
CREATE TABLE reconciliation_lines (
    run_date              TEXT NOT NULL,
    connector             TEXT NOT NULL,
    merchant_id           TEXT NOT NULL,
    position              INTEGER NOT NULL,
    class                 TEXT NOT NULL CHECK (class IN ('matched', 'missing_at_bank',
                              'unknown_to_gateway', 'amount_mismatch', 'currency_mismatch',
                              'duplicate')),
    key                   TEXT NOT NULL,
    kind                  TEXT NOT NULL CHECK (kind IN ('payment', 'refund')),
    bank_transaction_id   TEXT,
    bank_amount           TEXT,
    bank_currency         TEXT,
    gateway_amount_minor  INTEGER,
    gateway_currency      TEXT,
    order_id              TEXT,
    detail                TEXT NOT NULL,
    PRIMARY KEY (run_date, connector, merchant_id, position)
) WITHOUT ROWID;

-- Each break raises one alert, however often its day is reconciled again.
CREATE TABLE reconciliation_breaks (
    run_date     TEXT NOT NULL,
    connector    TEXT NOT NULL,
    merchant_id  TEXT NOT NULL,
    class        TEXT NOT NULL,
    key          TEXT NOT NULL,
    alert_id     TEXT NOT NULL,
    PRIMARY KEY (run_date, connector, merchant_id, class, key)
) WITHOUT ROWID;

CREATE TABLE settlements (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    currency     TEXT NOT NULL,
    net_minor    INTEGER NOT NULL,
    count        INTEGER NOT NULL CHECK (count > 0),
    run_date     TEXT NOT NULL,
    created_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX settlements_by_merchant ON settlements (merchant_id, id);

CREATE TABLE payouts (
    id                 TEXT PRIMARY KEY,
    merchant_id        TEXT NOT NULL REFERENCES merchants (id),
    amount_minor       INTEGER NOT NULL CHECK (amount_minor > 0),
    currency           TEXT NOT NULL,
    bank               TEXT NOT NULL,
    account_number     TEXT NOT NULL,
    status             TEXT NOT NULL
        CHECK (status IN ('pending', 'in_transit', 'paid', 'failed')),
    automatic          INTEGER NOT NULL,
    bank_transfer_id   TEXT,
    failure_reason     TEXT,
    tries              INTEGER NOT NULL DEFAULT 0,
    -- While pending or in transit: when to send (again).
    next_try_at        INTEGER,
    created_at         INTEGER NOT NULL,
    decided_at         INTEGER
) WITHOUT ROWID;
CREATE INDEX payouts_by_merchant ON payouts (merchant_id, id);
CREATE INDEX payouts_due ON payouts (next_try_at) WHERE next_try_at IS NOT NULL;

-- Days the scheduled settlement run has done, so a gateway down at the run's time
-- runs it when it starts.
CREATE TABLE settlement_runs (
    run_date  TEXT PRIMARY KEY,
    ran_at    INTEGER NOT NULL
) WITHOUT ROWID;

-- Why the operator closed an alert.
ALTER TABLE alerts ADD COLUMN resolution TEXT;

-- Alerts raised at most once for what they are about (an overdue hand-off, say).
CREATE TABLE alert_keys (
    key       TEXT PRIMARY KEY,
    alert_id  TEXT NOT NULL
) WITHOUT ROWID;
