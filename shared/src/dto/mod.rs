//! Request and response bodies of the REST API, used by the server and the SPA alike.

pub mod admin;
pub mod attestation;
pub mod auth;
pub mod bank;
pub mod catalogue;
pub mod consents;
pub mod diagnostics;
pub mod documents;
pub mod frameworks;
pub mod integration;
pub mod monitoring;
pub mod notifications;
pub mod people;
pub mod portfolio;
pub mod problem;
pub mod retention;
pub mod routes;
pub mod units;

pub use admin::*;
pub use attestation::*;
pub use auth::*;
pub use bank::*;
pub use consents::*;
pub use diagnostics::*;
pub use frameworks::*;
pub use integration::*;
pub use monitoring::*;
pub use notifications::*;
pub use people::*;
pub use portfolio::*;
pub use problem::*;
pub use retention::*;
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

/// Validator errors as the API reports them: messages by field, nested fields flattened into
/// `field.sub[2].x` (the server's 422 and the SPA's own checks name fields alike).
pub fn validation_messages(
    e: &validator::ValidationErrors,
) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut out = std::collections::BTreeMap::new();
    collect_validation_errors(e, "", &mut out);
    out
}

fn collect_validation_errors(
    e: &validator::ValidationErrors,
    prefix: &str,
    out: &mut std::collections::BTreeMap<String, Vec<String>>,
) {
    use validator::ValidationErrorsKind;
    for (field, kind) in e.errors() {
        let name = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                let messages = out.entry(name).or_default();
                for err in list {
                    messages.push(
                        err.message
                            .as_ref()
                            .map(|m| m.to_string())
                            .unwrap_or_else(|| "Недопустимое значение".to_owned()),
                    );
                }
            }
            ValidationErrorsKind::Struct(inner) => collect_validation_errors(inner, &name, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    collect_validation_errors(inner, &format!("{name}[{i}]"), out);
                }
            }
        }
    }
}

/// The deepest `offset` a list serves: past it, narrow the filters instead.
pub const MAX_OFFSET: u64 = 1_000_000;

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
