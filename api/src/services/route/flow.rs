//! The route's workflow steps, its history, and the next route after it.

use std::collections::HashMap;

use chrono::Duration;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};
use shared::dto::*;
use shared::workflow::{self, Outcome, Participant, RouteAction, WorkflowError};
use shared::{DeficitState, DiagnosticKind, RouteStatus};
use uuid::Uuid;
use validator::Validate;

use super::create::{clean, to_json};
use super::edit::expect_version;
use super::{access, read};
use crate::auth::Principal;
use crate::db::entities::{route, route_change, route_deficit, route_transition, user};
use crate::db::{self, audit, policies, routes, users};
use crate::error::{AppError, AppResult};
use crate::services::people::to_ref;
use crate::state::AppState;

/// The event a workflow step is reported to integrations as.
fn webhook_event(action: RouteAction) -> Option<WebhookEvent> {
    Some(match action {
        RouteAction::Submit | RouteAction::Extend => WebhookEvent::RouteSubmitted,
        RouteAction::Return => WebhookEvent::RouteReturned,
        RouteAction::TutorAgree | RouteAction::Agree => WebhookEvent::RouteAgreed,
        RouteAction::Approve => WebhookEvent::RouteApproved,
        RouteAction::Start => WebhookEvent::RouteStarted,
        RouteAction::SubmitProduct => WebhookEvent::RouteProductSubmitted,
        RouteAction::Evaluate => WebhookEvent::RouteEvaluated,
        RouteAction::Complete => WebhookEvent::RouteCompleted,
        RouteAction::Withdraw => WebhookEvent::RouteWithdrawn,
        RouteAction::ReturnProduct | RouteAction::Reopen => return None,
    })
}

fn workflow_error(e: WorkflowError) -> AppError {
    let detail = e.to_string();
    match e {
        WorkflowError::WrongStatus { .. } => AppError::conflict("invalid_transition", detail),
        WorkflowError::NotPermitted { .. } => AppError::forbidden(detail),
        WorkflowError::Rule(_) => AppError::conflict("workflow_rule", detail),
    }
}

/// How the signer is printed: their position, else the part they play.
fn signer_title(user: &user::Model, action: RouteAction, participants: &[Participant]) -> String {
    let part = participants
        .iter()
        .find(|p| workflow::actors(action).contains(p))
        .map(|p| p.title_ru().to_owned());
    user.position.clone().or(part).unwrap_or_default()
}

