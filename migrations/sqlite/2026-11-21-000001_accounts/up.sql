-- Accounts (partners and staff), their sessions, password resets, the email outbox and
-- rate-limit counters. Timestamps are UTC.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The six digits of a partner's public id (A123456); NULL for staff.
    public_number INTEGER UNIQUE,
    -- 'referral' (A...) or 'official' (P...); NULL for staff.
    partner_kind TEXT CHECK (partner_kind IN ('referral', 'official')),
    role TEXT NOT NULL CHECK (role IN ('partner', 'manager', 'finance', 'admin')),
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    phone TEXT,
    country TEXT,
    payout_currency TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE refresh_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Every token issued by rotation from one sign-in shares a family; reuse of a rotated
    -- token revokes the whole family.
    family TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    rotated_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE password_reset_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX password_reset_tokens_user ON password_reset_tokens (user_id);

CREATE TABLE outbox_emails (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    -- When a sender may (re)try it; a sender claims an email by moving this forward.
    next_attempt_at TIMESTAMP NOT NULL
);
CREATE INDEX outbox_emails_due ON outbox_emails (sent_at, next_attempt_at);

CREATE TABLE rate_limit_hits (
    bucket TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
