//! The reporter's phone pages: home, the report form, the confirmation, their incidents.
pub mod home;
pub mod incident;
pub mod mine;
pub mod new;
pub mod submitted;

super::lazy_page!(HomeRoute, home::HomePage);
super::lazy_page!(ReportRoute, new::ReportPage);
super::lazy_page!(SubmittedRoute, submitted::SubmittedPage);
super::lazy_page!(MineRoute, mine::MyIncidentsPage);
super::lazy_page!(ReporterIncidentRoute, incident::ReporterIncidentPage);
