//! Drafting routes in bulk from a campaign («ИОМП, разработанный менеджером»).
//!
//! The ЦНППМ manager starts a drafting job: the selection is resolved to its teachers (and
//! checked against the manager's scope) at once, and the work runs on the database job queue in
//! batches. Each teacher's draft is written in one transaction together with the job's
//! counters, so the progress read while it runs is exact, a failure leaves no half-made route,
//! and a job that stops resumes where it stood. A teacher who already has a route from this
//! campaign (not completed or withdrawn) is skipped, so running it twice drafts nothing twice.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set,
};
use shared::catalogue::{self as rules, EnrolmentStatus, EventKind, EventStatus};
use shared::drafting::{self, DraftSelection};
use shared::dto::{DraftFailure, DraftJobStatus, RouteDraftJobDto, RouteDraftsInput};
use shared::{ActivityStatus, DeficitState, RouteStatus, UnitPath};
use uuid::Uuid;
use validator::Validate;

use super::{Campaign, Framework, deficit_condition, load_campaign, load_framework, within};
use crate::auth::Principal;
use crate::db::entities::{
    competency, diagnostic_campaign, diagnostic_result, event, job, route, route_activity,
    route_activity_competency, route_activity_deficit, route_deficit, route_diagnostic,
    route_diagnostic_result, route_draft_job, route_task, route_task_deficit, user,
};
use crate::db::{self, audit, catalogue as store, jobs, policies, units, users};
use crate::error::{AppError, AppResult};
use crate::services::catalogue::{events::organiser_path, recommend};
use crate::services::events::{self as stream, Event};
use crate::services::route::create::{NewDraft, clean, insert_draft};
use crate::state::AppState;

/// The job kind that drafts the next batch of a drafting job.
pub const DRAFT: &str = "routes.draft";

/// Teachers drafted per run of the job; the next batch is a job of its own.
const BATCH: usize = 200;

/// Failures kept for showing.
const MAX_FAILURES: usize = 500;

const QUEUED: &str = "queued";
const RUNNING: &str = "running";
const DONE: &str = "done";

/// Starts drafting routes for the selected teachers of a campaign; answers with the job to
/// poll. 404 when the campaign is out of the caller's sight, 403 for those who do not draft,
/// 422 for a selection outside the caller's scope (nothing is drafted then), 409 while another
/// drafting job of the campaign runs.
pub async fn start(
    state: &AppState,
    principal: &Principal,
    campaign_id: Uuid,
    req: RouteDraftsInput,
) -> AppResult<RouteDraftJobDto> {
    req.validate()?;
    let campaign = load_campaign(&state.db, principal, campaign_id).await?;
    if !principal.actor.can_draft_routes(&campaign.unit_path) {
        return Err(AppError::forbidden(
            "Черновики ИОМ по итогам диагностики готовит менеджер ЦНППМ региона.",
        ));
    }
    let selection = req
        .selection
        .clone()
        .clean()
        .map_err(|m| AppError::invalid("selection", m))?;
    let policy = policies::for_region(&state.db, campaign.model.region_id).await?;
    shared::workflow::check_period(req.period_start, req.period_end, policy.max_route_months)
        .map_err(|m| AppError::invalid("period_end", m))?;
    let fw = load_framework(&state.db, campaign.model.framework_id).await?;

    let txn = db::begin_write(&state.db).await?;
    let running = route_draft_job::Entity::find()
        .filter(route_draft_job::Column::CampaignId.eq(campaign.model.id))
        .filter(route_draft_job::Column::Status.is_in([QUEUED, RUNNING]))
        .all(&txn)
        .await?;
    for r in running {
        if job_failed(&txn, &r).await? {
            continue;
        }
        return Err(AppError::conflict(
            "drafting_in_progress",
            "Черновики по этой диагностике уже готовятся: дождитесь окончания.",
        ));
    }
    let teachers = resolve(&txn, principal, &campaign, &fw, &selection).await?;
    let t = db::now();
    let id = db::new_id();
    let job = jobs::enqueue(
        &txn,
        DRAFT,
        &serde_json::json!({ "draft_job_id": id }),
        t,
        5,
    )
    .await?;
    let title = drafting::draft_title(req.title.as_deref(), &campaign.model.name);
    let total = i32::try_from(teachers.len()).unwrap_or(i32::MAX);
    let row = route_draft_job::ActiveModel {
        id: Set(id),
        campaign_id: Set(campaign.model.id),
        region_id: Set(campaign.model.region_id),
        requested_by: Set(principal.id()),
        job_id: Set(job.id),
        status: Set(if teachers.is_empty() { DONE } else { QUEUED }.to_owned()),
        selection: Set(to_json(&selection)?),
        teachers: Set(to_json(&teachers)?),
        period_start: Set(req.period_start),
        period_end: Set(req.period_end),
        title: Set(title),
        track: Set(clean(req.track)),
        total: Set(total),
        done: Set(0),
        created: Set(0),
        skipped: Set(0),
        failed: Set(0),
        failures: Set("[]".into()),
        finished_at: Set(teachers.is_empty().then_some(t)),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "routes.drafting_started",
            "diagnostic_campaign",
            campaign.model.id,
            serde_json::json!({ "draft_job_id": id, "teachers": total, "selection": selection.title_ru() }),
        ),
    )
    .await?;
    txn.commit().await?;
    to_dto(&state.db, &row).await
}