pub async fn transition(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: TransitionRequest,
) -> AppResult<RouteDto> {
    req.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let ctx = access::load(&txn, principal, id, true).await?;
    let r = ctx.route.clone();
    expect_version(r.version, Some(req.version))?;
    let from = ctx.status();
    let diagnostics = routes::diagnostics(&txn, id).await?;
    let has_final = diagnostics
        .iter()
        .any(|d| d.kind == DiagnosticKind::Final.as_str());
    let rs = read::route_state(&r, from, has_final);
    let to = workflow::next_status(req.action, &rs, &ctx.participants).map_err(workflow_error)?;
    let comment = clean(req.comment.clone());
    if req.action.needs_comment() && comment.is_none() {
        let what = match req.action {
            RouteAction::Extend => "Укажите причину продления.",
            RouteAction::Reopen => "Укажите причину возобновления.",
            _ => "Напишите, что нужно доработать.",
        };
        return Err(AppError::invalid("comment", what));
    }

    let t = db::now();
    let version = r.version + 1;
    let mut am = r.clone().into_active_model();
    let mut material_change: Option<(String, String)> = None;
    match req.action {
        RouteAction::Submit => check_complete(&txn, &r).await?,
        RouteAction::Extend => {
            let new_end = req.new_end.ok_or_else(|| {
                AppError::invalid("new_end", "Укажите новую дату окончания маршрута.")
            })?;
            let policy = policies::for_region(&txn, r.region_id).await?;
            workflow::check_extension(r.period_end, new_end, policy.max_extension_months)
                .map_err(|m| AppError::invalid("new_end", m))?;
            am.original_end = Set(Some(r.period_end));
            am.period_end = Set(new_end);
            am.extension_reason = Set(comment.clone());
            am.material_version = Set(Some(version));
            material_change = Some((
                r.period_end.format("%d.%m.%Y").to_string(),
                new_end.format("%d.%m.%Y").to_string(),
            ));
        }
        RouteAction::SubmitProduct => {
            if routes::products(&txn, id).await?.is_empty() {
                return Err(AppError::invalid(
                    "reflective.products",
                    "Опишите образовательный (методический) продукт, который представляете на экспертизу.",
                ));
            }
        }
        RouteAction::Evaluate => {
            let evaluation =
                evaluate(&txn, &r, principal, &req.verdicts, comment.as_deref()).await?;
            am.evaluation = Set(Some(evaluation));
        }
        RouteAction::Complete => {
            let outcome: Option<Outcome> = r.outcome.as_deref().map(db::parse_code).transpose()?;
            let conclusion: ConclusionDto = serde_json::from_str(&r.conclusion).unwrap_or_default();
            if outcome.is_none() || (conclusion.findings.is_none() && conclusion.results.is_none())
            {
                return Err(AppError::invalid(
                    "reflective.conclusion",
                    "Перед завершением заполните заключение (выводы или результаты) и укажите итог.",
                ));
            }
            if let Some(outcome) = outcome {
                let dynamics = crate::services::diagnostics::route::compute(&txn, &r).await?;
                workflow::check_outcome(
                    outcome,
                    crate::services::diagnostics::route::criteria(&dynamics),
                )
                .map_err(|m| AppError::invalid("reflective.conclusion.outcome", m))?;
            }
            am.completed_at = Set(Some(t));
        }
        RouteAction::Approve => am.approved_version = Set(Some(version)),
        RouteAction::Start => am.started_at = Set(Some(t)),
        RouteAction::Reopen => {
            am.completed_at = Set(None);
            am.frozen = Set(None);
        }
        RouteAction::Return
        | RouteAction::TutorAgree
        | RouteAction::Agree
        | RouteAction::ReturnProduct
        | RouteAction::Withdraw => {}
    }
    let has_diagnostics = !diagnostics.is_empty() || !routes::deficits(&txn, id).await?.is_empty();
    let has_tasks = !routes::tasks(&txn, id).await?.is_empty();
    am.status = Set(to.as_str().to_owned());
    am.stage = Set(workflow::stage_of(to, has_diagnostics, has_tasks)
        .as_str()
        .to_owned());
    am.version = Set(version);
    am.updated_at = Set(t);
    let mut updated = am.update(&txn).await?;

    route_transition::ActiveModel {
        id: Set(db::new_id()),
        route_id: Set(id),
        action: Set(req.action.as_str().to_owned()),
        from_status: Set(from.as_str().to_owned()),
        to_status: Set(to.as_str().to_owned()),
        actor_id: Set(principal.id()),
        actor_title: Set(Some(signer_title(
            &principal.user,
            req.action,
            &ctx.participants,
        ))),
        comment: Set(comment.clone()),
        version: Set(version),
        at: Set(t),
    }
    .insert(&txn)
    .await?;
    if let Some((old, new)) = material_change {
        route_change::ActiveModel {
            id: Set(db::new_id()),
            route_id: Set(id),
            version: Set(version),
            entity: Set("route".into()),
            entity_id: Set(Some(id)),
            subject: Set("Срок маршрута (продление)".into()),
            field: Set("period_end".into()),
            old_value: Set(Some(old)),
            new_value: Set(Some(new)),
            material: Set(true),
            actor_id: Set(principal.id()),
            at: Set(t),
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        audit::Entry {
            subject_id: None,
            actor_id: Some(principal.id()),
            actor_kind: "user",
            action: &format!("route.{}", req.action.as_str()),
            entity_type: "route",
            entity_id: Some(id),
            details: serde_json::json!({ "from": from, "to": to, "version": version }),
        },
    )
    .await?;
    crate::services::events::record(
        &txn,
        crate::services::events::Event::route(
            shared::events::EventKind::of_action(req.action),
            principal.id(),
            &r,
            serde_json::json!({
                "action": req.action, "from": from, "to": to, "version": version, "comment": comment,
            }),
        ),
    )
    .await?;

    // A completed route is frozen: its whole state at completion is kept as it was. Done before
    // the integrations hear of it, so the webhook carries the certificate's number.
    if to == RouteStatus::Completed {
        let ctx = access::load(&txn, principal, id, false).await?;
        let dto = read::assemble(&txn, principal, &ctx).await?;
        let snapshot = to_json(&dto)?;
        let mut am = updated.into_active_model();
        am.frozen = Set(Some(snapshot));
        updated = am.update(&txn).await?;
        // Completion through the system gives the certificate (regulation 4.2).
        crate::services::documents::certificates::issue(&txn, &dto, principal.id(), t).await?;
    } else if req.action == RouteAction::Reopen {
        let reason = format!(
            "Маршрут возобновлён: {}",
            comment.as_deref().unwrap_or_default()
        );
        crate::services::documents::certificates::revoke_for_route(
            &txn,
            id,
            principal.id(),
            &reason,
            t,
        )
        .await?;
    }
    crate::services::integration::sync::touch_route(&txn, &updated, false).await?;
    if let Some(event) = webhook_event(req.action) {
        use crate::services::integration::{summary, webhooks};
        // Nothing goes out about a teacher who withdrew their consent to transfer.
        if let Some(data) = summary::routes(&txn, &[id]).await?.remove(&id) {
            webhooks::emit(
                &txn,
                event,
                &ctx.facts.school,
                serde_json::json!({ "route": data }),
            )
            .await?;
        }
    }

    txn.commit().await?;
    let ctx = access::load(&state.db, principal, id, false).await?;
    read::assemble(&state.db, principal, &ctx).await
}

/// The route must be complete enough to go for agreement.
async fn check_complete(db: &impl ConnectionTrait, r: &route::Model) -> AppResult<()> {
    let deficits = routes::deficits(db, r.id).await?;
    let tasks = routes::tasks(db, r.id).await?;
    let links = routes::task_deficits(db, &tasks.iter().map(|t| t.id).collect::<Vec<_>>()).await?;
    let activities = routes::activities(db, r.id).await?;
    let c = workflow::Completeness {
        deficits: deficits.len(),
        tasks: tasks.len(),
        tasks_without_deficits: tasks
            .iter()
            .filter(|t| !links.iter().any(|l| l.task_id == t.id))
            .count(),
        activities: activities.len(),
        activities_out_of_period: activities
            .iter()
            .filter(|a| {
                workflow::check_activity_dates(
                    a.start_date,
                    a.end_date,
                    (r.period_start, r.period_end),
                )
                .is_err()
            })
            .count(),
    };
    let problems = workflow::submission_problems(&c);
    if problems.is_empty() {
        return Ok(());
    }
    let mut errors: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (field, message) in problems {
        errors.entry(field.to_owned()).or_default().push(message);
    }
    Err(AppError::Validation {
        detail: Some("Маршрут ещё не готов к согласованию.".into()),
        errors,
    })
}

/// Applies the expert's verdicts to the route's deficits and returns the evaluation record.
async fn evaluate(
    db: &impl ConnectionTrait,
    r: &route::Model,
    principal: &Principal,
    verdicts: &[DeficitVerdict],
    comment: Option<&str>,
) -> AppResult<String> {
    let deficits = routes::deficits(db, r.id).await?;
    let confirmed: Vec<&route_deficit::Model> = deficits.iter().filter(|d| d.confirmed).collect();
    if verdicts
        .iter()
        .any(|v| !deficits.iter().any(|d| d.id == v.deficit_id))
    {
        return Err(AppError::invalid(
            "verdicts",
            "Дефицит не найден в этом маршруте.",
        ));
    }
    let missing = confirmed
        .iter()
        .filter(|d| !verdicts.iter().any(|v| v.deficit_id == d.id))
        .count();
    if missing > 0 || verdicts.is_empty() {
        return Err(AppError::invalid(
            "verdicts",
            "Оцените каждый дефицит маршрута: устранён или не устранён.",
        ));
    }
    let t = db::now();
    for v in verdicts {
        if let Some(d) = deficits.iter().find(|d| d.id == v.deficit_id) {
            let mut am = d.clone().into_active_model();
            am.state = Set(if v.eliminated {
                DeficitState::Eliminated
            } else {
                DeficitState::NotEliminated
            }
            .as_str()
            .to_owned());
            am.version = Set(d.version + 1);
            am.updated_at = Set(t);
            am.update(db).await?;
        }
    }
    to_json(&serde_json::json!({
        "expert_id": principal.id(),
        "at": t,
        "verdicts": verdicts,
        "comment": comment,
    }))
}

/// Workflow steps and recorded corrections; `since_version` shows only what changed after a
/// version (what an approver has not seen yet).
pub async fn history(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    since_version: Option<i32>,
) -> AppResult<RouteHistory> {
    let ctx = access::load(&state.db, principal, id, false).await?;
    access::audit_read(state, principal, &ctx, "route.history_read", "route", id);
    history_of(state, id, since_version).await
}

/// The history of a route the caller has already been allowed to read.
pub async fn history_of(
    state: &AppState,
    id: Uuid,
    since_version: Option<i32>,
) -> AppResult<RouteHistory> {
    let transitions = routes::transitions(&state.db, id).await?;
    let changes: Vec<route_change::Model> = routes::changes(&state.db, id)
        .await?
        .into_iter()
        .filter(|c| since_version.is_none_or(|v| c.version > v))
        .collect();
    let mut ids: Vec<Uuid> = transitions.iter().map(|t| t.actor_id).collect();
    ids.extend(changes.iter().map(|c| c.actor_id));
    ids.sort();
    ids.dedup();
    let people: HashMap<Uuid, user::Model> = users::find_many(&state.db, &ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let person = |id: Uuid| {
        people.get(&id).map(to_ref).unwrap_or(PersonRef {
            id,
            full_name: "—".into(),
            email: String::new(),
        })
    };
    Ok(RouteHistory {
        transitions: transitions
            .iter()
            .map(|t| {
                Ok(TransitionDto {
                    id: t.id,
                    action: db::parse_code(&t.action)?,
                    from_status: db::parse_code(&t.from_status)?,
                    to_status: db::parse_code(&t.to_status)?,
                    actor: person(t.actor_id),
                    comment: t.comment.clone(),
                    version: t.version,
                    at: t.at,
                })
            })
            .collect::<AppResult<Vec<_>>>()?,
        changes: changes
            .iter()
            .map(|c| ChangeDto {
                id: c.id,
                version: c.version,
                entity: c.entity.clone(),
                entity_id: c.entity_id,
                subject: c.subject.clone(),
                field: c.field.clone(),
                old_value: c.old_value.clone(),
                new_value: c.new_value.clone(),
                material: c.material,
                actor: person(c.actor_id),
                at: c.at,
            })
            .collect(),
    })
}

/// Drafts the next route from a completed one: the deficits not eliminated, the tasks against
/// them, and the final diagnostic as the new entry diagnostic (algorithm step 11).
pub async fn next_route(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<RouteDto> {
    let ctx = access::load(&state.db, principal, id, false).await?;
    if ctx.status() != RouteStatus::Completed {
        return Err(AppError::conflict(
            "route_not_completed",
            "Следующий маршрут составляется по завершённому маршруту.",
        ));
    }
    let may = ctx.participants.iter().any(|p| {
        matches!(
            p,
            Participant::Owner | Participant::Tutor | Participant::SchoolCoordinator
        )
    });
    if !may {
        return Err(AppError::forbidden(
            "Следующий маршрут составляет педагог, его тьютор или координатор ОО.",
        ));
    }
    let old = &ctx.route;
    let policy = policies::for_region(&state.db, old.region_id).await?;
    let today = db::now().date_naive();
    let start = today.max(old.period_end + Duration::days(1));
    let end = workflow::add_months(start, policy.max_route_months.min(12)) - Duration::days(1);
    let created = super::create::create(
        state,
        principal,
        CreateRoute {
            title: old.title.clone(),
            track: old.track.clone(),
            period_start: start,
            period_end: end,
            teacher_id: Some(old.teacher_id),
        },
    )
    .await?;

    let txn = db::begin_write(&state.db).await?;
    let mut am = route::Entity::find_by_id(created.id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?
        .into_active_model();
    am.previous_route_id = Set(Some(old.id));
    am.educational_request = Set(old.educational_request.clone());
    am.update(&txn).await?;
    copy_open_work(&txn, old, created.id).await?;
    txn.commit().await?;
    let ctx = access::load(&state.db, principal, created.id, false).await?;
    read::assemble(&state.db, principal, &ctx).await
}

async fn copy_open_work(
    db: &impl ConnectionTrait,
    old: &route::Model,
    new_id: Uuid,
) -> AppResult<()> {
    use crate::db::entities::{
        route_diagnostic, route_diagnostic_result, route_task, route_task_deficit,
    };
    let t = db::now();
    let mut mapping: HashMap<Uuid, Uuid> = HashMap::new();
    for (pos, d) in routes::deficits(db, old.id)
        .await?
        .into_iter()
        .filter(|d| d.state != DeficitState::Eliminated.as_str())
        .enumerate()
    {
        let nid = db::new_id();
        mapping.insert(d.id, nid);
        route_deficit::ActiveModel {
            id: Set(nid),
            route_id: Set(new_id),
            version: Set(1),
            position: Set(i32::try_from(pos).unwrap_or(0)),
            title: Set(d.title),
            description: Set(d.description),
            competency_id: Set(d.competency_id),
            confirmed: Set(true),
            state: Set(DeficitState::Open.as_str().into()),
            created_at: Set(t),
            updated_at: Set(t),
        }
        .insert(db)
        .await?;
    }
    let tasks = routes::tasks(db, old.id).await?;
    let links = routes::task_deficits(db, &tasks.iter().map(|x| x.id).collect::<Vec<_>>()).await?;
    let mut position = 0;
    for task in tasks {
        let carried: Vec<Uuid> = links
            .iter()
            .filter(|l| l.task_id == task.id)
            .filter_map(|l| mapping.get(&l.deficit_id).copied())
            .collect();
        if carried.is_empty() {
            continue;
        }
        let nid = db::new_id();
        route_task::ActiveModel {
            id: Set(nid),
            route_id: Set(new_id),
            version: Set(1),
            position: Set(position),
            title: Set(task.title),
            description: Set(task.description),
            created_at: Set(t),
            updated_at: Set(t),
        }
        .insert(db)
        .await?;
        position += 1;
        for d in carried {
            route_task_deficit::ActiveModel {
                task_id: Set(nid),
                deficit_id: Set(d),
            }
            .insert(db)
            .await?;
        }
    }
    let diagnostics = routes::diagnostics(db, old.id).await?;
    if let Some(last) = diagnostics
        .iter()
        .rev()
        .find(|d| d.kind == DiagnosticKind::Final.as_str())
    {
        let nid = db::new_id();
        route_diagnostic::ActiveModel {
            id: Set(nid),
            route_id: Set(new_id),
            version: Set(1),
            position: Set(0),
            kind: Set(DiagnosticKind::Entry.as_str().into()),
            level: Set(last.level.clone()),
            name: Set(last.name.clone()),
            date: Set(last.date),
            campaign_id: Set(last.campaign_id),
            created_at: Set(t),
            updated_at: Set(t),
        }
        .insert(db)
        .await?;
        for res in routes::diagnostic_results(db, &[last.id]).await? {
            route_diagnostic_result::ActiveModel {
                diagnostic_id: Set(nid),
                competency_id: Set(res.competency_id),
                level: Set(res.level),
                score: Set(res.score),
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}
