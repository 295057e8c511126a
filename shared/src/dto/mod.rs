//! Request and response bodies of the REST API, used by the server and the SPA alike.

pub mod admin;
pub mod auth;
pub mod catalogue;
pub mod diagnostics;
pub mod documents;
pub mod frameworks;
pub mod integration;
pub mod people;
pub mod problem;
pub mod routes;
pub mod units;

pub use admin::*;
pub use auth::*;
pub use diagnostics::*;
pub use frameworks::*;
pub use integration::*;
pub use people::*;
pub use problem::*;
pub use routes::*;
pub use units::*;

/// A validator for text that must not be blank (spaces alone are not an answer).
pub(crate) fn non_blank(s: &str) -> Result<(), validator::ValidationError> {
    if s.trim().is_empty() {
        let mut e = validator::ValidationError::new("blank");
        e.message = Some("Заполните поле".into());
        return Err(e);
    }
    Ok(())
}

/// A page of a list.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many items match the filters in all.
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
}
