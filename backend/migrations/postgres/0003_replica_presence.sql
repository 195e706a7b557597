-- The replicas running now: each renews its row every few seconds while it runs. An
-- idempotency claim names the replica that holds it, and a claim whose replica stopped
-- renewing (killed) is free at once rather than at the end of its own lease.
CREATE TABLE replicas (
    id          TEXT PRIMARY KEY,
    expires_at  BIGINT NOT NULL
);

ALTER TABLE idempotency_claims ADD COLUMN holder TEXT;
