//! Loading a route for a principal: 404 when it is out of scope, with the facts the workflow
//! needs.

use sea_orm::ConnectionTrait;
use shared::access::RouteFacts;
use shared::workflow::Participant;
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::entities::{org_unit, route};
use crate::db::{self, assignments, routes, units};
use crate::error::{AppError, AppResult};

/// A route as seen by one principal.
#[derive(Debug, Clone)]
pub struct RouteCtx {
    pub route: route::Model,
    pub school: org_unit::Model,
    pub facts: RouteFacts,
    pub participants: Vec<Participant>,
}

impl RouteCtx {
    pub fn status(&self) -> shared::RouteStatus {
        self.facts.status
    }
}

/// The policy's facts about `route` relative to `principal`.
pub async fn facts(
    db: &impl ConnectionTrait,
    principal: &Principal,
    route: &route::Model,
) -> AppResult<(RouteFacts, org_unit::Model)> {
    let school = units::find(db, route.school_id)
        .await?
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("route without a school")))?;
    let facts = RouteFacts {
        owner: route.teacher_id,
        school: units::path(&school)?,
        status: db::parse_code(&route.status)?,
        links: assignments::links(db, principal.id(), route.teacher_id).await?,
    };
    Ok((facts, school))
}

/// Loads a route the principal may read (locked for update when `lock`), else 404.
pub async fn load(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
    lock: bool,
) -> AppResult<RouteCtx> {
    let ctx = load_unchecked(db, principal, id, lock).await?;
    if !principal.actor.can_read_route(&ctx.facts) {
        return Err(AppError::NotFound);
    }
    Ok(ctx)
}

/// Loads a route without asking whether the principal may read it: only for writes another
/// area has already authorised (the catalogue completing an activity on attendance).
pub async fn load_unchecked(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
    lock: bool,
) -> AppResult<RouteCtx> {
    let route = if lock {
        routes::find_for_update(db, id).await?
    } else {
        routes::find(db, id).await?
    }
    .ok_or(AppError::NotFound)?;
    let (facts, school) = facts(db, principal, &route).await?;
    let participants = principal.actor.participation(&facts);
    Ok(RouteCtx {
        route,
        school,
        facts,
        participants,
    })
}

/// Records a read of the route (or of a part of it: its card, a file, its history) for the
/// audit log, unless the reader is the route's owner. Buffered: the read pays for a push.
pub fn audit_read(
    state: &crate::state::AppState,
    principal: &Principal,
    ctx: &RouteCtx,
    action: &'static str,
    entity_type: &'static str,
    entity_id: Uuid,
) {
    if ctx.route.teacher_id == principal.id() {
        return;
    }
    state.reads.record(crate::db::audit::Read {
        actor_id: principal.id(),
        actor_kind: "user",
        basis: ctx
            .participants
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
        action,
        entity_type,
        entity_id,
        subject_id: ctx.route.teacher_id,
    });
}
