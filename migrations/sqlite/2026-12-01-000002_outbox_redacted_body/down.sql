ALTER TABLE outbox_emails DROP COLUMN redacted_body;
