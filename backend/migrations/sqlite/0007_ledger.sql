-- Merchants as the operator creates them, with several secret keys each; and the
-- double-entry ledger, append-only.

-- Merchants lose their single key hash and the merchant-wide webhook columns (their
-- endpoints took those over in 0004) and gain a settlement account and a fee plan.
-- Rebuilt in place; the references to merchants are checked when the migration commits.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE merchants_new (
    id                         TEXT PRIMARY KEY,
    name                       TEXT NOT NULL,
    -- JSON array of registered return URLs (scheme, host, port and path must match).
    return_urls                TEXT NOT NULL,
    -- Where payouts go: an account number at one bank.
    settlement_bank            TEXT,
    settlement_account_number  TEXT,
    -- JSON, domain::fee::FeePlan; NULL is the documented default plan.
    fee_plan                   TEXT,
    created_at                 INTEGER NOT NULL
);
INSERT INTO merchants_new (id, name, return_urls, created_at)
SELECT id, name, return_urls, created_at FROM merchants;

-- SHA-256 of each secret key: the keys themselves are never stored. A merchant may
-- hold several at once, so it can rotate without downtime.
CREATE TABLE merchant_keys (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    key_hash     TEXT NOT NULL UNIQUE,
    -- The key's last four characters, to tell keys apart.
    last4        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX merchant_keys_by_merchant ON merchant_keys (merchant_id, created_at);
INSERT INTO merchant_keys (id, merchant_id, key_hash, last4, created_at)
SELECT 'key_' || id, id, secret_key_hash, '····', created_at FROM merchants;

DROP TABLE merchants;
ALTER TABLE merchants_new RENAME TO merchants;

-- One row per money movement, named by its cause: a cause posts at most once.
CREATE TABLE ledger_transactions (
    id          INTEGER PRIMARY KEY,
    cause_kind  TEXT NOT NULL,
    cause_id    TEXT NOT NULL,
    currency    TEXT NOT NULL,
    posted_at   INTEGER NOT NULL,
    UNIQUE (cause_kind, cause_id)
);

-- Debits positive, credits negative, minor units of the transaction's currency; the
-- entries of one transaction sum to zero.
CREATE TABLE ledger_entries (
    transaction_id  INTEGER NOT NULL REFERENCES ledger_transactions (id),
    position        INTEGER NOT NULL,
    account         TEXT NOT NULL,
    currency        TEXT NOT NULL,
    amount_minor    INTEGER NOT NULL CHECK (amount_minor <> 0),
    PRIMARY KEY (transaction_id, position)
) WITHOUT ROWID;
CREATE INDEX ledger_entries_by_account ON ledger_entries (account, currency);

-- The books are never rewritten: a correction is a new transaction.
CREATE TRIGGER ledger_transactions_never_change BEFORE UPDATE ON ledger_transactions
BEGIN SELECT RAISE(ABORT, 'ledger transactions are append-only'); END;
CREATE TRIGGER ledger_transactions_never_go BEFORE DELETE ON ledger_transactions
BEGIN SELECT RAISE(ABORT, 'ledger transactions are append-only'); END;
CREATE TRIGGER ledger_entries_never_change BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER ledger_entries_never_go BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;

-- The merchant's view of its balance's movements (Stripe's balance transactions): one
-- per ledger transaction that moves a merchant's balance. Amount, fee and net never
-- change; status moves once from pending to available, when a settlement takes it.
CREATE TABLE balance_transactions (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants (id),
    transaction_id  INTEGER NOT NULL UNIQUE REFERENCES ledger_transactions (id),
    type            TEXT NOT NULL CHECK (type IN ('payment', 'refund', 'refund_failure',
                        'payout', 'payout_failure', 'adjustment')),
    amount_minor    INTEGER NOT NULL,
    fee_minor       INTEGER NOT NULL CHECK (fee_minor >= 0),
    net_minor       INTEGER NOT NULL CHECK (net_minor = amount_minor - fee_minor),
    currency        TEXT NOT NULL,
    source          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'available')),
    settlement_id   TEXT,
    payout_id       TEXT,
    available_on    INTEGER,
    created_at      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX balance_transactions_by_merchant ON balance_transactions (merchant_id, id);

CREATE TRIGGER balance_transactions_keep_their_money BEFORE UPDATE ON balance_transactions
WHEN NEW.amount_minor IS NOT OLD.amount_minor OR NEW.fee_minor IS NOT OLD.fee_minor
    OR NEW.currency IS NOT OLD.currency OR NEW.merchant_id IS NOT OLD.merchant_id
    OR NEW.transaction_id IS NOT OLD.transaction_id
    OR (OLD.status = 'available' AND NEW.status <> 'available')
BEGIN SELECT RAISE(ABORT, 'a balance transaction keeps its amounts'); END;
CREATE TRIGGER balance_transactions_never_go BEFORE DELETE ON balance_transactions
BEGIN SELECT RAISE(ABORT, 'balance transactions are never deleted'); END;
