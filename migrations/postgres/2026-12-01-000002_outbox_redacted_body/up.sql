-- An email carrying a secret (a password-reset link) keeps a copy with the secret
-- hidden. Admins are shown that copy once SMTP is configured, and the body itself is
-- replaced by it as soon as SMTP accepts the email, so the secret leaves storage.
ALTER TABLE outbox_emails ADD COLUMN redacted_body TEXT;
