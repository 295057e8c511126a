//! How long the region keeps its teachers' data, and the report of what the retention rules
//! removed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;
use validator::Validate;

use crate::retention::{MAX_YEARS, RetentionPolicy, RetentionTrigger};

/// The region's retention periods, in whole years (1 to 75). A route's files may not be kept
/// longer than the route ([`RetentionPolicy::check`]).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionPolicyDto {
    /// Completed and withdrawn routes, counted from their end; then they are anonymised and
    /// their certificates verify by number without the name.
    #[validate(range(min = 1, max = 75, message = "От 1 до 75 лет"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 75, default = 3))]
    pub routes_years: i32,
    /// Files uploaded to those routes, from the route's end; no longer than the route.
    #[validate(range(min = 1, max = 75, message = "От 1 до 75 лет"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 75, default = 3))]
    pub files_years: i32,
    /// Diagnostic results, from when they were entered.
    #[validate(range(min = 1, max = 75, message = "От 1 до 75 лет"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 75, default = 3))]
    pub results_years: i32,
    /// Records of who read or changed a person's data, from when they were made.
    #[validate(range(min = 1, max = 75, message = "От 1 до 75 лет"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 75, default = 3))]
    pub audit_years: i32,
}

const _: () = assert!(MAX_YEARS == 75);

impl RetentionPolicyDto {
    pub fn policy(&self) -> RetentionPolicy {
        RetentionPolicy {
            routes_years: self.routes_years,
            files_years: self.files_years,
            results_years: self.results_years,
            audit_years: self.audit_years,
        }
    }
}

impl From<RetentionPolicy> for RetentionPolicyDto {
    fn from(p: RetentionPolicy) -> Self {
        RetentionPolicyDto {
            routes_years: p.routes_years,
            files_years: p.files_years,
            results_years: p.results_years,
            audit_years: p.audit_years,
        }
    }
}

/// The region's periods as they stand, and when they were last changed (never: the defaults).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionDto {
    pub region_id: Uuid,
    pub policy: RetentionPolicyDto,
    pub updated_at: Option<DateTime<Utc>>,
}

/// One run of the retention rules over a region: the report the regional manager reads.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionRunDto {
    pub id: Uuid,
    pub region_id: Uuid,
    pub trigger: RetentionTrigger,
    /// Who pressed «Выполнить сейчас» (none for the nightly run).
    pub started_by: Option<String>,
    pub ran_at: DateTime<Utc>,
    /// The periods the run applied.
    pub policy: RetentionPolicyDto,
    /// What was removed or anonymised: kind of record → how many (empty: nothing had expired).
    pub outcome: BTreeMap<String, u64>,
}