/// A drafting job's progress, for those who may draft in its campaign (404 for others).
pub async fn get(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<RouteDraftJobDto> {
    let row = route_draft_job::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = load_campaign(&state.db, principal, row.campaign_id).await?;
    if !principal.actor.can_draft_routes(&campaign.unit_path) {
        return Err(AppError::NotFound);
    }
    to_dto(&state.db, &row).await
}

/// The drafting jobs of a campaign, newest first (the last 20).
pub async fn list(
    state: &AppState,
    principal: &Principal,
    campaign_id: Uuid,
) -> AppResult<Vec<RouteDraftJobDto>> {
    let campaign = load_campaign(&state.db, principal, campaign_id).await?;
    if !principal.actor.can_draft_routes(&campaign.unit_path) {
        return Err(AppError::forbidden(
            "Черновики ИОМ по итогам диагностики готовит менеджер ЦНППМ региона.",
        ));
    }
    let rows = route_draft_job::Entity::find()
        .filter(route_draft_job::Column::CampaignId.eq(campaign_id))
        .order_by_desc(route_draft_job::Column::CreatedAt)
        .limit(20)
        .all(&state.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(to_dto(&state.db, r).await?);
    }
    Ok(out)
}

fn to_json<T: serde::Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(|e| AppError::Unexpected(e.into()))
}

/// Whether the queue gave up on the job's current batch.
async fn job_failed(db: &impl ConnectionTrait, row: &route_draft_job::Model) -> AppResult<bool> {
    Ok(job::Entity::find_by_id(row.job_id)
        .one(db)
        .await?
        .is_some_and(|j| j.state == jobs::FAILED))
}

async fn to_dto(
    db: &impl ConnectionTrait,
    row: &route_draft_job::Model,
) -> AppResult<RouteDraftJobDto> {
    let status = if row.status == DONE {
        DraftJobStatus::Done
    } else if job_failed(db, row).await? {
        DraftJobStatus::Failed
    } else if row.status == RUNNING {
        DraftJobStatus::Running
    } else {
        DraftJobStatus::Queued
    };
    let by = users::find(db, row.requested_by).await?;
    let started_by = match by {
        Some(u) => crate::services::people::to_ref(&u),
        None => shared::dto::PersonRef {
            id: row.requested_by,
            full_name: "—".into(),
            email: String::new(),
        },
    };
    let count = |n: i32| u64::try_from(n).unwrap_or(0);
    Ok(RouteDraftJobDto {
        id: row.id,
        campaign_id: row.campaign_id,
        status,
        selection: serde_json::from_str(&row.selection).unwrap_or(DraftSelection::All),
        period_start: row.period_start,
        period_end: row.period_end,
        title: row.title.clone(),
        track: row.track.clone(),
        total: count(row.total),
        done: count(row.done),
        created: count(row.created),
        skipped: count(row.skipped),
        failed: count(row.failed),
        failures: serde_json::from_str(&row.failures).unwrap_or_default(),
        started_by,
        created_at: row.created_at,
        finished_at: row.finished_at,
    })
}

