//! sea-orm entities: one per table. They never cross the wire; services map them to DTOs.

pub mod assignment;
pub mod audit_log;
pub mod job;
pub mod login_throttle;
pub mod org_unit;
pub mod refresh_token;
pub mod region_policy;
pub mod role_grant;
pub mod setting;
pub mod user;
