//! Every database, API and web test in one binary: each test file used to link the whole app
//! on its own. `#[sqlx::test]` makes (and drops) a database per test on the server in
//! `DATABASE_URL`; the app runs with its real router on a loopback port.
#![cfg(feature = "ssr")]

mod common;

mod admin;
mod api;
mod authz;
mod desk;
mod live;
mod push;
mod reports;
mod web;