/// The teachers a selection names, in a stable order; a hand-picked teacher who is not found or
/// works outside the caller's scope refuses the whole request (422).
async fn resolve(
    db: &impl ConnectionTrait,
    principal: &Principal,
    campaign: &Campaign,
    fw: &Framework,
    selection: &DraftSelection,
) -> AppResult<Vec<Uuid>> {
    let with_deficits = |place: Condition| async move {
        let ids: Vec<Uuid> = diagnostic_result::Entity::find()
            .select_only()
            .column(diagnostic_result::Column::PersonId)
            .distinct()
            .filter(diagnostic_result::Column::CampaignId.eq(campaign.model.id))
            .filter(deficit_condition(&fw.rule))
            .filter(place)
            .order_by_asc(diagnostic_result::Column::PersonId)
            .into_tuple()
            .all(db)
            .await?;
        Ok::<_, AppError>(ids)
    };
    // Only results within the units the caller drafts for.
    let mut scope = Condition::any();
    for g in &principal.actor.grants {
        if let (shared::Role::RegionalManager, Some(u)) = (g.role, g.unit) {
            scope = scope.add(within(&u));
        }
    }
    match selection {
        DraftSelection::All => with_deficits(Condition::all().add(scope)).await,
        DraftSelection::Unit { unit_id } => {
            let unit = units::find(db, *unit_id)
                .await?
                .ok_or_else(|| AppError::invalid("selection", "Организация не найдена."))?;
            let path = units::path(&unit)?;
            if !principal.actor.can_read_unit(&path) {
                return Err(AppError::invalid("selection", "Организация не найдена."));
            }
            if !principal.actor.can_draft_routes(&path) {
                return Err(AppError::invalid(
                    "selection",
                    "Организация вне вашей области: черновики для её педагогов готовит её менеджер.",
                ));
            }
            with_deficits(Condition::all().add(scope).add(within(&path))).await
        }
        DraftSelection::Teachers { teacher_ids } => {
            let mut outside: Vec<Uuid> = Vec::new();
            for chunk in teacher_ids.chunks(500) {
                let people = users::find_many(db, chunk).await?;
                let places: HashMap<Uuid, UnitPath> = {
                    let ids: Vec<Uuid> = people.iter().filter_map(|u| u.workplace_id).collect();
                    let mut m = HashMap::new();
                    for u in units::find_many(db, &ids).await? {
                        m.insert(u.id, units::path(&u)?);
                    }
                    m
                };
                for id in chunk {
                    let place = people
                        .iter()
                        .find(|u| u.id == *id)
                        .and_then(|u| u.workplace_id)
                        .and_then(|w| places.get(&w));
                    if !place.is_some_and(|p| principal.actor.can_draft_routes(p)) {
                        outside.push(*id);
                    }
                }
            }
            if !outside.is_empty() {
                let shown: Vec<String> = outside.iter().take(5).map(Uuid::to_string).collect();
                return Err(AppError::invalid(
                    "selection",
                    format!(
                        "Педагоги не найдены или работают вне вашей области ({}: {}). Ничего не подготовлено.",
                        outside.len(),
                        shown.join(", ")
                    ),
                ));
            }
            Ok(teacher_ids.clone())
        }
    }
}

// ---- The job ----

/// What a batch needs once: the campaign, its framework, the candidate events, and each
/// route framework's competencies by code.
struct Batch {
    job: route_draft_job::Model,
    campaign: diagnostic_campaign::Model,
    fw: Framework,
    events: Vec<event::Model>,
    event_comps: HashMap<Uuid, Vec<Uuid>>,
    free_seats: HashMap<Uuid, Option<u64>>,
    targets: HashMap<Uuid, HashMap<String, competency::Model>>,
    today: NaiveDate,
}

/// What became of one teacher (created and skipped ones are counted in their transaction).
enum Outcome {
    Written,
    Failed(String),
}

