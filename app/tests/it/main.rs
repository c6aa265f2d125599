//! Every API, database and router test in one binary (one link of the whole app instead of one
//! per file): each module is a file of tests, `common` the harness they share.
#![cfg(feature = "ssr")]

mod common;

mod admin;
mod api;
mod authz;
mod desk;
mod knowledge;
mod live;
mod push;
mod report;
mod web;
