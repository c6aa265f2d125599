//! The incident team's desktop back office.
pub mod incident;
pub mod queue;
