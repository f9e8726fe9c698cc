DROP INDEX adjustments_idempotency;
ALTER TABLE adjustments DROP COLUMN request_hash;
ALTER TABLE adjustments DROP COLUMN idempotency_key;
DROP TABLE payment_reversals;
