-- Refunds and chargebacks keep the billing system's own id, unique per payment, so the
-- same refund reported again under a new event id reverses nothing twice.
CREATE TABLE payment_reversals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id INTEGER NOT NULL REFERENCES payments (id),
    refund_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('refund', 'chargeback')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (payment_id, refund_id)
);

-- A manual adjustment sent with an Idempotency-Key is booked once per staff member and
-- key; the digest of its request tells a retry from a different request under one key.
ALTER TABLE adjustments ADD COLUMN idempotency_key TEXT;
ALTER TABLE adjustments ADD COLUMN request_hash TEXT;
CREATE UNIQUE INDEX adjustments_idempotency ON adjustments (actor_id, idempotency_key);
