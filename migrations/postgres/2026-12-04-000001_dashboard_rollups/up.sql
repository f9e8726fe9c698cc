-- Rollups of the dashboard's figures (S1, L3), kept by the engine as events change
-- customers, payments and commissions (engine::commissions::Batch): the dashboard and
-- level promotion read a few rows, never count customers, payments or commissions.
-- `partnerly ledger-check` recounts them from the rows and reports any difference.

-- A membership's customers per status, and how many of them have paid.
CREATE TABLE membership_customer_figures (
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    status TEXT NOT NULL CHECK (status IN ('active', 'frozen', 'deleted')),
    customers BIGINT NOT NULL DEFAULT 0,
    paying BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (membership_id, status)
);
INSERT INTO membership_customer_figures (membership_id, status, customers, paying)
SELECT membership_id, status, COUNT(*), COUNT(first_paid_at)
FROM customers WHERE membership_id IS NOT NULL GROUP BY membership_id, status;

-- The payments of a membership's customers per currency, and their sum net of refunds.
CREATE TABLE membership_sales_figures (
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    currency TEXT NOT NULL,
    payments BIGINT NOT NULL DEFAULT 0,
    net_minor BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (membership_id, currency)
);
INSERT INTO membership_sales_figures (membership_id, currency, payments, net_minor)
SELECT c.membership_id, p.currency, COUNT(*), SUM(p.amount_minor - p.refunded_minor)
FROM payments p JOIN customers c ON c.id = p.customer_id
WHERE c.membership_id IS NOT NULL GROUP BY c.membership_id, p.currency;

-- The link a commission was earned through (the customer's link when it was booked):
-- a reassigned customer forgets its link, the commissions it earned keep theirs.
ALTER TABLE commissions ADD COLUMN link_id BIGINT REFERENCES links (id);
UPDATE commissions SET link_id = (
    SELECT cu.link_id FROM payments p
    JOIN customers cu ON cu.id = p.customer_id
    JOIN links l ON l.id = cu.link_id AND l.membership_id = commissions.membership_id
    WHERE p.id = commissions.payment_id);

-- What a membership earned per day of the sale, link and currency: commissions less
-- their reversals, a refund taken off the day of the payment it refunds. `link_id` 0:
-- earned without a link (a customer a manager assigned).
CREATE TABLE daily_earnings (
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    day DATE NOT NULL,
    link_id BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL,
    earned_minor BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (membership_id, day, link_id, currency)
);
CREATE INDEX daily_earnings_link ON daily_earnings (link_id);
INSERT INTO daily_earnings (membership_id, day, link_id, currency, earned_minor)
SELECT c.membership_id, CAST(p.paid_at AS DATE), COALESCE(c.link_id, 0), c.currency,
       SUM(c.amount_minor - c.reversed_minor)
FROM commissions c JOIN payments p ON p.id = c.payment_id
GROUP BY c.membership_id, CAST(p.paid_at AS DATE), COALESCE(c.link_id, 0), c.currency;
