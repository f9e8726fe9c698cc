//! The API's integration tests: real HTTP against a real server on port 0, with a fresh
//! SQLite file per test, or a fresh PostgreSQL database when `TEST_DATABASE_URL` is set.

mod adjustments;
mod admin;
mod admin_partners;
mod admin_programs;
mod api_keys;
mod audit;
mod auth;
mod cli;
mod concurrency;
mod deals;
mod errors;
mod events;
mod first_payment;
mod helpers;
mod ledger_props;
mod link_qr;
mod links;
mod mail;
mod me;
mod openapi;
mod operations;
mod refunds;
mod robustness;
mod stats;
mod tracking;
mod webhook_delivery;
mod webhook_support;
mod webhooks;
