//! The request's principal: who is calling, from the bearer token, with their grants loaded.
//!
//! Every request checks the person's row with one cheap query (active, security stamp, last
//! change), so deactivation, revoked roles and a sign-out take effect at once on every instance
//! rather than when the access token expires. Their grants and units are reused from a short-lived
//! in-process cache while that row is unchanged; an entry older than
//! [`crate::config::Settings::principal_cache_ttl`] is loaded afresh, which bounds how long a
//! change elsewhere (an archived unit) takes to be seen.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use sea_orm::ConnectionTrait;
use shared::access::{Actor, Grant};
use uuid::Uuid;

use crate::auth::jwt::Claims;
use crate::db::entities::{org_unit, role_grant, user};
use crate::db::{self, grants, units, users};
use crate::error::AppError;
use crate::state::AppState;

/// A signed-in person and what they may act as.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: user::Model,
    pub actor: Actor,
    /// The grants with their units, for showing them.
    pub grants: Vec<(role_grant::Model, Option<org_unit::Model>)>,
}

impl Principal {
    pub fn id(&self) -> Uuid {
        self.user.id
    }
}

/// Loads a person's grants and builds the policy's view of them.
pub async fn load(db: &impl ConnectionTrait, user: user::Model) -> Result<Principal, AppError> {
    let rows = grants::for_user(db, user.id).await?;
    let unit_ids: Vec<Uuid> = rows.iter().filter_map(|g| g.unit_id).collect();
    let unit_rows = units::find_many(db, &unit_ids).await?;
    let mut actor = Actor {
        user_id: user.id,
        grants: Vec::with_capacity(rows.len()),
    };
    let mut loaded = Vec::with_capacity(rows.len());
    for g in rows {
        let unit = g
            .unit_id
            .and_then(|id| unit_rows.iter().find(|u| u.id == id).cloned());
        // A grant on an archived unit no longer confers anything.
        if unit.as_ref().is_some_and(|u| u.archived_at.is_some()) {
            continue;
        }
        actor.grants.push(Grant {
            role: db::parse_code(&g.role)?,
            unit: unit.as_ref().map(units::path).transpose()?,
        });
        loaded.push((g, unit));
    }
    Ok(Principal {
        user,
        actor,
        grants: loaded,
    })
}

/// Whether an access token still speaks for its person: they are active and the token carries
/// their current security stamp (a sign-out, a new password or e-mail, changed roles or a
/// deactivation give them a new one). The one place this is decided.
pub fn session_is_current(user: &user::Model, claims: &Claims) -> bool {
    user.active && user.security_stamp == claims.sst
}

/// Principals loaded recently on this instance, by person.
pub struct PrincipalCache {
    ttl: Duration,
    entries: Mutex<HashMap<Uuid, (Instant, Principal)>>,
}

/// More people than this signed in within one TTL and the cache starts over.
const CACHE_CAPACITY: usize = 10_000;

impl PrincipalCache {
    pub fn new(ttl: Duration) -> Self {
        PrincipalCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The cached principal of a person if it is younger than the TTL.
    fn fresh(&self, id: Uuid) -> Option<Principal> {
        let entries = self.entries.lock().ok()?;
        let (at, principal) = entries.get(&id)?;
        (at.elapsed() < self.ttl).then(|| principal.clone())
    }

    /// Forgets every principal (a unit changed: grants on it may confer something else now).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }

    fn put(&self, principal: &Principal) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CACHE_CAPACITY {
                let ttl = self.ttl;
                entries.retain(|_, (at, _)| at.elapsed() < ttl);
                if entries.len() >= CACHE_CAPACITY {
                    entries.clear();
                }
            }
            entries.insert(principal.id(), (Instant::now(), principal.clone()));
        }
    }
}

/// The principal for valid claims: one query when the cached principal is still the person's
/// current state, a full load otherwise.
async fn resolve(state: &AppState, claims: &Claims) -> Result<Principal, AppError> {
    if let Some(cached) = state.principals.fresh(claims.sub) {
        let row = users::session_state(&state.db, claims.sub)
            .await?
            .ok_or_else(invalid_token)?;
        if !(row.active && row.security_stamp == claims.sst) {
            return Err(invalid_token());
        }
        if row.security_stamp == cached.user.security_stamp
            && row.updated_at == cached.user.updated_at
            && cached.user.active
        {
            return Ok(cached);
        }
    }
    let user = users::find(&state.db, claims.sub)
        .await?
        .filter(|u| session_is_current(u, claims))
        .ok_or_else(invalid_token)?;
    let principal = load(&state.db, user).await?;
    state.principals.put(&principal);
    Ok(principal)
}

fn unauthenticated() -> AppError {
    AppError::Unauthorized {
        code: "unauthenticated",
        detail: "Войдите в систему.".into(),
    }
}

fn invalid_token() -> AppError {
    AppError::Unauthorized {
        code: "invalid_token",
        detail: "Сеанс истёк или недействителен. Войдите снова.".into(),
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

impl FromRequest for Principal {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        Box::pin(async move {
            let state =
                state.ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("no app state")))?;
            let token = token.ok_or_else(unauthenticated)?;
            let claims = state.jwt.verify(&token).ok_or_else(invalid_token)?;
            resolve(&state, &claims).await
        })
    }
}
