//! What every handler can reach: the database pool, settings and signing keys.

use sea_orm::DatabaseConnection;

use crate::auth::jwt::JwtKeys;
use crate::config::Settings;
use crate::db::audit::Reads;

pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Settings,
    pub jwt: JwtKeys,
    /// Where people reach the product (`IOM_PUBLIC_URL`, else this server's own address), for
    /// links in mail and documents.
    pub base_url: String,
    /// Whether cookies carry `Secure` (see [`crate::config::secure_cookies`]).
    pub secure_cookies: bool,
    /// Reads of people's data, written to the audit log in batches.
    pub reads: Reads,
    /// Principals recently loaded, reused while the person's row is unchanged.
    pub principals: crate::auth::principal::PrincipalCache,
}
