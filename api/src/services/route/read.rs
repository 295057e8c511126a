//! Assembling the whole route (all five sections) in a fixed number of queries.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use shared::dto::*;
use shared::workflow::{self, Part, RouteAction, RouteState};
use shared::{DiagnosticKind, RouteStatus};
use uuid::Uuid;

use super::RouteCtx;
use crate::auth::Principal;
use crate::db::entities::{competency, route, route_file, user};
use crate::db::{self, assignments, routes, units, users};
use crate::error::AppResult;
use crate::services::people::to_ref;

/// Whether tasks or the period changed after the last approval.
pub fn needs_reapproval(route: &route::Model) -> bool {
    matches!((route.approved_version, route.material_version), (Some(a), Some(m)) if m > a)
}

/// The workflow's view of the route.
pub fn route_state(
    route: &route::Model,
    status: RouteStatus,
    has_final_diagnostic: bool,
) -> RouteState {
    RouteState {
        status: Some(status),
        started: route.started_at.is_some(),
        unapproved_material_changes: needs_reapproval(route),
        extended: route.original_end.is_some(),
        has_final_diagnostic,
    }
}

pub fn competency_ref(c: &competency::Model) -> CompetencyRef {
    CompetencyRef {
        id: c.id,
        code: c.code.clone(),
        name: c.name.clone(),
    }
}

fn unknown_person(id: Uuid) -> PersonRef {
    PersonRef {
        id,
        full_name: "—".into(),
        email: String::new(),
    }
}

pub fn file_dto(f: &route_file::Model, people: &HashMap<Uuid, user::Model>) -> FileDto {
    FileDto {
        id: f.id,
        name: f.name.clone(),
        content_type: f.content_type.clone(),
        size: f.size,
        uploaded_by: people
            .get(&f.uploaded_by)
            .map(to_ref)
            .unwrap_or_else(|| unknown_person(f.uploaded_by)),
        uploaded_at: f.created_at,
        url: format!("/api/v1/files/{}", f.id),
    }
}

/// Whether `principal` may edit the route in its current status.
fn can_edit(principal: &Principal, ctx: &RouteCtx) -> bool {
    let status = ctx.status();
    principal.actor.can_edit_route(&ctx.facts)
        && (workflow::editable(Part::Plan, status) || workflow::editable(Part::Progress, status))
}

/// The route answer's entity tag: its version (every change to its content bumps it) and what
/// the viewer may do with it, so a viewer whose permissions changed never gets a 304 for an
/// answer that showed others. Computed from the route's row and the policy's facts alone, so
/// `If-None-Match` is answered without assembling the route.
pub fn etag(principal: &Principal, ctx: &RouteCtx) -> String {
    tag(
        ctx.route.version,
        &ctx.participants,
        can_edit(principal, ctx),
        principal.actor.can_comment_route(&ctx.facts),
    )
}

/// [`etag`] of an assembled route (the same value).
pub fn etag_of(route: &RouteDto) -> String {
    let p = &route.permissions;
    tag(route.version, &p.participant, p.can_edit, p.can_comment)
}

fn tag(
    version: i32,
    participants: &[shared::workflow::Participant],
    can_edit: bool,
    can_comment: bool,
) -> String {
    // FNV-1a: stable across processes and builds, unlike the standard library's hasher.
    let mut h: u32 = 0x811c_9dc5;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u32::from(*b);
            h = h.wrapping_mul(0x0100_0193);
        }
    };
    for p in participants {
        eat(p.as_str().as_bytes());
        eat(b",");
    }
    eat(&[u8::from(can_edit), u8::from(can_comment)]);
    format!("\"v{version}-{h:08x}\"")
}

