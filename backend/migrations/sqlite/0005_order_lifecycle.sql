-- Orders that expire, are cancelled, listed and refunded by their merchant.

-- The attempt whose payment the order kept: merchant refunds give back its money.
ALTER TABLE orders ADD COLUMN paid_attempt_id TEXT REFERENCES payment_attempts (id);
UPDATE orders SET paid_attempt_id = (
    SELECT a.id FROM payment_attempts a
    WHERE a.order_id = orders.id AND a.status = 'succeeded'
    ORDER BY a.decided_at, a.rowid LIMIT 1)
WHERE status = 'paid';

-- The expirer's work list: unpaid orders by expiry.
CREATE INDEX orders_open_by_expiry ON orders (expires_at)
    WHERE status IN ('created', 'pending', 'failed');
-- The merchant's list filters.
CREATE INDEX orders_by_merchant_status ON orders (merchant_id, status, created_at);
CREATE INDEX orders_by_merchant_reference ON orders (merchant_id, merchant_reference);
-- What was refunded of a payment, summed under the refund guard.
CREATE INDEX refunds_by_attempt ON refunds (attempt_id, status);
