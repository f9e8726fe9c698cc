DROP TABLE link_daily_stats;
DROP TABLE clicks;
DROP INDEX customers_link;
DROP INDEX links_updated;
DROP INDEX links_code_lower;
ALTER TABLE links DROP COLUMN updated_at;
ALTER TABLE programs DROP COLUMN attribution_model;
