-- Programs, levels, memberships, links, customers, payments, commissions, the ledger,
-- vendor events, API keys, webhooks and the audit log. Amounts are integer minor units
-- beside a currency code; timestamps are UTC.

CREATE TABLE programs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    attribution_window_days INTEGER NOT NULL DEFAULT 14,
    hold_days INTEGER NOT NULL DEFAULT 31,
    minimum_payout_minor BIGINT NOT NULL DEFAULT 0,
    payout_schedule TEXT NOT NULL DEFAULT 'on_request' CHECK (payout_schedule IN ('on_request', 'monthly')),
    landing_url TEXT NOT NULL,
    -- Space-separated host names the redirect may send visitors to.
    allowed_domains TEXT NOT NULL DEFAULT '',
    rules_text TEXT NOT NULL DEFAULT '',
    self_signup BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE levels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    program_id INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    track TEXT NOT NULL CHECK (track IN ('referral', 'integrator')),
    flat_minor BIGINT,
    percent TEXT,
    duration_kind TEXT NOT NULL CHECK (duration_kind IN ('first_payment', 'months', 'lifetime')),
    duration_months INTEGER,
    bonus_minor BIGINT,
    bonus_trigger TEXT CHECK (bonus_trigger IN ('sign_up', 'first_payment')),
    threshold_kind TEXT CHECK (threshold_kind IN ('paying_customers', 'sales_volume')),
    threshold_value BIGINT,
    -- Bumped whenever the rule changes; commissions record the version they used.
    rule_version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (program_id, position)
);

CREATE TABLE memberships (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    program_id INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    level_id INTEGER NOT NULL REFERENCES levels (id),
    track TEXT NOT NULL CHECK (track IN ('referral', 'integrator')),
    rate_override TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    joined_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, program_id)
);

CREATE TABLE level_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    membership_id INTEGER NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    from_level_id INTEGER REFERENCES levels (id),
    to_level_id INTEGER NOT NULL REFERENCES levels (id),
    reason TEXT NOT NULL CHECK (reason IN ('enrolment', 'promotion', 'manual', 'track_change')),
    actor_id INTEGER REFERENCES users (id),
    at TIMESTAMP NOT NULL
);
CREATE INDEX level_history_membership ON level_history (membership_id);

CREATE TABLE track_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    membership_id INTEGER NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    to_track TEXT NOT NULL CHECK (to_track IN ('referral', 'integrator')),
    message TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    requested_at TIMESTAMP NOT NULL,
    decided_by INTEGER REFERENCES users (id),
    decided_at TIMESTAMP
);

CREATE TABLE links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    membership_id INTEGER NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    code TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '',
    promo_code TEXT UNIQUE,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    disabled_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX links_membership ON links (membership_id);

CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    external_id TEXT NOT NULL UNIQUE,
    email TEXT,
    name TEXT,
    membership_id INTEGER REFERENCES memberships (id),
    link_id INTEGER REFERENCES links (id),
    attributed_via TEXT CHECK (attributed_via IN ('promo_code', 'click', 'ref_code', 'claim', 'manual')),
    attributed_at TIMESTAMP,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'frozen', 'deleted')),
    plan TEXT,
    subscription_ends_at TIMESTAMP,
    balance_minor BIGINT,
    balance_currency TEXT,
    signed_up_at TIMESTAMP NOT NULL,
    first_paid_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX customers_membership ON customers (membership_id);

CREATE TABLE payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    external_id TEXT NOT NULL UNIQUE,
    customer_external_id TEXT NOT NULL,
    -- NULL while the customer is unknown (the payment arrived first): applied when the
    -- customer's sign-up arrives.
    customer_id INTEGER REFERENCES customers (id),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    period_months INTEGER NOT NULL,
    paid_at TIMESTAMP NOT NULL,
    refunded_minor BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX payments_customer ON payments (customer_id);
CREATE INDEX payments_waiting ON payments (customer_external_id) WHERE customer_id IS NULL;

CREATE TABLE commissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id INTEGER NOT NULL REFERENCES payments (id),
    membership_id INTEGER NOT NULL REFERENCES memberships (id),
    level_id INTEGER NOT NULL REFERENCES levels (id),
    rule_version INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('flat', 'percent')),
    rate TEXT,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    reversed_minor BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('pending', 'available', 'reversed')),
    available_at TIMESTAMP NOT NULL,
    released_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (payment_id, kind)
);
CREATE INDEX commissions_membership ON commissions (membership_id, created_at);
CREATE INDEX commissions_due ON commissions (status, available_at);

CREATE TABLE client_bonuses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL UNIQUE REFERENCES customers (id),
    membership_id INTEGER NOT NULL REFERENCES memberships (id),
    level_id INTEGER NOT NULL REFERENCES levels (id),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    trigger TEXT NOT NULL CHECK (trigger IN ('sign_up', 'first_payment')),
    created_at TIMESTAMP NOT NULL
);

-- One immutable row per movement of money (see LEDGER.md). An account is
-- (membership or NULL for the vendor, kind, currency).
CREATE TABLE ledger_transfers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    currency TEXT NOT NULL,
    from_membership INTEGER REFERENCES memberships (id),
    from_kind TEXT NOT NULL,
    to_membership INTEGER REFERENCES memberships (id),
    to_kind TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    cause_type TEXT NOT NULL,
    cause_id BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK (from_kind <> to_kind OR from_membership IS NOT to_membership)
);
CREATE INDEX ledger_to ON ledger_transfers (to_membership, currency, to_kind);
CREATE INDEX ledger_from ON ledger_transfers (from_membership, currency, from_kind);

CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    -- Events are idempotent per owner: keys rotated for one integration share it.
    owner TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);

CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT NOT NULL,
    event_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    result TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    UNIQUE (owner, event_id)
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id INTEGER REFERENCES users (id),
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id BIGINT,
    reason TEXT,
    before_json TEXT,
    after_json TEXT,
    at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);

CREATE TABLE adjustments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    membership_id INTEGER NOT NULL REFERENCES memberships (id),
    amount_minor BIGINT NOT NULL CHECK (amount_minor <> 0),
    currency TEXT NOT NULL,
    reason TEXT NOT NULL,
    actor_id INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE webhook_endpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    secret TEXT NOT NULL,
    -- Space-separated event types, or '*'.
    events TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_status_code INTEGER,
    last_response TEXT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    UNIQUE (endpoint_id, message_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);

CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    status_code INTEGER,
    response_snippet TEXT,
    error TEXT,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id);
