//! Server functions, one file per resource. Each is a public HTTP endpoint under `/api/`: it
//! checks who is calling before anything else, parses its input into domain types, calls
//! `server::…`, and maps the result.
pub mod admin;
pub mod auth;
pub mod desk;
pub mod incidents;
