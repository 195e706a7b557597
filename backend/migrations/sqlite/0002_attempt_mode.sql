-- Where the widget ran when the shopper pressed Pay: decides where the bank's browser
-- return sends the shopper ('embedded' → the order's return_url, 'hosted' → the
-- gateway's hosted checkout page). Attempts made before this column existed were all
-- embedded.
ALTER TABLE payment_attempts
    ADD COLUMN mode TEXT NOT NULL DEFAULT 'embedded' CHECK (mode IN ('embedded', 'hosted'));
