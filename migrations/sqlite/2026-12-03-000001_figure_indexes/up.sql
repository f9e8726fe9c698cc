-- Covering indexes for the dashboard's figures (/me/stats, level progress): customer
-- counts per status and paying, and sales per currency, are answered from the indexes
-- alone, without reading the rows.
DROP INDEX customers_membership;
CREATE INDEX customers_membership_figures ON customers (membership_id, status, first_paid_at);
DROP INDEX payments_customer;
CREATE INDEX payments_customer_figures ON payments (customer_id, currency, amount_minor, refunded_minor);
