//! The incident team's desktop back office.
pub mod incident;
pub mod queue;

super::lazy_page!(QueueRoute, queue::QueuePage);
super::lazy_page!(DeskIncidentRoute, incident::DeskIncidentPage);
