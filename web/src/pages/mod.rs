//! One module per page (route target).

pub mod admin;
pub mod cabinet;
pub mod integrations;
pub mod login;
pub mod not_found;
pub mod profile;
pub mod route;
pub mod route_lists;
pub mod route_new;

pub use cabinet::CabinetPage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use profile::ProfilePage;
pub use route::RoutePage;
pub use route_lists::{ExpertisePage, MyRoutesPage, QueuePage, RoutesPage, TuteesPage};
pub use route_new::NewRoutePage;
