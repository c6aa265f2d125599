//! What every module stands on: settings, shared state, start-up and the router, the database
//! pool and migrations, telemetry, the CLI, security headers and limits, the REST plumbing.
pub mod assets;
pub mod audit;
pub mod blobs;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod forms;
pub mod health;
pub mod limits;
pub mod locale;
pub mod openapi;
pub mod recent;
pub mod rest;
pub mod scheduler;
pub mod security;
pub mod startup;
pub mod state;
pub mod telemetry;
