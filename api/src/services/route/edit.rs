//! Writing a route's sections. Every write goes through an [`Editor`]: one transaction with the
//! route row locked, the policy and the workflow asked, versions checked, and every changed
//! field recorded as a correction in the route's history.

use std::collections::HashSet;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use shared::dto::WebhookEvent;
use shared::dto::*;
use shared::workflow::{self, Part, Participant};
use shared::{ActivityStatus, DeficitState, RouteStatus};
use uuid::Uuid;
use validator::Validate;

use super::create::{clean, profile_snapshot, to_json};
use super::{RouteCtx, access, read};
use crate::auth::Principal;
use crate::db::entities::{
    competency, route, route_activity, route_activity_competency, route_activity_deficit,
    route_change, route_deficit, route_diagnostic, route_diagnostic_result, route_product,
    route_progress, route_task, route_task_deficit,
};
use crate::db::{self, policies, routes, users};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// One recorded change of a field.
struct Change {
    entity: &'static str,
    entity_id: Option<Uuid>,
    subject: String,
    field: &'static str,
    old: Option<String>,
    new: Option<String>,
    material: bool,
}

/// A write to one route, in one transaction.
pub struct Editor<'a> {
    pub txn: DatabaseTransaction,
    pub ctx: RouteCtx,
    principal: &'a Principal,
    changes: Vec<Change>,
    /// Activities that became done in this write (reported to integrations).
    done_activities: Vec<(Uuid, String)>,
}

/// Who writes the conclusion: those who complete the route.
const CONCLUSION_WRITERS: &[Participant] = &[
    Participant::Tutor,
    Participant::SchoolCoordinator,
    Participant::Director,
    Participant::RegionalManager,
];

/// Whether `principal` may write `part` of the route now: 403 without the right, 409 when the
/// route's status holds that part.
fn may_write(principal: &Principal, ctx: &access::RouteCtx, part: Part) -> AppResult<()> {
    let allowed = match part {
        Part::Conclusion => ctx
            .participants
            .iter()
            .any(|p| CONCLUSION_WRITERS.contains(p)),
        _ => principal.actor.can_edit_route(&ctx.facts),
    };
    if !allowed {
        return Err(AppError::forbidden(
            "У вас нет права изменять эту часть маршрута.",
        ));
    }
    if !workflow::editable(part, ctx.status()) {
        return Err(AppError::conflict(
            "route_locked",
            format!(
                "Маршрут в статусе «{}»: эту часть сейчас изменить нельзя.",
                ctx.status().title_ru()
            ),
        ));
    }
    Ok(())
}

impl<'a> Editor<'a> {
    /// The checks [`Editor::begin`] makes, without opening a write: asked before an upload's
    /// body is read, so a stranger's file is neither read nor stored.
    pub async fn check(
        state: &AppState,
        principal: &Principal,
        id: Uuid,
        part: Part,
    ) -> AppResult<()> {
        let ctx = access::load(&state.db, principal, id, false).await?;
        may_write(principal, &ctx, part)
    }

    /// Opens the route for writing `part`: 404 out of scope, 403 without the right, 409 when
    /// the route's status holds that part still.
    pub async fn begin(
        state: &AppState,
        principal: &'a Principal,
        id: Uuid,
        part: Part,
    ) -> AppResult<Self> {
        let txn = db::begin_write(&state.db).await?;
        let ctx = access::load(&txn, principal, id, true).await?;
        may_write(principal, &ctx, part)?;
        Ok(Editor {
            txn,
            ctx,
            principal,
            changes: Vec::new(),
            done_activities: Vec::new(),
        })
    }

    /// Opens the route for a write another area has authorised (the catalogue marking an
    /// activity done when its event's organiser records attendance): no scope or edit right is
    /// asked, but the route's workflow still holds and the correction is recorded as usual.
    pub async fn begin_authorised(
        state: &AppState,
        principal: &'a Principal,
        id: Uuid,
        part: Part,
    ) -> AppResult<Self> {
        let txn = db::begin_write(&state.db).await?;
        let ctx = access::load_unchecked(&txn, principal, id, true).await?;
        if !workflow::editable(part, ctx.status()) {
            return Err(AppError::conflict(
                "route_locked",
                format!(
                    "Маршрут в статусе «{}»: эту часть сейчас изменить нельзя.",
                    ctx.status().title_ru()
                ),
            ));
        }
        Ok(Editor {
            txn,
            ctx,
            principal,
            changes: Vec::new(),
            done_activities: Vec::new(),
        })
    }

    pub fn route(&self) -> &route::Model {
        &self.ctx.route
    }

    /// Who is writing.
    pub fn actor_id(&self) -> Uuid {
        self.principal.id()
    }

    /// The route's version the caller based the edit on must be the current one.
    pub fn expect_route_version(&self, version: i32) -> AppResult<()> {
        expect_version(self.ctx.route.version, Some(version))
    }

    /// Records a field's change when the value differs.
    #[allow(clippy::too_many_arguments)]
    fn diff(
        &mut self,
        entity: &'static str,
        entity_id: Option<Uuid>,
        subject: &str,
        field: &'static str,
        old: Option<String>,
        new: Option<String>,
        material: bool,
    ) {
        if old != new {
            self.changes.push(Change {
                entity,
                entity_id,
                subject: subject.to_owned(),
                field,
                old,
                new,
                material,
            });
        }
    }

    /// Records that something was added (a file, for one).
    pub fn record_added(&mut self, entity: &'static str, subject: &str, name: &str) {
        self.diff(
            entity,
            None,
            subject,
            "added",
            None,
            Some(name.to_owned()),
            false,
        );
    }

    /// Records that something was removed.
    pub fn record_removed(&mut self, entity: &'static str, subject: &str, name: &str) {
        self.diff(
            entity,
            None,
            subject,
            "removed",
            Some(name.to_owned()),
            None,
            false,
        );
    }

    /// Commits: bumps the route's version, recomputes its stage, writes the corrections, and
    /// returns the route as it now is.
    pub async fn finish(self, state: &AppState) -> AppResult<RouteDto> {
        let principal = self.principal;
        let id = self.commit().await?;
        let ctx = access::load(&state.db, principal, id, false).await?;
        read::assemble(&state.db, principal, &ctx).await
    }

