//! Units of the hierarchy.

use uuid::Uuid;

use crate::org::{UnitKind, UnitPath};

/// A short reference to a unit, enough to name it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitRef {
    pub id: Uuid,
    pub kind: UnitKind,
    pub name: String,
}

/// A unit of the hierarchy with its place in it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitDto {
    pub id: Uuid,
    pub kind: UnitKind,
    pub name: String,
    pub short_name: Option<String>,
    pub parent_id: Option<Uuid>,
    /// The unit's code in the region's systems (so an edit form can keep it).
    #[serde(default)]
    pub external_id: Option<String>,
    pub path: UnitPath,
    pub archived: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}
