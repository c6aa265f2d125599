//! The reporter's phone pages: home, the report form, the confirmation, their incidents.
pub mod home;
pub mod incident;
pub mod mine;
pub mod new;
pub mod submitted;