    /// Commits like [`Editor::finish`] without reading the route back (for writers who may not
    /// read it); returns its id.
    pub async fn commit(self) -> AppResult<Uuid> {
        let Editor {
            txn,
            ctx,
            principal,
            changes,
            done_activities,
        } = self;
        if !changes.is_empty() {
            let version = ctx.route.version + 1;
            let material = changes.iter().any(|c| c.material);
            let stage = stage_now(&txn, &ctx.route, ctx.status()).await?;
            let t = db::now();
            let mut am = ctx.route.clone().into_active_model();
            am.version = Set(version);
            am.updated_at = Set(t);
            am.stage = Set(stage.as_str().to_owned());
            if material {
                am.material_version = Set(Some(version));
            }
            let updated = am.update(&txn).await?;
            crate::services::integration::sync::touch_route(&txn, &updated, false).await?;
            for (activity, name) in &done_activities {
                emit_activity_done(&txn, &updated, principal.id(), *activity, name).await?;
            }
            for c in changes {
                route_change::ActiveModel {
                    id: Set(db::new_id()),
                    route_id: Set(ctx.route.id),
                    version: Set(version),
                    entity: Set(c.entity.to_owned()),
                    entity_id: Set(c.entity_id),
                    subject: Set(truncate(&c.subject, 250)),
                    field: Set(c.field.to_owned()),
                    old_value: Set(c.old),
                    new_value: Set(c.new),
                    material: Set(c.material),
                    actor_id: Set(principal.id()),
                    at: Set(t),
                }
                .insert(&txn)
                .await?;
            }
        }
        txn.commit().await?;
        Ok(ctx.route.id)
    }
}

/// Records that a roadmap activity is done, and tells subscribed integrations.
async fn emit_activity_done(
    db: &impl ConnectionTrait,
    route: &route::Model,
    actor: Uuid,
    activity: Uuid,
    name: &str,
) -> AppResult<()> {
    use crate::services::events::{self, Event};
    use crate::services::integration::{summary, webhooks};
    events::record(
        db,
        Event::route(
            shared::events::EventKind::ActivityDone,
            actor,
            route,
            serde_json::json!({ "activity": { "id": activity, "name": name } }),
        ),
    )
    .await?;
    let place = shared::UnitPath {
        region: route.region_id,
        district: None,
        municipality: route.municipality_id,
        school: Some(route.school_id),
    };
    // Nothing goes out about a teacher who withdrew their consent to transfer.
    let Some(summary) = summary::routes(db, &[route.id]).await?.remove(&route.id) else {
        return Ok(());
    };
    webhooks::emit(
        db,
        WebhookEvent::ActivityDone,
        &place,
        serde_json::json!({ "activity": { "id": activity, "name": name }, "route": summary }),
    )
    .await
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// A row of one of a route's sections.
pub trait RouteItem {
    fn route_id(&self) -> Uuid;
    fn version(&self) -> i32;
}

macro_rules! route_item {
    ($($m:ident),+) => {
        $(impl RouteItem for $m::Model {
            fn route_id(&self) -> Uuid {
                self.route_id
            }
            fn version(&self) -> i32 {
                self.version
            }
        })+
    };
}
route_item!(
    route_diagnostic,
    route_deficit,
    route_task,
    route_activity,
    route_progress,
    route_product
);

impl Editor<'_> {
    /// An item of this route at the version the caller based the change on: 404 when it is
    /// not this route's, 412 when stale, 422 when no version was given.
    async fn item<E>(&self, item_id: Uuid, version: Option<i32>) -> AppResult<E::Model>
    where
        E: EntityTrait,
        E::Model: RouteItem,
        <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<Uuid>,
    {
        let item = E::find_by_id(item_id)
            .one(&self.txn)
            .await?
            .filter(|i| i.route_id() == self.ctx.route.id)
            .ok_or(AppError::NotFound)?;
        expect_version(item.version(), version)?;
        Ok(item)
    }
}

/// An item's version: required on update, and it must be the current one.
pub fn expect_version(current: i32, given: Option<i32>) -> AppResult<()> {
    match given {
        None => Err(AppError::invalid("version", "Укажите версию, на основе которой сделано изменение.")),
        Some(v) if v != current => Err(AppError::PreconditionFailed {
            detail: "Данные изменились с тех пор, как вы их открыли. Обновите страницу и повторите изменение."
                .into(),
        }),
        Some(_) => Ok(()),
    }
}

/// The stage from the status and what the sections hold.
async fn stage_now(
    db: &impl ConnectionTrait,
    route: &route::Model,
    status: RouteStatus,
) -> AppResult<shared::Stage> {
    let has_diagnostics = route_diagnostic::Entity::find()
        .filter(route_diagnostic::Column::RouteId.eq(route.id))
        .count(db)
        .await?
        > 0
        || route_deficit::Entity::find()
            .filter(route_deficit::Column::RouteId.eq(route.id))
            .count(db)
            .await?
            > 0;
    let has_tasks = route_task::Entity::find()
        .filter(route_task::Column::RouteId.eq(route.id))
        .count(db)
        .await?
        > 0;
    Ok(workflow::stage_of(status, has_diagnostics, has_tasks))
}

fn show<T: std::fmt::Display>(v: Option<T>) -> Option<String> {
    v.map(|v| v.to_string())
}

fn date(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%d.%m.%Y").to_string())
}

fn quoted(kind: &str, title: &str) -> String {
    format!("{kind} «{}»", truncate(title, 120))
}

/// The next position at the end of a section.
fn next_position<'a>(positions: impl Iterator<Item = &'a i32>) -> i32 {
    positions.max().map_or(0, |p| p + 1)
}

/// Ids that are not among `known`, for a clear error.
fn check_ids(field: &str, given: &[Uuid], known: &[Uuid], what: &str) -> AppResult<()> {
    let unknown: Vec<&Uuid> = given.iter().filter(|id| !known.contains(id)).collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid(
            field,
            format!("{what} не найдены в этом маршруте."),
        ))
    }
}

