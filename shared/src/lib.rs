//! The domain of teachers' individual educational routes (ИОМ), shared by the API and the SPA.
//!
//! Pure Rust with no I/O: it builds natively and for wasm32. Russian display names live here
//! once, so the SPA and generated documents say the same thing.

#[macro_use]
mod macros;

pub mod access;
pub mod attestation;
pub mod bank;
pub mod catalogue;
pub mod consent;
pub mod diagnostics;
pub mod drafting;
pub mod dto;
pub mod events;
pub mod levels;
pub mod links;
pub mod monitoring;
pub mod org;
pub mod password;
pub mod portfolio;
pub mod privacy;
pub mod retention;
pub mod roles;
pub mod route;
pub mod text;
pub mod workflow;

pub use levels::{
    ActivityStatus, CompetencyLevel, DeficitState, DiagnosticKind, EventLevel, PeriodKind,
};
pub use org::{UnitKind, UnitPath};
pub use roles::Role;
pub use route::{RouteStatus, Section, Stage};

/// A stored or received code that names no value of a domain enumeration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode {
    pub kind: &'static str,
    pub code: String,
}

impl std::fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} code `{}`", self.kind, self.code)
    }
}

impl std::error::Error for UnknownCode {}
