//! The API's integration tests: real HTTP against a real server on port 0, with a fresh
//! SQLite file per test, or a fresh PostgreSQL database when `TEST_DATABASE_URL` is set.

mod admin;
mod auth;
mod cli;
mod errors;
mod helpers;
mod mail;
mod me;
mod openapi;
mod operations;
mod webhooks;