fn dedup(ids: &[Uuid]) -> Vec<Uuid> {
    let mut seen = HashSet::new();
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

/// Competencies must come from the route's framework.
async fn check_competencies(
    ed: &Editor<'_>,
    field: &str,
    ids: &[Uuid],
) -> AppResult<Vec<competency::Model>> {
    let found = routes::competencies(&ed.txn, ids).await?;
    let ok = found.len() == ids.len()
        && found
            .iter()
            .all(|c| ed.route().framework_id.is_none_or(|f| f == c.framework_id));
    if !ok {
        return Err(AppError::invalid(
            field,
            "Компетенции должны быть из рамки компетенций маршрута.",
        ));
    }
    Ok(found)
}

fn names(comps: &[competency::Model], ids: &[Uuid]) -> Option<String> {
    let list: Vec<String> = ids
        .iter()
        .filter_map(|id| comps.iter().find(|c| c.id == *id))
        .map(|c| c.code.clone())
        .collect();
    (!list.is_empty()).then(|| list.join(", "))
}

// ---- The route's own fields ----

pub async fn update_route(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: UpdateRoute,
) -> AppResult<RouteDto> {
    req.validate()?;
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    ed.expect_route_version(req.version)?;
    let r = ed.route().clone();
    if (req.period_start, req.period_end) != (r.period_start, r.period_end) {
        let policy = policies::for_region(&ed.txn, r.region_id).await?;
        let max = if r.original_end.is_some() {
            policy.max_route_months + policy.max_extension_months
        } else {
            policy.max_route_months
        };
        workflow::check_period(req.period_start, req.period_end, max)
            .map_err(|m| AppError::invalid("period_end", m))?;
        let outside = routes::activities(&ed.txn, id)
            .await?
            .iter()
            .filter(|a| {
                workflow::check_activity_dates(
                    a.start_date,
                    a.end_date,
                    (req.period_start, req.period_end),
                )
                .is_err()
            })
            .count();
        if outside > 0 {
            return Err(AppError::invalid(
                "period_end",
                format!(
                    "Сроки {outside} мероприятий дорожной карты окажутся вне нового срока маршрута: сначала измените их."
                ),
            ));
        }
    }
    let title = req.title.trim().to_owned();
    let track = clean(req.track);
    let request = clean(req.educational_request);
    let subject = "Маршрут";
    ed.diff(
        "route",
        Some(id),
        subject,
        "title",
        Some(r.title.clone()),
        Some(title.clone()),
        false,
    );
    ed.diff(
        "route",
        Some(id),
        subject,
        "track",
        r.track.clone(),
        track.clone(),
        false,
    );
    ed.diff(
        "route",
        Some(id),
        subject,
        "period_start",
        date(Some(r.period_start)),
        date(Some(req.period_start)),
        true,
    );
    ed.diff(
        "route",
        Some(id),
        subject,
        "period_end",
        date(Some(r.period_end)),
        date(Some(req.period_end)),
        true,
    );
    ed.diff(
        "route",
        Some(id),
        subject,
        "educational_request",
        r.educational_request.clone(),
        request.clone(),
        false,
    );
    let mut am = r.into_active_model();
    am.sort_key = Set(shared::text::sort_key(&[&title]));
    am.title = Set(title);
    am.track = Set(track);
    am.period_start = Set(req.period_start);
    am.period_end = Set(req.period_end);
    am.educational_request = Set(request);
    ed.ctx.route = am.update(&ed.txn).await?;
    ed.finish(state).await
}

/// Takes the teacher's profile again into the information section.
pub async fn refresh_information(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    version: i32,
) -> AppResult<RouteDto> {
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    ed.expect_route_version(version)?;
    let teacher = users::find(&ed.txn, ed.route().teacher_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let snapshot = to_json(&profile_snapshot(&ed.txn, &teacher).await?)?;
    let r = ed.route().clone();
    if snapshot != r.profile_snapshot {
        ed.diff(
            "route",
            Some(id),
            "Информационная справка",
            "profile",
            None,
            Some("обновлена из профиля".into()),
            false,
        );
    }
    let mut am = r.into_active_model();
    am.profile_snapshot = Set(snapshot);
    am.profile_taken_at = Set(db::now());
    ed.ctx.route = am.update(&ed.txn).await?;
    ed.finish(state).await
}

// ---- Diagnostics ----

async fn write_results(
    ed: &Editor<'_>,
    diagnostic: Uuid,
    results: &[CompetencyResultInput],
) -> AppResult<()> {
    let ids: Vec<Uuid> = results.iter().map(|r| r.competency_id).collect();
    if dedup(&ids).len() != ids.len() {
        return Err(AppError::invalid(
            "results",
            "Каждая компетенция может встречаться в диагностике один раз.",
        ));
    }
    check_competencies(ed, "results", &ids).await?;
    if results
        .iter()
        .any(|r| r.score.is_some_and(|s| !(0.0..=100_000.0).contains(&s)))
    {
        return Err(AppError::invalid(
            "results",
            "Балл должен быть неотрицательным числом.",
        ));
    }
    route_diagnostic_result::Entity::delete_many()
        .filter(route_diagnostic_result::Column::DiagnosticId.eq(diagnostic))
        .exec(&ed.txn)
        .await?;
    for r in results {
        route_diagnostic_result::ActiveModel {
            diagnostic_id: Set(diagnostic),
            competency_id: Set(r.competency_id),
            level: Set(r.level.as_str().to_owned()),
            score: Set(r.score),
        }
        .insert(&ed.txn)
        .await?;
    }
    Ok(())
}

fn results_text(results: &[CompetencyResultInput], comps: &[competency::Model]) -> Option<String> {
    let parts: Vec<String> = results
        .iter()
        .filter_map(|r| {
            let c = comps.iter().find(|c| c.id == r.competency_id)?;
            Some(format!("{}: {}", c.code, r.level.title_ru().to_lowercase()))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

pub async fn add_diagnostic(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: DiagnosticInput,
) -> AppResult<RouteDto> {
    req.validate()?;
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    let existing = routes::diagnostics(&ed.txn, id).await?;
    let t = db::now();
    let item = route_diagnostic::ActiveModel {
        id: Set(db::new_id()),
        route_id: Set(id),
        version: Set(1),
        position: Set(next_position(existing.iter().map(|d| &d.position))),
        kind: Set(req.kind.as_str().to_owned()),
        level: Set(req.level.as_str().to_owned()),
        name: Set(req.name.trim().to_owned()),
        date: Set(req.date),
        campaign_id: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&ed.txn)
    .await?;
    write_results(&ed, item.id, &req.results).await?;
    let comps = routes::competencies(
        &ed.txn,
        &req.results
            .iter()
            .map(|r| r.competency_id)
            .collect::<Vec<_>>(),
    )
    .await?;
    let subject = quoted("Диагностика", &item.name);
    ed.diff(
        "diagnostic",
        Some(item.id),
        &subject,
        "added",
        None,
        Some(item.name.clone()),
        false,
    );
    ed.diff(
        "diagnostic",
        Some(item.id),
        &subject,
        "results",
        None,
        results_text(&req.results, &comps),
        false,
    );
    ed.finish(state).await
}

pub async fn update_diagnostic(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    item_id: Uuid,
    req: DiagnosticInput,
) -> AppResult<RouteDto> {
    req.validate()?;
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    let item = ed
        .item::<route_diagnostic::Entity>(item_id, req.version)
        .await?;
    let old_results = routes::diagnostic_results(&ed.txn, &[item_id]).await?;
    let mut all_ids: Vec<Uuid> = old_results.iter().map(|r| r.competency_id).collect();
    all_ids.extend(req.results.iter().map(|r| r.competency_id));
    let comps = routes::competencies(&ed.txn, &all_ids).await?;
    let old_inputs: Vec<CompetencyResultInput> = old_results
        .iter()
        .filter_map(|r| {
            Some(CompetencyResultInput {
                competency_id: r.competency_id,
                level: r.level.parse().ok()?,
                score: r.score,
            })
        })
        .collect();
    write_results(&ed, item_id, &req.results).await?;
    let subject = quoted("Диагностика", &item.name);
    ed.diff(
        "diagnostic",
        Some(item_id),
        &subject,
        "name",
        Some(item.name.clone()),
        Some(req.name.trim().to_owned()),
        false,
    );
    ed.diff(
        "diagnostic",
        Some(item_id),
        &subject,
        "kind",
        Some(item.kind.clone()),
        Some(req.kind.to_string()),
        false,
    );
    ed.diff(
        "diagnostic",
        Some(item_id),
        &subject,
        "level",
        Some(item.level.clone()),
        Some(req.level.to_string()),
        false,
    );
    ed.diff(
        "diagnostic",
        Some(item_id),
        &subject,
        "date",
        date(item.date),
        date(req.date),
        false,
    );
    ed.diff(
        "diagnostic",
        Some(item_id),
        &subject,
        "results",
        results_text(&old_inputs, &comps),
        results_text(&req.results, &comps),
        false,
    );
    let version = item.version + 1;
    let mut am = item.into_active_model();
    am.name = Set(req.name.trim().to_owned());
    am.kind = Set(req.kind.as_str().to_owned());
    am.level = Set(req.level.as_str().to_owned());
    am.date = Set(req.date);
    am.version = Set(version);
    am.updated_at = Set(db::now());
    am.update(&ed.txn).await?;
    ed.finish(state).await
}

pub async fn delete_diagnostic(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    item_id: Uuid,
    version: Option<i32>,
) -> AppResult<RouteDto> {
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    let item = ed
        .item::<route_diagnostic::Entity>(item_id, version)
        .await?;
    route_diagnostic::Entity::delete_by_id(item_id)
        .exec(&ed.txn)
        .await?;
    ed.diff(
        "diagnostic",
        Some(item_id),
        &quoted("Диагностика", &item.name),
        "removed",
        Some(item.name.clone()),
        None,
        false,
    );
    ed.finish(state).await
}

// ---- Deficits ----

pub async fn add_deficit(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: DeficitInput,
) -> AppResult<RouteDto> {
    req.validate()?;
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    if let Some(c) = req.competency_id {
        check_competencies(&ed, "competency_id", &[c]).await?;
    }
    let existing = routes::deficits(&ed.txn, id).await?;
    let t = db::now();
    let item = route_deficit::ActiveModel {
        id: Set(db::new_id()),
        route_id: Set(id),
        version: Set(1),
        position: Set(next_position(existing.iter().map(|d| &d.position))),
        title: Set(req.title.trim().to_owned()),
        description: Set(clean(req.description)),
        competency_id: Set(req.competency_id),
        confirmed: Set(req.confirmed),
        state: Set(req.state.unwrap_or(DeficitState::Open).as_str().to_owned()),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&ed.txn)
    .await?;
    ed.diff(
        "deficit",
        Some(item.id),
        &quoted("Дефицит", &item.title),
        "added",
        None,
        Some(item.title.clone()),
        false,
    );
    ed.finish(state).await
}

pub async fn update_deficit(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    item_id: Uuid,
    req: DeficitInput,
) -> AppResult<RouteDto> {
    req.validate()?;
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    let item = ed
        .item::<route_deficit::Entity>(item_id, req.version)
        .await?;
    if let Some(c) = req.competency_id {
        check_competencies(&ed, "competency_id", &[c]).await?;
    }
    let subject = quoted("Дефицит", &item.title);
    let title = req.title.trim().to_owned();
    let description = clean(req.description);
    let state_code = req
        .state
        .map_or(item.state.clone(), |s| s.as_str().to_owned());
    ed.diff(
        "deficit",
        Some(item_id),
        &subject,
        "title",
        Some(item.title.clone()),
        Some(title.clone()),
        false,
    );
    ed.diff(
        "deficit",
        Some(item_id),
        &subject,
        "description",
        item.description.clone(),
        description.clone(),
        false,
    );
    ed.diff(
        "deficit",
        Some(item_id),
        &subject,
        "confirmed",
        Some(item.confirmed.to_string()),
        Some(req.confirmed.to_string()),
        false,
    );
    ed.diff(
        "deficit",
        Some(item_id),
        &subject,
        "state",
        Some(item.state.clone()),
        Some(state_code.clone()),
        false,
    );
    ed.diff(
        "deficit",
        Some(item_id),
        &subject,
        "competency",
        show(item.competency_id),
        show(req.competency_id),
        false,
    );
    let version = item.version + 1;
    let mut am = item.into_active_model();
    am.title = Set(title);
    am.description = Set(description);
    am.competency_id = Set(req.competency_id);
    am.confirmed = Set(req.confirmed);
    am.state = Set(state_code);
    am.version = Set(version);
    am.updated_at = Set(db::now());
    am.update(&ed.txn).await?;
    ed.finish(state).await
}

pub async fn delete_deficit(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    item_id: Uuid,
    version: Option<i32>,
) -> AppResult<RouteDto> {
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    let item = ed.item::<route_deficit::Entity>(item_id, version).await?;
    // Tasks that lose a deficit change the plan.
    let linked_tasks = route_task_deficit::Entity::find()
        .filter(route_task_deficit::Column::DeficitId.eq(item_id))
        .count(&ed.txn)
        .await?;
    route_deficit::Entity::delete_by_id(item_id)
        .exec(&ed.txn)
        .await?;
    ed.diff(
        "deficit",
        Some(item_id),
        &quoted("Дефицит", &item.title),
        "removed",
        Some(item.title.clone()),
        None,
        linked_tasks > 0,
    );
    ed.finish(state).await
}

// ---- Tasks ----

async fn deficit_titles(ed: &Editor<'_>, ids: &[Uuid]) -> AppResult<(Vec<Uuid>, Option<String>)> {
    let all = routes::deficits(&ed.txn, ed.route().id).await?;
    let known: Vec<Uuid> = all.iter().map(|d| d.id).collect();
    check_ids("deficit_ids", ids, &known, "Указанные дефициты")?;
    let titles: Vec<String> = all
        .iter()
        .filter(|d| ids.contains(&d.id))
        .map(|d| truncate(&d.title, 80))
        .collect();
    Ok((known, (!titles.is_empty()).then(|| titles.join("; "))))
}

async fn link_task(ed: &Editor<'_>, task: Uuid, deficits: &[Uuid]) -> AppResult<()> {
    route_task_deficit::Entity::delete_many()
        .filter(route_task_deficit::Column::TaskId.eq(task))
        .exec(&ed.txn)
        .await?;
    for d in deficits {
        route_task_deficit::ActiveModel {
            task_id: Set(task),
            deficit_id: Set(*d),
        }
        .insert(&ed.txn)
        .await?;
    }
    Ok(())
}

pub async fn add_task(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: TaskInput,
) -> AppResult<RouteDto> {
    req.validate()?;
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    let deficits = dedup(&req.deficit_ids);
    let (_, titles) = deficit_titles(&ed, &deficits).await?;
    let existing = routes::tasks(&ed.txn, id).await?;
    let t = db::now();
    let item = route_task::ActiveModel {
        id: Set(db::new_id()),
        route_id: Set(id),
        version: Set(1),
        position: Set(next_position(existing.iter().map(|x| &x.position))),
        title: Set(req.title.trim().to_owned()),
        description: Set(clean(req.description)),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&ed.txn)
    .await?;
    link_task(&ed, item.id, &deficits).await?;
    let subject = quoted("Задача", &item.title);
    ed.diff(
        "task",
        Some(item.id),
        &subject,
        "added",
        None,
        Some(item.title.clone()),
        true,
    );
    ed.diff(
        "task",
        Some(item.id),
        &subject,
        "deficits",
        None,
        titles,
        true,
    );
    ed.finish(state).await
}

pub async fn update_task(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    item_id: Uuid,
    req: TaskInput,
) -> AppResult<RouteDto> {
    req.validate()?;
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    let item = ed.item::<route_task::Entity>(item_id, req.version).await?;
    let deficits = dedup(&req.deficit_ids);
    let (_, new_titles) = deficit_titles(&ed, &deficits).await?;
    let old_links: Vec<Uuid> = routes::task_deficits(&ed.txn, &[item_id])
        .await?
        .into_iter()
        .map(|l| l.deficit_id)
        .collect();
    let (_, old_titles) = deficit_titles(&ed, &old_links).await?;
    link_task(&ed, item_id, &deficits).await?;
    let subject = quoted("Задача", &item.title);
    let title = req.title.trim().to_owned();
    let description = clean(req.description);
    ed.diff(
        "task",
        Some(item_id),
        &subject,
        "title",
        Some(item.title.clone()),
        Some(title.clone()),
        true,
    );
    ed.diff(
        "task",
        Some(item_id),
        &subject,
        "description",
        item.description.clone(),
        description.clone(),
        true,
    );
    ed.diff(
        "task",
        Some(item_id),
        &subject,
        "deficits",
        old_titles,
        new_titles,
        true,
    );
    let version = item.version + 1;
    let mut am = item.into_active_model();
    am.title = Set(title);
    am.description = Set(description);
    am.version = Set(version);
    am.updated_at = Set(db::now());
    am.update(&ed.txn).await?;
    ed.finish(state).await
}

pub async fn delete_task(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    item_id: Uuid,
    version: Option<i32>,
) -> AppResult<RouteDto> {
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    let item = ed.item::<route_task::Entity>(item_id, version).await?;
    route_task::Entity::delete_by_id(item_id)
        .exec(&ed.txn)
        .await?;
    ed.diff(
        "task",
        Some(item_id),
        &quoted("Задача", &item.title),
        "removed",
        Some(item.title.clone()),
        None,
        true,
    );
    ed.finish(state).await
}

// ---- Activities (the roadmap) ----

async fn link_activity(
    ed: &Editor<'_>,
    activity: Uuid,
    deficits: &[Uuid],
    competencies: &[Uuid],
) -> AppResult<()> {
    route_activity_deficit::Entity::delete_many()
        .filter(route_activity_deficit::Column::ActivityId.eq(activity))
        .exec(&ed.txn)
        .await?;
    route_activity_competency::Entity::delete_many()
        .filter(route_activity_competency::Column::ActivityId.eq(activity))
        .exec(&ed.txn)
        .await?;
    for d in deficits {
        route_activity_deficit::ActiveModel {
            activity_id: Set(activity),
            deficit_id: Set(*d),
        }
        .insert(&ed.txn)
        .await?;
    }
    for c in competencies {
        route_activity_competency::ActiveModel {
            activity_id: Set(activity),
            competency_id: Set(*c),
        }
        .insert(&ed.txn)
        .await?;
    }
    Ok(())
}

/// Checks an activity's references and dates; returns the cleaned deficit and competency ids
/// and the competencies (for the history).
async fn check_activity(
    ed: &Editor<'_>,
    req: &ActivityInput,
) -> AppResult<(Vec<Uuid>, Vec<Uuid>, Vec<competency::Model>)> {
    let deficits = dedup(&req.deficit_ids);
    let comps = dedup(&req.competency_ids);
    deficit_titles(ed, &deficits).await?;
    let found = check_competencies(ed, "competency_ids", &comps).await?;
    let r = ed.route();
    workflow::check_activity_dates(req.start_date, req.end_date, (r.period_start, r.period_end))
        .map_err(|m| AppError::invalid("start_date", m))?;
    Ok((deficits, comps, found))
}

pub async fn add_activity(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: ActivityInput,
) -> AppResult<RouteDto> {
    req.validate()?;
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    let (deficits, comps, _) = check_activity(&ed, &req).await?;
    let existing = routes::activities(&ed.txn, id).await?;
    let t = db::now();
    let item = route_activity::ActiveModel {
        id: Set(db::new_id()),
        route_id: Set(id),
        version: Set(1),
        position: Set(next_position(existing.iter().map(|x| &x.position))),
        name: Set(req.name.trim().to_owned()),
        level: Set(req.level.map(|l| l.as_str().to_owned())),
        start_date: Set(req.start_date),
        end_date: Set(req.end_date),
        participation_form: Set(clean(req.participation_form)),
        result: Set(clean(req.result)),
        status: Set(req
            .status
            .unwrap_or(ActivityStatus::Planned)
            .as_str()
            .to_owned()),
        reflection: Set(clean(req.reflection)),
        hours: Set(req.hours),
        event_id: Set(req.event_id),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&ed.txn)
    .await?;
    link_activity(&ed, item.id, &deficits, &comps).await?;
    ed.diff(
        "activity",
        Some(item.id),
        &quoted("Мероприятие", &item.name),
        "added",
        None,
        Some(item.name.clone()),
        false,
    );
    ed.finish(state).await
}

pub async fn update_activity(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    item_id: Uuid,
    req: ActivityInput,
) -> AppResult<RouteDto> {
    req.validate()?;
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    let item = ed
        .item::<route_activity::Entity>(item_id, req.version)
        .await?;
    let (deficits, comps, found) = check_activity(&ed, &req).await?;
    let old_comps: Vec<Uuid> = routes::activity_competencies(&ed.txn, &[item_id])
        .await?
        .into_iter()
        .map(|l| l.competency_id)
        .collect();
    let old_found = routes::competencies(&ed.txn, &old_comps).await?;
    let old_deficits: Vec<Uuid> = routes::activity_deficits(&ed.txn, &[item_id])
        .await?
        .into_iter()
        .map(|l| l.deficit_id)
        .collect();
    let (_, old_titles) = deficit_titles(&ed, &old_deficits).await?;
    let (_, new_titles) = deficit_titles(&ed, &deficits).await?;
    link_activity(&ed, item_id, &deficits, &comps).await?;

    let subject = quoted("Мероприятие", &item.name);
    let name = req.name.trim().to_owned();
    let form = clean(req.participation_form);
    let result = clean(req.result);
    let reflection = clean(req.reflection);
    let status = req
        .status
        .map_or(item.status.clone(), |s| s.as_str().to_owned());
    let level = req.level.map(|l| l.as_str().to_owned());
    let e = Some(item_id);
    ed.diff(
        "activity",
        e,
        &subject,
        "name",
        Some(item.name.clone()),
        Some(name.clone()),
        false,
    );
    ed.diff(
        "activity",
        e,
        &subject,
        "competencies",
        names(&old_found, &old_comps),
        names(&found, &comps),
        false,
    );
    ed.diff(
        "activity", e, &subject, "deficits", old_titles, new_titles, false,
    );
    ed.diff(
        "activity",
        e,
        &subject,
        "level",
        item.level.clone(),
        level.clone(),
        false,
    );
    ed.diff(
        "activity",
        e,
        &subject,
        "start_date",
        date(item.start_date),
        date(req.start_date),
        false,
    );
    ed.diff(
        "activity",
        e,
        &subject,
        "end_date",
        date(item.end_date),
        date(req.end_date),
        false,
    );
    ed.diff(
        "activity",
        e,
        &subject,
        "participation_form",
        item.participation_form.clone(),
        form.clone(),
        false,
    );
    ed.diff(
        "activity",
        e,
        &subject,
        "result",
        item.result.clone(),
        result.clone(),
        false,
    );
    if status == ActivityStatus::Done.as_str() && item.status != status {
        ed.done_activities.push((item_id, name.clone()));
    }
    ed.diff(
        "activity",
        e,
        &subject,
        "status",
        Some(item.status.clone()),
        Some(status.clone()),
        false,
    );
    ed.diff(
        "activity",
        e,
        &subject,
        "reflection",
        item.reflection.clone(),
        reflection.clone(),
        false,
    );
    ed.diff(
        "activity",
        e,
        &subject,
        "hours",
        show(item.hours),
        show(req.hours),
        false,
    );
    let version = item.version + 1;
    let mut am = item.into_active_model();
    am.name = Set(name);
    am.level = Set(level);
    am.start_date = Set(req.start_date);
    am.end_date = Set(req.end_date);
    am.participation_form = Set(form);
    am.result = Set(result);
    am.status = Set(status);
    am.reflection = Set(reflection);
    am.hours = Set(req.hours);
    am.event_id = Set(req.event_id);
    am.version = Set(version);
    am.updated_at = Set(db::now());
    am.update(&ed.txn).await?;
    ed.finish(state).await
}

pub async fn delete_activity(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    item_id: Uuid,
    version: Option<i32>,
) -> AppResult<RouteDto> {
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    let item = ed.item::<route_activity::Entity>(item_id, version).await?;
    route_activity::Entity::delete_by_id(item_id)
        .exec(&ed.txn)
        .await?;
    ed.diff(
        "activity",
        Some(item_id),
        &quoted("Мероприятие", &item.name),
        "removed",
        Some(item.name.clone()),
        None,
        false,
    );
    ed.finish(state).await
}

/// A certificate to attach as evidence.
pub struct Evidence<'b> {
    pub name: &'b str,
    pub content_type: &'b str,
    pub bytes: &'b [u8],
}

/// Marks a roadmap activity done because its event's organiser recorded attendance, with the
/// certificate attached as evidence. The catalogue has authorised the write; the route's
/// workflow, version and history apply as to any edit.
pub async fn complete_from_event(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    item_id: Uuid,
    certificate: Option<Evidence<'_>>,
) -> AppResult<()> {
    let mut ed = Editor::begin_authorised(state, principal, id, Part::Progress).await?;
    let item = route_activity::Entity::find_by_id(item_id)
        .one(&ed.txn)
        .await?
        .filter(|a| a.route_id == id)
        .ok_or(AppError::NotFound)?;
    let subject = quoted("Мероприятие", &item.name);
    let done = ActivityStatus::Done.as_str();
    if item.status != done {
        ed.diff(
            "activity",
            Some(item_id),
            &subject,
            "status",
            Some(item.status.clone()),
            Some(done.to_owned()),
            false,
        );
        ed.done_activities.push((item_id, item.name.clone()));
        let version = item.version + 1;
        let mut am = item.into_active_model();
        am.status = Set(done.to_owned());
        am.version = Set(version);
        am.updated_at = Set(db::now());
        am.update(&ed.txn).await?;
    }
    if let Some(c) = certificate {
        let target = super::files::UploadTarget {
            activity_id: Some(item_id),
            product_id: None,
        };
        super::files::store(
            &mut ed,
            state,
            target,
            &subject,
            c.name,
            c.content_type,
            c.bytes,
        )
        .await?;
    }
    ed.commit().await?;
    Ok(())
}

/// Puts the roadmap in a new order (every activity once).
pub async fn reorder_activities(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: ReorderActivities,
) -> AppResult<RouteDto> {
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    ed.expect_route_version(req.version)?;
    let current = routes::activities(&ed.txn, id).await?;
    let mut given = req.activity_ids.clone();
    let mut known: Vec<Uuid> = current.iter().map(|a| a.id).collect();
    given.sort();
    known.sort();
    if given != known {
        return Err(AppError::invalid(
            "activity_ids",
            "Перечислите каждое мероприятие дорожной карты ровно один раз.",
        ));
    }
    let old_order: Vec<String> = current.iter().map(|a| truncate(&a.name, 40)).collect();
    for (pos, aid) in req.activity_ids.iter().enumerate() {
        route_activity::Entity::update_many()
            .col_expr(
                route_activity::Column::Position,
                Expr::value(i32::try_from(pos).unwrap_or(0)),
            )
            .filter(route_activity::Column::Id.eq(*aid))
            .exec(&ed.txn)
            .await?;
    }
    let new_order: Vec<String> = req
        .activity_ids
        .iter()
        .filter_map(|aid| current.iter().find(|a| a.id == *aid))
        .map(|a| truncate(&a.name, 40))
        .collect();
    ed.diff(
        "route",
        Some(id),
        "Дорожная карта",
        "order",
        Some(old_order.join(" → ")),
        Some(new_order.join(" → ")),
        false,
    );
    ed.finish(state).await
}

// ---- Progress records ----

pub async fn add_progress(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: ProgressInput,
) -> AppResult<RouteDto> {
    req.validate()?;
    check_period_label(req.period_kind, &req.period)?;
    let mut ed = Editor::begin(state, principal, id, Part::Progress).await?;
    if let Some(task) = req.task_id {
        let known: Vec<Uuid> = routes::tasks(&ed.txn, id)
            .await?
            .iter()
            .map(|t| t.id)
            .collect();
        check_ids("task_id", &[task], &known, "Указанная задача")?;
    }
    let t = db::now();
    let item = route_progress::ActiveModel {
        id: Set(db::new_id()),
        route_id: Set(id),
        version: Set(1),
        period_kind: Set(req.period_kind.as_str().to_owned()),
        period: Set(req.period.trim().to_owned()),
        task_id: Set(req.task_id),
        text: Set(req.text.trim().to_owned()),
        author_id: Set(principal.id()),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&ed.txn)
    .await?;
    ed.diff(
        "progress",
        Some(item.id),
        &format!("Отчёт о продвижении за {}", item.period),
        "added",
        None,
        Some(truncate(&item.text, 200)),
        false,
    );
    ed.finish(state).await
}

pub async fn update_progress(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    item_id: Uuid,
    req: ProgressInput,
) -> AppResult<RouteDto> {
    req.validate()?;
    check_period_label(req.period_kind, &req.period)?;
    let mut ed = Editor::begin(state, principal, id, Part::Progress).await?;
    let item = ed
        .item::<route_progress::Entity>(item_id, req.version)
        .await?;
    if let Some(task) = req.task_id {
        let known: Vec<Uuid> = routes::tasks(&ed.txn, id)
            .await?
            .iter()
            .map(|t| t.id)
            .collect();
        check_ids("task_id", &[task], &known, "Указанная задача")?;
    }
    let subject = format!("Отчёт о продвижении за {}", item.period);
    ed.diff(
        "progress",
        Some(item_id),
        &subject,
        "period",
        Some(item.period.clone()),
        Some(req.period.trim().to_owned()),
        false,
    );
    ed.diff(
        "progress",
        Some(item_id),
        &subject,
        "text",
        Some(item.text.clone()),
        Some(req.text.trim().to_owned()),
        false,
    );
    let version = item.version + 1;
    let mut am = item.into_active_model();
    am.period_kind = Set(req.period_kind.as_str().to_owned());
    am.period = Set(req.period.trim().to_owned());
    am.task_id = Set(req.task_id);
    am.text = Set(req.text.trim().to_owned());
    am.version = Set(version);
    am.updated_at = Set(db::now());
    am.update(&ed.txn).await?;
    ed.finish(state).await
}

pub async fn delete_progress(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    item_id: Uuid,
    version: Option<i32>,
) -> AppResult<RouteDto> {
    let mut ed = Editor::begin(state, principal, id, Part::Progress).await?;
    let item = ed.item::<route_progress::Entity>(item_id, version).await?;
    route_progress::Entity::delete_by_id(item_id)
        .exec(&ed.txn)
        .await?;
    ed.diff(
        "progress",
        Some(item_id),
        &format!("Отчёт о продвижении за {}", item.period),
        "removed",
        Some(truncate(&item.text, 200)),
        None,
        false,
    );
    ed.finish(state).await
}

/// `2026-10` for a month; `2026-2027/1` (or `/2`) for a semester.
fn check_period_label(kind: shared::PeriodKind, label: &str) -> AppResult<()> {
    let label = label.trim();
    let ok = match kind {
        shared::PeriodKind::Month => {
            chrono::NaiveDate::parse_from_str(&format!("{label}-01"), "%Y-%m-%d").is_ok()
        }
        shared::PeriodKind::Semester => {
            let parsed = label.split_once('/').and_then(|(years, half)| {
                let (a, b) = years.split_once('-')?;
                let (a, b): (i32, i32) = (a.parse().ok()?, b.parse().ok()?);
                Some(b == a + 1 && matches!(half, "1" | "2"))
            });
            parsed == Some(true)
        }
    };
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(
            "period",
            "Укажите месяц в виде 2026-10 или полугодие в виде 2026-2027/1.",
        ))
    }
}

// ---- Products ----

pub async fn add_product(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: ProductInput,
) -> AppResult<RouteDto> {
    req.validate()?;
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    let existing = routes::products(&ed.txn, id).await?;
    let t = db::now();
    let item = route_product::ActiveModel {
        id: Set(db::new_id()),
        route_id: Set(id),
        version: Set(1),
        position: Set(next_position(existing.iter().map(|x| &x.position))),
        title: Set(req.title.trim().to_owned()),
        kind: Set(clean(req.kind)),
        description: Set(clean(req.description)),
        link: Set(clean(req.link)),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&ed.txn)
    .await?;
    ed.diff(
        "product",
        Some(item.id),
        &quoted("Продукт", &item.title),
        "added",
        None,
        Some(item.title.clone()),
        false,
    );
    ed.finish(state).await
}

pub async fn update_product(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    item_id: Uuid,
    req: ProductInput,
) -> AppResult<RouteDto> {
    req.validate()?;
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    let item = ed
        .item::<route_product::Entity>(item_id, req.version)
        .await?;
    let subject = quoted("Продукт", &item.title);
    let (title, kind, description, link) = (
        req.title.trim().to_owned(),
        clean(req.kind),
        clean(req.description),
        clean(req.link),
    );
    ed.diff(
        "product",
        Some(item_id),
        &subject,
        "title",
        Some(item.title.clone()),
        Some(title.clone()),
        false,
    );
    ed.diff(
        "product",
        Some(item_id),
        &subject,
        "kind",
        item.kind.clone(),
        kind.clone(),
        false,
    );
    ed.diff(
        "product",
        Some(item_id),
        &subject,
        "description",
        item.description.clone(),
        description.clone(),
        false,
    );
    ed.diff(
        "product",
        Some(item_id),
        &subject,
        "link",
        item.link.clone(),
        link.clone(),
        false,
    );
    let version = item.version + 1;
    let mut am = item.into_active_model();
    am.title = Set(title);
    am.kind = Set(kind);
    am.description = Set(description);
    am.link = Set(link);
    am.version = Set(version);
    am.updated_at = Set(db::now());
    am.update(&ed.txn).await?;
    ed.finish(state).await
}

pub async fn delete_product(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    item_id: Uuid,
    version: Option<i32>,
) -> AppResult<RouteDto> {
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    let item = ed.item::<route_product::Entity>(item_id, version).await?;
    route_product::Entity::delete_by_id(item_id)
        .exec(&ed.txn)
        .await?;
    ed.diff(
        "product",
        Some(item_id),
        &quoted("Продукт", &item.title),
        "removed",
        Some(item.title.clone()),
        None,
        false,
    );
    ed.finish(state).await
}

// ---- Final event and conclusion ----

pub async fn update_final_event(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: UpdateFinalEvent,
) -> AppResult<RouteDto> {
    req.validate()?;
    let mut ed = Editor::begin(state, principal, id, Part::FinalEvent).await?;
    ed.expect_route_version(req.version)?;
    let mut ev = req.final_event;
    ev.name = clean(ev.name);
    ev.participation_form = clean(ev.participation_form);
    let r = ed.route();
    workflow::check_activity_dates(ev.start_date, ev.end_date, (r.period_start, r.period_end))
        .map_err(|m| AppError::invalid("final_event.start_date", m))?;
    let old: FinalEventDto = serde_json::from_str(&r.final_event).unwrap_or_default();
    let s = "Заключительное публичное мероприятие";
    ed.diff(
        "route",
        Some(id),
        s,
        "name",
        old.name.clone(),
        ev.name.clone(),
        false,
    );
    ed.diff(
        "route",
        Some(id),
        s,
        "level",
        show(old.level),
        show(ev.level),
        false,
    );
    ed.diff(
        "route",
        Some(id),
        s,
        "start_date",
        date(old.start_date),
        date(ev.start_date),
        false,
    );
    ed.diff(
        "route",
        Some(id),
        s,
        "end_date",
        date(old.end_date),
        date(ev.end_date),
        false,
    );
    ed.diff(
        "route",
        Some(id),
        s,
        "participation_form",
        old.participation_form.clone(),
        ev.participation_form.clone(),
        false,
    );
    ed.diff(
        "route",
        Some(id),
        s,
        "done",
        Some(old.done.to_string()),
        Some(ev.done.to_string()),
        false,
    );
    let mut am = ed.route().clone().into_active_model();
    am.final_event = Set(to_json(&ev)?);
    ed.ctx.route = am.update(&ed.txn).await?;
    ed.finish(state).await
}

pub async fn update_conclusion(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: UpdateConclusion,
) -> AppResult<RouteDto> {
    req.validate()?;
    let mut ed = Editor::begin(state, principal, id, Part::Conclusion).await?;
    ed.expect_route_version(req.version)?;
    let mut c = req.conclusion;
    c.findings = clean(c.findings);
    c.results = clean(c.results);
    c.recommendations = clean(c.recommendations);
    let old: ConclusionDto = serde_json::from_str(&ed.route().conclusion).unwrap_or_default();
    let s = "Заключение";
    ed.diff(
        "route",
        Some(id),
        s,
        "findings",
        old.findings.clone(),
        c.findings.clone(),
        false,
    );
    ed.diff(
        "route",
        Some(id),
        s,
        "results",
        old.results.clone(),
        c.results.clone(),
        false,
    );
    ed.diff(
        "route",
        Some(id),
        s,
        "recommendations",
        old.recommendations.clone(),
        c.recommendations.clone(),
        false,
    );
    ed.diff(
        "route",
        Some(id),
        s,
        "outcome",
        show(old.outcome),
        show(c.outcome),
        false,
    );
    let mut am = ed.route().clone().into_active_model();
    am.conclusion = Set(to_json(&c)?);
    am.outcome = Set(c.outcome.map(|o| o.as_str().to_owned()));
    am.conclusion_by = Set(Some(principal.id()));
    am.conclusion_at = Set(Some(db::now()));
    ed.ctx.route = am.update(&ed.txn).await?;
    ed.finish(state).await
}

/// Deletes a draft that never went for agreement; anything further is withdrawn instead, so
/// its history stays.
pub async fn delete_route(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    version: Option<i32>,
) -> AppResult<()> {
    let txn = db::begin_write(&state.db).await?;
    let ctx = access::load(&txn, principal, id, true).await?;
    if ctx.route.teacher_id != principal.id() {
        return Err(AppError::forbidden(
            "Удалить черновик может только его автор.",
        ));
    }
    expect_version(ctx.route.version, version)?;
    let submitted_before = !routes::transitions(&txn, id).await?.is_empty();
    if ctx.status() != RouteStatus::Draft || submitted_before {
        return Err(AppError::conflict(
            "route_not_draft",
            "Удалить можно только черновик, который ещё не отправлялся на согласование; иначе маршрут можно отозвать.",
        ));
    }
    let files = routes::files(&txn, id).await?;
    crate::services::integration::sync::touch_route(&txn, &ctx.route, true).await?;
    route::Entity::delete_by_id(id).exec(&txn).await?;
    crate::db::audit::record(
        &txn,
        crate::db::audit::Entry {
            actor_id: Some(principal.id()),
            actor_kind: "user",
            action: "route.deleted",
            entity_type: "route",
            entity_id: Some(id),
            details: serde_json::json!({ "title": ctx.route.title }),
            subject_id: Some(ctx.route.teacher_id),
        },
    )
    .await?;
    txn.commit().await?;
    for f in files {
        crate::services::route::files::remove_blob(state, &f.storage_key);
    }
    Ok(())
}

// ---- A diagnostic brought from a campaign (see services::diagnostics::route) ----

/// What a campaign brings into a route: the diagnostic with its results (already mapped to
/// the route's framework) and the deficits its framework's rule proposes.
pub struct FromCampaign {
    pub campaign_id: Uuid,
    pub kind: shared::DiagnosticKind,
    pub level: shared::EventLevel,
    pub name: String,
    pub date: Option<chrono::NaiveDate>,
    pub results: Vec<CompetencyResultInput>,
    /// (title, competency) of each proposed deficit.
    pub deficits: Vec<(String, Uuid)>,
}

/// Adds (or refreshes, when the campaign was brought before) a diagnostic from a campaign, and
/// adds its proposed deficits unconfirmed, skipping competencies the route already has a
/// deficit for. Recorded as corrections like any other edit.
pub async fn add_from_campaign(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    version: i32,
    f: FromCampaign,
) -> AppResult<RouteDto> {
    let mut ed = Editor::begin(state, principal, id, Part::Plan).await?;
    ed.expect_route_version(version)?;
    let existing = routes::diagnostics(&ed.txn, id).await?;
    let t = db::now();
    let subject = quoted("Диагностика", &f.name);
    let diagnostic_id = match existing
        .iter()
        .find(|d| d.campaign_id == Some(f.campaign_id))
    {
        Some(d) => {
            let mut am = d.clone().into_active_model();
            am.version = Set(d.version + 1);
            am.updated_at = Set(t);
            am.update(&ed.txn).await?;
            d.id
        }
        None => {
            let item = route_diagnostic::ActiveModel {
                id: Set(db::new_id()),
                route_id: Set(id),
                version: Set(1),
                position: Set(next_position(existing.iter().map(|d| &d.position))),
                kind: Set(f.kind.as_str().to_owned()),
                level: Set(f.level.as_str().to_owned()),
                name: Set(f.name.clone()),
                date: Set(f.date),
                campaign_id: Set(Some(f.campaign_id)),
                created_at: Set(t),
                updated_at: Set(t),
            }
            .insert(&ed.txn)
            .await?;
            ed.diff(
                "diagnostic",
                Some(item.id),
                &subject,
                "added",
                None,
                Some(item.name.clone()),
                false,
            );
            item.id
        }
    };
    let old_results = routes::diagnostic_results(&ed.txn, &[diagnostic_id]).await?;
    let comps = check_competencies(
        &ed,
        "campaign_id",
        &f.results
            .iter()
            .map(|r| r.competency_id)
            .collect::<Vec<_>>(),
    )
    .await?;
    let old_inputs: Vec<CompetencyResultInput> = old_results
        .iter()
        .filter_map(|r| {
            Some(CompetencyResultInput {
                competency_id: r.competency_id,
                level: r.level.parse().ok()?,
                score: r.score,
            })
        })
        .collect();
    write_results(&ed, diagnostic_id, &f.results).await?;
    ed.diff(
        "diagnostic",
        Some(diagnostic_id),
        &subject,
        "results",
        results_text(&old_inputs, &comps),
        results_text(&f.results, &comps),
        false,
    );
    let deficits = routes::deficits(&ed.txn, id).await?;
    let mut position = next_position(deficits.iter().map(|d| &d.position));
    for (title, competency) in f.deficits {
        if deficits.iter().any(|d| d.competency_id == Some(competency)) {
            continue;
        }
        let item = route_deficit::ActiveModel {
            id: Set(db::new_id()),
            route_id: Set(id),
            version: Set(1),
            position: Set(position),
            title: Set(truncate(&title, 500)),
            description: Set(Some(format!("Выявлен диагностикой «{}».", f.name))),
            competency_id: Set(Some(competency)),
            confirmed: Set(false),
            state: Set(DeficitState::Open.as_str().to_owned()),
            created_at: Set(t),
            updated_at: Set(t),
        }
        .insert(&ed.txn)
        .await?;
        position += 1;
        ed.diff(
            "deficit",
            Some(item.id),
            &quoted("Дефицит", &item.title),
            "added",
            None,
            Some(item.title.clone()),
            false,
        );
    }
    ed.finish(state).await
}
