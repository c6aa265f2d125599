//! The reporter's report: the incident form and its photos (intake, images, screenshots), filing
//! it once (`service`, `filing`), the reporter's incidents (`list`, `detail`) and their
//! conversation (`messages`), over the forms and the REST API.
pub mod detail;
pub mod filing;
pub mod forms;
pub mod images;
pub mod intake;
pub mod list;
pub mod messages;
pub mod rest;
pub mod screenshots;
pub mod service;