/// The job: drafts the next batch of a drafting job, then enqueues the next one.
pub async fn draft_job(db: DatabaseConnection, payload: serde_json::Value) -> anyhow::Result<()> {
    let id: Uuid = serde_json::from_value(payload["draft_job_id"].clone())?;
    let Some(row) = route_draft_job::Entity::find_by_id(id).one(&db).await? else {
        return Ok(());
    };
    if row.status == DONE {
        return Ok(());
    }
    let Some(campaign) = diagnostic_campaign::Entity::find_by_id(row.campaign_id)
        .one(&db)
        .await?
    else {
        return Ok(());
    };
    if row.status == QUEUED {
        route_draft_job::Entity::update_many()
            .col_expr(route_draft_job::Column::Status, Expr::value(RUNNING))
            .col_expr(route_draft_job::Column::UpdatedAt, Expr::value(db::now()))
            .filter(route_draft_job::Column::Id.eq(id))
            .exec(&db)
            .await?;
    }
    let teachers: Vec<Uuid> = serde_json::from_str(&row.teachers)?;
    let from = usize::try_from(row.done).unwrap_or(0).min(teachers.len());
    let to = (from + BATCH).min(teachers.len());
    let fw = load_framework(&db, campaign.framework_id)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut batch = load_batch(&db, row, campaign, fw).await?;
    for teacher in &teachers[from..to] {
        let outcome = match draft_one(&db, &mut batch, *teacher).await {
            Ok(outcome) => outcome,
            Err(e) => Outcome::Failed(reason_of(&e)),
        };
        // The teacher's transaction rolled back: only the reason is written.
        if let Outcome::Failed(reason) = outcome {
            record_failure(&db, &batch.job, *teacher, &reason).await?;
        }
    }
    // The next batch, or the end.
    let txn = db::begin_write(&db).await?;
    let t = db::now();
    if to >= teachers.len() {
        route_draft_job::Entity::update_many()
            .col_expr(route_draft_job::Column::Status, Expr::value(DONE))
            .col_expr(route_draft_job::Column::FinishedAt, Expr::value(Some(t)))
            .col_expr(route_draft_job::Column::UpdatedAt, Expr::value(t))
            .filter(route_draft_job::Column::Id.eq(id))
            .exec(&txn)
            .await?;
    } else {
        let next = jobs::enqueue(&txn, DRAFT, &payload, t, 5).await?;
        route_draft_job::Entity::update_many()
            .col_expr(route_draft_job::Column::JobId, Expr::value(next.id))
            .col_expr(route_draft_job::Column::UpdatedAt, Expr::value(t))
            .filter(route_draft_job::Column::Id.eq(id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn load_batch(
    db: &DatabaseConnection,
    job: route_draft_job::Model,
    campaign: diagnostic_campaign::Model,
    fw: Framework,
) -> anyhow::Result<Batch> {
    let today = db::now().date_naive();
    // Published events of the region inside the period, still open, that develop something.
    let events = event::Entity::find()
        .filter(event::Column::RegionId.eq(job.region_id))
        .filter(event::Column::Status.eq(EventStatus::Published.as_str()))
        .filter(event::Column::StartsOn.gte(job.period_start))
        .filter(event::Column::EndsOn.lte(job.period_end))
        .filter(event::Column::EndsOn.gte(today))
        .order_by_asc(event::Column::StartsOn)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
    let event_comps = store::competencies(db, &ids).await?;
    let capped: Vec<Uuid> = events
        .iter()
        .filter(|e| e.capacity.is_some())
        .map(|e| e.id)
        .collect();
    let counts = store::counts(db, &capped).await?;
    let free_seats = events
        .iter()
        .map(|e| {
            let taken: u64 = counts
                .get(&e.id)
                .map(|m| {
                    m.iter()
                        .filter(|(s, _)| s.parse::<EnrolmentStatus>().is_ok_and(|s| s.holds_seat()))
                        .map(|(_, n)| *n)
                        .sum()
                })
                .unwrap_or(0);
            (e.id, rules::free_seats(e.capacity, taken))
        })
        .collect();
    Ok(Batch {
        job,
        campaign,
        fw,
        events,
        event_comps,
        free_seats,
        targets: HashMap::new(),
        today,
    })
}

/// A Russian reason for a teacher's failure.
fn reason_of(e: &AppError) -> String {
    match e {
        AppError::Validation { detail, errors } => {
            let mut parts: Vec<String> = detail.iter().cloned().collect();
            parts.extend(errors.values().flatten().cloned());
            parts.join(" ")
        }
        AppError::Forbidden { detail }
        | AppError::Conflict { detail, .. }
        | AppError::BadRequest { detail, .. } => detail.clone(),
        AppError::NotFound => "Педагог не найден.".into(),
        other => {
            tracing::error!(error = ?other, "drafting a route");
            "Внутренняя ошибка: черновик не создан.".into()
        }
    }
}

/// Counts a teacher as handled in the job's row.
async fn bump(
    db: &impl ConnectionTrait,
    id: Uuid,
    column: route_draft_job::Column,
) -> Result<(), sea_orm::DbErr> {
    route_draft_job::Entity::update_many()
        .col_expr(
            route_draft_job::Column::Done,
            Expr::col(route_draft_job::Column::Done).add(1),
        )
        .col_expr(column, Expr::col(column).add(1))
        .col_expr(route_draft_job::Column::UpdatedAt, Expr::value(db::now()))
        .filter(route_draft_job::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a teacher's failure (their draft's transaction rolled back).
async fn record_failure(
    db: &DatabaseConnection,
    job: &route_draft_job::Model,
    teacher: Uuid,
    reason: &str,
) -> anyhow::Result<()> {
    let txn = db::begin_write(db).await?;
    let Some(row) = route_draft_job::Entity::find_by_id(job.id)
        .one(&txn)
        .await?
    else {
        return Ok(());
    };
    let mut failures: Vec<DraftFailure> = serde_json::from_str(&row.failures).unwrap_or_default();
    if failures.len() < MAX_FAILURES {
        let name = users::find(&txn, teacher)
            .await?
            .map(|u| shared::text::full_name(&u.surname, &u.first_name, u.patronymic.as_deref()))
            .unwrap_or_else(|| "—".into());
        failures.push(DraftFailure {
            teacher_id: teacher,
            teacher_name: name,
            reason: reason.to_owned(),
        });
    }
    let mut am = row.into_active_model();
    am.failures = Set(serde_json::to_string(&failures)?);
    am.update(&txn).await?;
    bump(&txn, job.id, route_draft_job::Column::Failed).await?;
    txn.commit().await?;
    Ok(())
}

/// Statuses of routes that still count as the teacher's route from a campaign.
const FINISHED: &[RouteStatus] = &[RouteStatus::Completed, RouteStatus::Withdrawn];

/// Drafts one teacher's route in one transaction (with the job's counters), or skips them.
async fn draft_one(db: &DatabaseConnection, b: &mut Batch, teacher_id: Uuid) -> AppResult<Outcome> {
    let txn = db::begin_write(db).await?;
    let campaign_id = b.campaign.id;
    let existing = route::Entity::find()
        .filter(route::Column::TeacherId.eq(teacher_id))
        .filter(route::Column::Status.is_not_in(FINISHED.iter().map(|s| s.as_str())))
        .filter(
            route::Column::Id.in_subquery(
                Query::select()
                    .column(route_diagnostic::Column::RouteId)
                    .from(route_diagnostic::Entity)
                    .and_where(route_diagnostic::Column::CampaignId.eq(campaign_id))
                    .to_owned(),
            ),
        )
        .one(&txn)
        .await?;
    if existing.is_some() {
        bump(&txn, b.job.id, route_draft_job::Column::Skipped).await?;
        txn.commit().await?;
        return Ok(Outcome::Written);
    }
    let teacher: user::Model = users::find(&txn, teacher_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !teacher.active {
        return Ok(fail("Учётная запись педагога отключена."));
    }
    let rows = diagnostic_result::Entity::find()
        .filter(diagnostic_result::Column::CampaignId.eq(campaign_id))
        .filter(diagnostic_result::Column::PersonId.eq(teacher_id))
        .all(&txn)
        .await?;
    if rows.is_empty() {
        return Ok(fail("У педагога нет результатов этой диагностики."));
    }
    let created = insert_draft(
        &txn,
        &teacher,
        NewDraft {
            title: b.job.title.clone(),
            track: b.job.track.clone(),
            period_start: b.job.period_start,
            period_end: b.job.period_end,
            created_by: b.job.requested_by,
        },
    )
    .await?;
    let route_fw = created
        .framework_id
        .unwrap_or_else(crate::services::frameworks::default_id);
    if let std::collections::hash_map::Entry::Vacant(slot) = b.targets.entry(route_fw) {
        let comps: HashMap<String, competency::Model> = competency::Entity::find()
            .filter(competency::Column::FrameworkId.eq(route_fw))
            .all(&txn)
            .await?
            .into_iter()
            .map(|c| (c.code.clone(), c))
            .collect();
        slot.insert(comps);
    }
    let target = b.targets.get(&route_fw).cloned().unwrap_or_default();
    let (results, deficits) = super::route::map_results(&b.fw, &rows, &target)?;
    if deficits.is_empty() {
        return Ok(fail("В результатах педагога нет дефицитов."));
    }
    let t = db::now();
    let rid = created.id;

    // The diagnostic section: the campaign with its results, and the deficits found.
    let diagnostic = route_diagnostic::ActiveModel {
        id: Set(db::new_id()),
        route_id: Set(rid),
        version: Set(1),
        position: Set(1),
        kind: Set(b.campaign.kind.clone()),
        level: Set(b.campaign.level.clone()),
        name: Set(b.campaign.name.clone()),
        date: Set(b.campaign.date),
        campaign_id: Set(Some(campaign_id)),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&txn)
    .await?;
    route_diagnostic_result::Entity::insert_many(results.iter().map(|r| {
        route_diagnostic_result::ActiveModel {
            diagnostic_id: Set(diagnostic.id),
            competency_id: Set(r.competency_id),
            level: Set(r.level.as_str().to_owned()),
            score: Set(r.score),
        }
    }))
    .exec_without_returning(&txn)
    .await?;
    let by_id: HashMap<Uuid, &competency::Model> = target.values().map(|c| (c.id, c)).collect();
    let mut needs = Vec::new();
    let mut deficit_rows = Vec::new();
    let mut task_rows = Vec::new();
    let mut links = Vec::new();
    for (i, (title, comp)) in deficits.iter().enumerate() {
        let position = i32::try_from(i + 1).unwrap_or(i32::MAX);
        let deficit_id = db::new_id();
        deficit_rows.push(route_deficit::ActiveModel {
            id: Set(deficit_id),
            route_id: Set(rid),
            version: Set(1),
            position: Set(position),
            title: Set(title.chars().take(500).collect()),
            description: Set(Some(format!("Выявлен диагностикой «{}».", b.campaign.name))),
            competency_id: Set(Some(*comp)),
            confirmed: Set(false),
            state: Set(DeficitState::Open.as_str().to_owned()),
            created_at: Set(t),
            updated_at: Set(t),
        });
        let (code, name) = by_id.get(comp).map_or((String::new(), title.clone()), |c| {
            (c.code.clone(), c.name.clone())
        });
        let (task_title, task_text) = drafting::task_for_deficit(&code, &name, &b.campaign.name);
        let task_id = db::new_id();
        task_rows.push(route_task::ActiveModel {
            id: Set(task_id),
            route_id: Set(rid),
            version: Set(1),
            position: Set(position),
            title: Set(task_title),
            description: Set(Some(task_text)),
            created_at: Set(t),
            updated_at: Set(t),
        });
        links.push(route_task_deficit::ActiveModel {
            task_id: Set(task_id),
            deficit_id: Set(deficit_id),
        });
        needs.push(rules::Need {
            deficit_id,
            competency_id: *comp,
            title: title.clone(),
        });
    }
    route_deficit::Entity::insert_many(deficit_rows)
        .exec_without_returning(&txn)
        .await?;
    route_task::Entity::insert_many(task_rows)
        .exec_without_returning(&txn)
        .await?;
    route_task_deficit::Entity::insert_many(links)
        .exec_without_returning(&txn)
        .await?;

    // The roadmap: published events addressing the deficits inside the period.
    let place = UnitPath {
        region: created.region_id,
        district: None,
        municipality: created.municipality_id,
        school: Some(created.school_id),
    };
    let school_path = match units::find(&txn, created.school_id).await? {
        Some(u) => units::path(&u)?,
        None => place,
    };
    let candidates: Vec<rules::Candidate> = b
        .events
        .iter()
        .filter(|e| rules::event_visible_from(&organiser_path(e), &school_path))
        .map(|e| rules::Candidate {
            id: e.id,
            organiser: organiser_path(e),
            competencies: b.event_comps.get(&e.id).cloned().unwrap_or_default(),
            starts_on: e.starts_on,
            ends_on: e.ends_on,
            registration_deadline: e.registration_deadline,
            free_seats: b.free_seats.get(&e.id).copied().flatten(),
        })
        .collect();
    let ranked = rules::rank(
        &needs,
        &school_path,
        Some((created.period_start, created.period_end)),
        b.today,
        &candidates,
    );
    let picked = drafting::pick_events(&ranked);
    let events: HashMap<Uuid, &event::Model> = b.events.iter().map(|e| (e.id, e)).collect();
    let mut activity_rows = Vec::new();
    let mut activity_deficits = Vec::new();
    let mut activity_comps = Vec::new();
    for (i, r) in picked.iter().enumerate() {
        let Some(e) = events.get(&r.event_id) else {
            continue;
        };
        if !drafting::fits_period(
            e.starts_on,
            e.ends_on,
            (created.period_start, created.period_end),
        ) {
            continue;
        }
        let kind: EventKind = db::parse_code(&e.kind)?;
        let activity_id = db::new_id();
        activity_rows.push(route_activity::ActiveModel {
            id: Set(activity_id),
            route_id: Set(rid),
            version: Set(1),
            position: Set(i32::try_from(i + 1).unwrap_or(i32::MAX)),
            name: Set(format!("{}: «{}»", kind.title_ru(), e.title)),
            level: Set(Some(e.level.clone())),
            start_date: Set(Some(e.starts_on)),
            end_date: Set(Some(e.ends_on)),
            participation_form: Set(Some(recommend::participation(kind).to_owned())),
            result: Set(recommend::result(kind)),
            status: Set(ActivityStatus::Planned.as_str().to_owned()),
            reflection: Set(None),
            hours: Set(e.hours),
            event_id: Set(Some(e.id)),
            created_at: Set(t),
            updated_at: Set(t),
        });
        for d in &r.covers {
            activity_deficits.push(route_activity_deficit::ActiveModel {
                activity_id: Set(activity_id),
                deficit_id: Set(*d),
            });
        }
        for c in b.event_comps.get(&e.id).into_iter().flatten() {
            if by_id.contains_key(c) {
                activity_comps.push(route_activity_competency::ActiveModel {
                    activity_id: Set(activity_id),
                    competency_id: Set(*c),
                });
            }
        }
    }
    if !activity_rows.is_empty() {
        route_activity::Entity::insert_many(activity_rows)
            .exec_without_returning(&txn)
            .await?;
    }
    if !activity_deficits.is_empty() {
        route_activity_deficit::Entity::insert_many(activity_deficits)
            .exec_without_returning(&txn)
            .await?;
    }
    if !activity_comps.is_empty() {
        route_activity_competency::Entity::insert_many(activity_comps)
            .exec_without_returning(&txn)
            .await?;
    }
    stream::record(
        &txn,
        Event::route(
            shared::events::EventKind::RouteDrafted,
            b.job.requested_by,
            &created,
            serde_json::json!({
                "campaign": { "id": campaign_id, "name": b.campaign.name },
                "draft_job_id": b.job.id,
            }),
        ),
    )
    .await?;
    bump(&txn, b.job.id, route_draft_job::Column::Created).await?;
    txn.commit().await?;
    Ok(Outcome::Written)
}

/// A failure decided before anything is written for good: the transaction is dropped (rolled
/// back) by the caller's return, and the job records the reason.
fn fail(reason: &str) -> Outcome {
    Outcome::Failed(reason.to_owned())
}
