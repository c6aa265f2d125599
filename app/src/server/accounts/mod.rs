//! Accounts: passwords and sessions, WeCom sign-in, API tokens, the users table and sign-in
//! failures.
pub mod auth;
pub mod rest;
pub mod sign_ins;
pub mod tokens;
pub mod users;
pub mod wecom;
