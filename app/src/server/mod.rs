//! Everything that touches the database, the network or the file system. Compiled only with `ssr`.
//!
//! `infra/` is what every module stands on (settings, state, start-up, telemetry, the CLI, the
//! REST plumbing); each other folder is one module of the product, with its handlers, services
//! and queries, named as in `domain/`, `api/` and `pages/`.
pub mod accounts;
pub mod admin;
pub mod desk;
pub mod infra;
pub mod knowledge;
pub mod notify;
pub mod report;

pub use infra::config::Settings;
pub use infra::startup::Application;
pub use infra::state::AppState;
