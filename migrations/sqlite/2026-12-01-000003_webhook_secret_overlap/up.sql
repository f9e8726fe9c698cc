-- A rotated secret keeps signing beside the new one until previous_secret_until, so
-- a receiver can switch to the new secret at its own moment.
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret TEXT;
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret_until TIMESTAMP;
