DROP TABLE rate_limit_hits;
DROP TABLE outbox_emails;
DROP TABLE password_reset_tokens;
DROP TABLE refresh_tokens;
DROP TABLE users;
