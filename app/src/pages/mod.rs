//! One folder (or file) per module, named as in `domain/`, `api/` and `server/`.
pub mod accounts;
pub mod admin;
pub mod desk;
pub mod not_found;
pub mod report;
