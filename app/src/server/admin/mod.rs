//! Admin: accounts, lists, canned replies, service levels and the audit search.
pub mod db;
