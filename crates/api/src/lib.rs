//! Partnerly's HTTP API: routes, authentication, errors, OpenAPI, background jobs and
//! the `partnerly` command line. The binary (`src/main.rs`) only calls [`cli::main`].

pub mod allowed_methods;
pub mod auth;
pub mod body;
pub mod cli;
pub mod client_ip;
pub mod config;
pub mod database;
pub mod error;
pub mod event_groups;
pub mod idempotency;
pub mod jobs;
pub mod ledger_check;
pub mod mail;
pub mod openapi;
pub mod qr;
pub mod rate_limit;
pub mod request_log;
pub mod routes;
pub mod seed;
pub mod server;
pub mod state;
pub mod tracking;
pub mod views;
pub mod webhook_target;
pub mod webhooks;
pub mod worker;
