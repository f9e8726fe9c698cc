-- Referral tracking (T1, T6, T7, T10): the click model of a program, when a link last
-- changed (the redirect's in-memory directory of codes reloads what changed), codes
-- unique without regard to case (a visitor may type a vanity code in any case), the
-- clicks the redirect records, and their daily figures per link.
ALTER TABLE programs ADD COLUMN attribution_model TEXT NOT NULL DEFAULT 'last_click'
    CHECK (attribution_model IN ('last_click', 'first_click'));

ALTER TABLE links ADD COLUMN updated_at TIMESTAMP;
UPDATE links SET updated_at = created_at;
ALTER TABLE links ALTER COLUMN updated_at SET NOT NULL;
CREATE UNIQUE INDEX links_code_lower ON links (lower(code));
CREATE INDEX links_updated ON links (updated_at);
-- The link list counts each link's customers.
CREATE INDEX customers_link ON customers (link_id);

CREATE TABLE clicks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The id the redirect gives the vendor's page (`click_id`), random and unguessable.
    public_id TEXT NOT NULL UNIQUE,
    link_id BIGINT NOT NULL REFERENCES links (id),
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    program_id BIGINT NOT NULL REFERENCES programs (id),
    -- A keyed hash of the visitor's address and user agent: never the address itself.
    visitor TEXT NOT NULL,
    -- False for a repeat from the same visitor on the same link within an hour.
    is_unique BOOLEAN NOT NULL,
    -- The query string the visitor brought (utm_*, sub ids), as passed on.
    landing_query TEXT NOT NULL DEFAULT '',
    -- The host of the page the visitor came from, when the browser said.
    referrer_host TEXT,
    clicked_at TIMESTAMP NOT NULL
);
CREATE INDEX clicks_visitor ON clicks (link_id, visitor, clicked_at);

-- Daily figures per link, added to by the click writer (clicks) and the engine
-- (sign-ups on the sign-up's day, paying customers on the day their first payment
-- arrived, deals on the lead's day): the dashboard never counts raw rows. Bot requests
-- are counted here apart and are not clicks.
CREATE TABLE link_daily_stats (
    link_id BIGINT NOT NULL REFERENCES links (id),
    day DATE NOT NULL,
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    clicks BIGINT NOT NULL DEFAULT 0,
    unique_clicks BIGINT NOT NULL DEFAULT 0,
    bot_clicks BIGINT NOT NULL DEFAULT 0,
    signups BIGINT NOT NULL DEFAULT 0,
    paying_customers BIGINT NOT NULL DEFAULT 0,
    deals BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (link_id, day)
);
CREATE INDEX link_daily_stats_membership ON link_daily_stats (membership_id, day);

-- Leads from the vendor's "Contact us" form that a partner referred (T8): pending, then
-- won with an amount or lost.
CREATE TABLE deals (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    program_id BIGINT NOT NULL REFERENCES programs (id),
    link_id BIGINT REFERENCES links (id),
    -- The click the visit came from, when the form carried it.
    click_id TEXT,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    company TEXT,
    message TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'won', 'lost')),
    amount_minor BIGINT,
    currency TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP
);
CREATE INDEX deals_membership ON deals (membership_id, created_at);

-- Prospects a partner invited by email with one of their links (T4); whether one led to
-- a sign-up is read from the customers of the link with that email.
CREATE TABLE invitations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_id BIGINT NOT NULL REFERENCES links (id),
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    email TEXT NOT NULL,
    message TEXT NOT NULL,
    sent_at TIMESTAMP NOT NULL
);
CREATE INDEX invitations_link ON invitations (link_id, sent_at);
CREATE INDEX customers_email ON customers (email);
