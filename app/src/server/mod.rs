//! Everything that touches the database, the network or the file system. Compiled only with `ssr`.
pub mod auth;
pub mod blobs;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod fake_wecom;
pub mod forms;
pub mod health;
pub mod images;
pub mod live;
pub mod locale;
pub mod push;
pub mod report;
pub mod rest;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod wecom;
pub mod wecom_sign_in;

pub use config::Settings;
pub use startup::Application;
pub use state::AppState;
