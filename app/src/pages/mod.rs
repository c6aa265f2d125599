pub mod admin;
pub mod desk;
pub mod login;
pub mod not_found;
pub mod reporter;
