-- The shopper's receipt shows the card paid with as `•••• 1234`: the last four digits
-- the bank named in its verified verdict, kept with the verdict until it is applied and
-- then on the attempt it decided. NULL when the bank named no card (or said it only in
-- a status answer, which does not carry it through yet).
ALTER TABLE bank_inbox
    ADD COLUMN card_last4 TEXT CHECK (card_last4 GLOB '[0-9][0-9][0-9][0-9]');
ALTER TABLE payment_attempts
    ADD COLUMN card_last4 TEXT CHECK (card_last4 GLOB '[0-9][0-9][0-9][0-9]');

-- Attempts decided before this column existed: the digits from the verified body of the
-- verdict that decided them (a notification, or a status answer around one), if any.
UPDATE payment_attempts SET card_last4 = (
    SELECT c.digits FROM (
        -- CASE, not a WHERE term: SQLite may evaluate the terms of a WHERE in any
        -- order, and json_extract fails on a body that is not JSON.
        SELECT i.id, CASE WHEN json_valid(i.body) THEN
                   coalesce(json_extract(i.body, '$.card_last4'),
                            json_extract(i.body, '$.notification.card_last4')) END AS digits
        FROM bank_inbox i
        WHERE i.attempt_id = payment_attempts.id AND i.state = 'applied'
    ) c
    WHERE c.digits GLOB '[0-9][0-9][0-9][0-9]'
    ORDER BY c.id LIMIT 1)
WHERE decided_at IS NOT NULL;
