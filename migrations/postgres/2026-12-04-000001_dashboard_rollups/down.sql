DROP TABLE daily_earnings;
ALTER TABLE commissions DROP COLUMN link_id;
DROP TABLE membership_sales_figures;
DROP TABLE membership_customer_figures;
