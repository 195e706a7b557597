-- The sandbox bank's books. Times are Unix seconds unless the column says `_ms`;
-- money is INTEGER minor units of the row's currency, so no amount is ever rounded
-- by the database.

-- Every payment request the bank verified, by the gateway's attempt id. The first
-- request for an attempt is kept: a status query long after its pay-page sessions
-- were pruned still finds the attempt, its expiry and where to notify.
CREATE TABLE attempts (
    attempt_id   TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL,
    -- The PaymentRequest JSON as verified.
    request      TEXT NOT NULL,
    -- The bank's single-payment limit for the request's card kind and currency.
    limit_minor  INTEGER NOT NULL CHECK (limit_minor >= 0),
    expires_at   INTEGER NOT NULL,
    seen_at      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- One visit to a bank's pay page. Random ids, pruned an hour after the attempt
-- expires (a late form post still gets a clear "expired" instead of "not found").
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    attempt_id  TEXT NOT NULL REFERENCES attempts (attempt_id),
    expires_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- A card's password state, created on its first wrong password. Three wrong in a
-- row lock the card until someone unlocks it through the sandbox control API.
CREATE TABLE cards (
    card             TEXT PRIMARY KEY,
    wrong_passwords  INTEGER NOT NULL DEFAULT 0 CHECK (wrong_passwords >= 0),
    locked_at        INTEGER
) STRICT, WITHOUT ROWID;

-- Balances that moved: a card has one account per currency, created from the test
-- card's opening balance the first time money moves in that currency. The CHECK is
-- the last line of defence against an overdraft.
CREATE TABLE accounts (
    card           TEXT NOT NULL,
    currency       TEXT NOT NULL,
    balance_minor  INTEGER NOT NULL CHECK (balance_minor >= 0),
    PRIMARY KEY (card, currency)
) STRICT, WITHOUT ROWID;

-- The transaction log, append-only: payments, declines and refunds in the order
-- they happened (`seq`), each with the bank's own id.
CREATE TABLE transactions (
    seq            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL CHECK (kind IN ('payment', 'decline', 'refund')),
    attempt_id     TEXT NOT NULL,
    merchant_id    TEXT NOT NULL,
    order_id       TEXT NOT NULL,
    bank_code      TEXT NOT NULL,
    merchant_name  TEXT NOT NULL,
    -- Absent when the shopper never named a card (cancelled, expired, over limit).
    card           TEXT,
    amount_minor   INTEGER NOT NULL CHECK (amount_minor > 0),
    currency       TEXT NOT NULL,
    -- Declines: the DeclineReason.
    reason         TEXT,
    -- Refunds: the gateway's refund id.
    refund_id      TEXT,
    at             INTEGER NOT NULL
) STRICT;
CREATE INDEX transactions_by_card ON transactions (card, seq);
CREATE INDEX transactions_by_merchant_day ON transactions (merchant_id, at);

-- The bank's verdict on each attempt, exactly as it was notified: a status query
-- answers the same content, and an attempt is decided at most once.
CREATE TABLE decisions (
    attempt_id      TEXT PRIMARY KEY,
    transaction_id  TEXT NOT NULL UNIQUE REFERENCES transactions (id),
    merchant_id     TEXT NOT NULL,
    -- The PaymentNotification JSON.
    notification    TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Every refund request's first answer, so asking again returns it unchanged.
CREATE TABLE refunds (
    refund_id     TEXT PRIMARY KEY,
    -- The refunded payment's transaction id; NULL when the refund failed.
    payment_id    TEXT REFERENCES transactions (id),
    amount_minor  INTEGER NOT NULL,
    -- The RefundAnswer JSON.
    answer        TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX refunds_by_payment ON refunds (payment_id);

-- Signature nonces of accepted gateway requests, kept for twice the signature
-- tolerance: any older signature is refused as stale anyway.
CREATE TABLE seen_nonces (
    nonce    TEXT PRIMARY KEY,
    seen_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX seen_nonces_by_age ON seen_nonces (seen_at);

-- Notifications to deliver: written in the same transaction as the decision, so a
-- bank that stops before the gateway acknowledged resumes delivering when it starts.
CREATE TABLE deliveries (
    id             INTEGER PRIMARY KEY,
    attempt_id     TEXT NOT NULL,
    url            TEXT NOT NULL,
    -- The PaymentNotification JSON; signed afresh on every try.
    body           TEXT NOT NULL,
    not_before_ms  INTEGER NOT NULL,
    state          TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'delivered', 'refused')),
    tries          INTEGER NOT NULL DEFAULT 0,
    finished_at    INTEGER
) STRICT;
CREATE INDEX deliveries_pending ON deliveries (id) WHERE state = 'pending';
