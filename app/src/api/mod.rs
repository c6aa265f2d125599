//! Server functions, one file per module (named as in `domain/`, `pages/` and `server/`). Each is a public HTTP endpoint under `/api/`: it
//! checks who is calling before anything else, parses its input into domain types, calls
//! `server::…`, and maps the result.
pub mod accounts;
pub mod admin;
pub mod desk;
pub mod knowledge;
pub mod report;
