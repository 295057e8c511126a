//! One module per page (route target).

pub mod cabinet;
pub mod login;
pub mod not_found;
pub mod profile;

pub use cabinet::CabinetPage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use profile::ProfilePage;