/// The whole route as `principal` sees it.
pub async fn assemble(
    db: &impl ConnectionTrait,
    principal: &Principal,
    ctx: &RouteCtx,
) -> AppResult<RouteDto> {
    let r = &ctx.route;
    let status = ctx.status();

    // One statement per table, each selected by the route, so the count is the same for one
    // activity or a hundred (a test holds it).
    let diagnostics = routes::diagnostics(db, r.id).await?;
    let results = routes::diagnostic_results_of_route(db, r.id).await?;
    let deficits = routes::deficits(db, r.id).await?;
    let tasks = routes::tasks(db, r.id).await?;
    let task_links = routes::task_deficits_of_route(db, r.id).await?;
    let activities = routes::activities(db, r.id).await?;
    let act_deficits = routes::activity_deficits_of_route(db, r.id).await?;
    let act_comps = routes::activity_competencies_of_route(db, r.id).await?;
    let progress = routes::progress(db, r.id).await?;
    let products = routes::products(db, r.id).await?;
    let files = routes::files(db, r.id).await?;
    let transitions = routes::transitions(db, r.id).await?;
    let staff = assignments::for_teacher(db, r.teacher_id).await?;

    // Every competency and person referred to, fetched once.
    let mut comp_ids: Vec<Uuid> = results.iter().map(|x| x.competency_id).collect();
    comp_ids.extend(deficits.iter().filter_map(|d| d.competency_id));
    comp_ids.extend(act_comps.iter().map(|x| x.competency_id));
    comp_ids.sort();
    comp_ids.dedup();
    let comps: HashMap<Uuid, competency::Model> = routes::competencies(db, &comp_ids)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let evaluation: Option<serde_json::Value> = r
        .evaluation
        .as_deref()
        .and_then(|e| serde_json::from_str(e).ok());
    let evaluator: Option<Uuid> = evaluation
        .as_ref()
        .and_then(|e| e.get("expert_id"))
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok());
    let mut person_ids = vec![r.teacher_id];
    person_ids.extend(staff.iter().map(|a| a.staff_id));
    person_ids.extend(progress.iter().map(|p| p.author_id));
    person_ids.extend(files.iter().map(|f| f.uploaded_by));
    person_ids.extend(transitions.iter().map(|t| t.actor_id));
    person_ids.extend(r.conclusion_by);
    person_ids.extend(evaluator);
    person_ids.sort();
    person_ids.dedup();
    let people: HashMap<Uuid, user::Model> = users::find_many(db, &person_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let person = |id: Uuid| {
        people
            .get(&id)
            .map(to_ref)
            .unwrap_or_else(|| unknown_person(id))
    };
    let comp_ref = |id: Uuid| comps.get(&id).map(competency_ref);

    let mut by_kind: HashMap<AssignmentKind, Vec<PersonRef>> = HashMap::new();
    for a in &staff {
        let kind: AssignmentKind = db::parse_code(&a.kind)?;
        // A tutor who has no consent does not see the route and is not listed on it.
        if kind == AssignmentKind::Tutor && a.consent_at.is_none() {
            continue;
        }
        by_kind.entry(kind).or_default().push(person(a.staff_id));
    }

    let diagnostic_dtos = diagnostics
        .iter()
        .map(|d| {
            Ok(RouteDiagnosticDto {
                id: d.id,
                version: d.version,
                kind: db::parse_code(&d.kind)?,
                level: db::parse_code(&d.level)?,
                name: d.name.clone(),
                date: d.date,
                campaign_id: d.campaign_id,
                results: {
                    let mut rs = results
                        .iter()
                        .filter(|x| x.diagnostic_id == d.id)
                        .filter_map(|x| {
                            Some((
                                comps.get(&x.competency_id)?.position,
                                CompetencyResultDto {
                                    competency: comp_ref(x.competency_id)?,
                                    level: x.level.parse().ok()?,
                                    score: x.score,
                                },
                            ))
                        })
                        .collect::<Vec<_>>();
                    rs.sort_by_key(|(pos, _)| *pos);
                    rs.into_iter().map(|(_, r)| r).collect()
                },
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let has_final_diagnostic = diagnostic_dtos
        .iter()
        .any(|d| d.kind == DiagnosticKind::Final);

    let deficit_dtos = deficits
        .iter()
        .map(|d| {
            Ok(DeficitDto {
                id: d.id,
                version: d.version,
                title: d.title.clone(),
                description: d.description.clone(),
                competency: d.competency_id.and_then(comp_ref),
                confirmed: d.confirmed,
                state: db::parse_code(&d.state)?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;

    let task_dtos = tasks
        .iter()
        .map(|t| TaskDto {
            id: t.id,
            version: t.version,
            position: t.position,
            title: t.title.clone(),
            description: t.description.clone(),
            deficit_ids: ordered_links(
                task_links
                    .iter()
                    .filter(|l| l.task_id == t.id)
                    .map(|l| l.deficit_id),
                &deficits.iter().map(|d| d.id).collect::<Vec<_>>(),
            ),
        })
        .collect();

    let deficit_order: Vec<Uuid> = deficits.iter().map(|d| d.id).collect();
    let activity_dtos = activities
        .iter()
        .map(|a| {
            let mut comps_of: Vec<&competency::Model> = act_comps
                .iter()
                .filter(|l| l.activity_id == a.id)
                .filter_map(|l| comps.get(&l.competency_id))
                .collect();
            comps_of.sort_by_key(|c| c.position);
            Ok(ActivityDto {
                id: a.id,
                version: a.version,
                position: a.position,
                name: a.name.clone(),
                competencies: comps_of.into_iter().map(competency_ref).collect(),
                deficit_ids: ordered_links(
                    act_deficits
                        .iter()
                        .filter(|l| l.activity_id == a.id)
                        .map(|l| l.deficit_id),
                    &deficit_order,
                ),
                level: a.level.as_deref().map(db::parse_code).transpose()?,
                start_date: a.start_date,
                end_date: a.end_date,
                participation_form: a.participation_form.clone(),
                result: a.result.clone(),
                status: db::parse_code(&a.status)?,
                reflection: a.reflection.clone(),
                hours: a.hours,
                event_id: a.event_id,
                files: files
                    .iter()
                    .filter(|f| f.activity_id == Some(a.id))
                    .map(|f| file_dto(f, &people))
                    .collect(),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;

    let progress_dtos = progress
        .iter()
        .map(|p| {
            Ok(ProgressDto {
                id: p.id,
                version: p.version,
                period_kind: db::parse_code(&p.period_kind)?,
                period: p.period.clone(),
                task_id: p.task_id,
                text: p.text.clone(),
                author: person(p.author_id),
                created_at: p.created_at,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;

    let product_dtos = products
        .iter()
        .map(|p| ProductDto {
            id: p.id,
            version: p.version,
            position: p.position,
            title: p.title.clone(),
            kind: p.kind.clone(),
            description: p.description.clone(),
            link: p.link.clone(),
            files: files
                .iter()
                .filter(|f| f.product_id == Some(p.id))
                .map(|f| file_dto(f, &people))
                .collect(),
        })
        .collect();

    let evaluation_dto = match (evaluation, evaluator) {
        (Some(e), Some(expert)) => Some(EvaluationDto {
            expert: person(expert),
            evaluated_at: e
                .get("at")
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .unwrap_or(r.updated_at),
            verdicts: e
                .get("verdicts")
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .unwrap_or_default(),
            comment: e.get("comment").and_then(|v| v.as_str()).map(str::to_owned),
        }),
        _ => None,
    };

    // The latest signature of each kind; a return voids the ones before it.
    let mut approvals: Vec<ApprovalDto> = Vec::new();
    for t in &transitions {
        let action: RouteAction = db::parse_code(&t.action)?;
        match action {
            RouteAction::Return => approvals.clear(),
            RouteAction::TutorAgree | RouteAction::Agree | RouteAction::Approve => {
                approvals.retain(|a| a.action != action);
                approvals.push(ApprovalDto {
                    action,
                    person: person(t.actor_id),
                    role_title: t.actor_title.clone().unwrap_or_default(),
                    version: t.version,
                    at: t.at,
                    comment: t.comment.clone(),
                });
            }
            _ => {}
        }
    }

    let state = route_state(r, status, has_final_diagnostic);
    let permissions = RoutePermissions {
        participant: ctx.participants.clone(),
        can_edit: can_edit(principal, ctx),
        can_comment: principal.actor.can_comment_route(&ctx.facts),
        actions: workflow::available_actions(&state, &ctx.participants),
    };

    Ok(RouteDto {
        id: r.id,
        version: r.version,
        teacher: person(r.teacher_id),
        school: units::to_ref(&ctx.school)?,
        title: r.title.clone(),
        track: r.track.clone(),
        period_start: r.period_start,
        period_end: r.period_end,
        original_end: r.original_end,
        extension_reason: r.extension_reason.clone(),
        status,
        stage: db::parse_code(&r.stage)?,
        framework_id: r.framework_id,
        tutors: by_kind.remove(&AssignmentKind::Tutor).unwrap_or_default(),
        mentors: by_kind.remove(&AssignmentKind::Mentor).unwrap_or_default(),
        experts: by_kind.remove(&AssignmentKind::Expert).unwrap_or_default(),
        information: InformationSection {
            profile: serde_json::from_str(&r.profile_snapshot).unwrap_or_default(),
            taken_at: r.profile_taken_at,
        },
        diagnostic: DiagnosticSection {
            diagnostics: diagnostic_dtos,
            deficits: deficit_dtos,
            educational_request: r.educational_request.clone(),
        },
        target: TargetSection { tasks: task_dtos },
        activity: ActivitySection {
            activities: activity_dtos,
            progress: progress_dtos,
        },
        reflective: ReflectiveSection {
            products: product_dtos,
            final_event: serde_json::from_str(&r.final_event).unwrap_or_default(),
            evaluation: evaluation_dto,
            conclusion: serde_json::from_str(&r.conclusion).unwrap_or_default(),
            conclusion_by: r.conclusion_by.map(person),
            conclusion_at: r.conclusion_at,
        },
        approvals,
        needs_reapproval: needs_reapproval(r),
        approved_version: r.approved_version,
        permissions,
        previous_route_id: r.previous_route_id,
        created_at: r.created_at,
        updated_at: r.updated_at,
        completed_at: r.completed_at,
    })
}

/// Linked ids in the order of `order` (the section's own order), not the link table's.
fn ordered_links(linked: impl Iterator<Item = Uuid>, order: &[Uuid]) -> Vec<Uuid> {
    let linked: Vec<Uuid> = linked.collect();
    order
        .iter()
        .copied()
        .filter(|id| linked.contains(id))
        .collect()
}
