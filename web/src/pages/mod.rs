//! One module per page (route target).

pub mod access_log;
pub mod admin;
pub mod attestation;
pub mod bank;
pub mod cabinet;
pub mod catalogue;
pub mod consents;
pub mod diagnostics;
pub mod documents;
pub mod integrations;
pub mod login;
pub mod monitoring;
pub mod not_found;
pub mod notifications;
pub mod portfolio;
pub mod profile;
pub mod retention;
pub mod route;
pub mod route_lists;
pub mod route_new;
pub mod unsubscribe;

pub use cabinet::CabinetPage;
pub use catalogue::{
    CalendarPage, CohortsPage, EditEventPage, EventPage, NewEventPage, RecommendedPage,
};
pub use diagnostics::{
    AnalyticsPage, CampaignPage, CampaignsPage, FrameworkPage, FrameworksPage, MyDiagnosticsPage,
};
pub use documents::VerifyPage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use notifications::NotificationsPage;
pub use profile::ProfilePage;
pub use route::RoutePage;
pub use route_lists::{ExpertisePage, MyRoutesPage, QueuePage, RoutesPage, TuteesPage};
pub use route_new::NewRoutePage;
