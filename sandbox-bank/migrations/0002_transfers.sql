-- Payouts to merchant accounts (protocol step 8).

-- A merchant account at one of the banks, opened by the first transfer into it.
CREATE TABLE merchant_accounts (
    bank_code       TEXT NOT NULL,
    account_number  TEXT NOT NULL,
    -- The holder's name as the opening transfer gave it.
    account_name    TEXT NOT NULL,
    opened_at       INTEGER NOT NULL,
    PRIMARY KEY (bank_code, account_number)
) STRICT, WITHOUT ROWID;
CREATE INDEX merchant_accounts_by_number ON merchant_accounts (account_number);

-- Every transfer request's first answer, so asking again returns it unchanged.
CREATE TABLE transfers (
    payout_id  TEXT PRIMARY KEY,
    -- The TransferRequest JSON as checked (amount at the currency's scale): the same
    -- payout id with another request is refused.
    request    TEXT NOT NULL,
    -- The TransferAnswer JSON.
    answer     TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Credits to merchant accounts, append-only: one per completed transfer. An
-- account's balance in a currency is the sum of its credits (nothing debits it).
CREATE TABLE merchant_credits (
    seq               INTEGER PRIMARY KEY,
    bank_transfer_id  TEXT NOT NULL UNIQUE,
    payout_id         TEXT NOT NULL UNIQUE REFERENCES transfers (payout_id),
    bank_code         TEXT NOT NULL,
    account_number    TEXT NOT NULL,
    amount_minor      INTEGER NOT NULL CHECK (amount_minor > 0),
    currency          TEXT NOT NULL,
    reference         TEXT NOT NULL,
    at                INTEGER NOT NULL,
    FOREIGN KEY (bank_code, account_number)
        REFERENCES merchant_accounts (bank_code, account_number)
) STRICT;
CREATE INDEX merchant_credits_by_account ON merchant_credits (account_number, seq);
