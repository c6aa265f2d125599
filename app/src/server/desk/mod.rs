//! The desk: the team's queue, the action engine, what its forms pick from, and the sweeps; over
//! server functions (`api::desk`), the action form and the REST API.
pub mod actions;
pub mod forms;
pub mod options;
pub mod queue;
pub mod rest;
pub mod sweeps;
