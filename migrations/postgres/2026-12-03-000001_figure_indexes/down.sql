DROP INDEX payments_customer_figures;
CREATE INDEX payments_customer ON payments (customer_id);
DROP INDEX customers_membership_figures;
CREATE INDEX customers_membership ON customers (membership_id);
