//! Drafting routes in bulk from a diagnostic campaign: the ЦНППМ manager drafts for everyone
//! with deficits, each draft carries the teacher's deficits as tasks and the fitting catalogue
//! events as activities, a second run drafts nothing twice, progress is read while the job
//! runs in batches, and nobody else starts it.

use chrono::Duration;
use e2e::{TestApp, User, fixtures, ok_json, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::dto::*;
use shared::events::EventKind;
use shared::{CompetencyLevel, DiagnosticKind, Role, RouteStatus};
use uuid::Uuid;

use crate::catalogue::{publish, today};

fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

/// The demo's entry campaign (results for the demo school's teacher, tutor and coordinator).
async fn entry_campaign(user: &User<'_>) -> CampaignDto {
    let all: Vec<CampaignDto> = user.get_json("/api/v1/diagnostics/campaigns").await;
    all.into_iter()
        .find(|c| c.kind == DiagnosticKind::Entry)
        .unwrap()
}

async fn start(user: &User<'_>, campaign: Uuid, body: Value) -> reqwest::Response {
    user.post(&format!(
        "/api/v1/diagnostics/campaigns/{campaign}/route-drafts"
    ))
    .json(&body)
    .send()
    .await
    .unwrap()
}

async fn started(user: &User<'_>, campaign: Uuid, body: Value) -> RouteDraftJobDto {
    let res = start(user, campaign, body).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap();
    let job: RouteDraftJobDto = ok_json(res).await;
    assert_eq!(
        location,
        format!("/api/v1/diagnostics/route-drafts/{}", job.id)
    );
    job
}

async fn job(user: &User<'_>, id: Uuid) -> RouteDraftJobDto {
    user.get_json(&format!("/api/v1/diagnostics/route-drafts/{id}"))
        .await
}

fn all_for(start: i64, end: i64) -> Value {
    json!({ "selection": { "kind": "all" }, "period_start": day(start), "period_end": day(end) })
}

/// The person's routes as they see them.
async fn routes_of(user: &User<'_>) -> Vec<RouteSummary> {
    let page: Page<RouteSummary> = user.get_json("/api/v1/routes?limit=100").await;
    page.items
}

#[tokio::test]
async fn the_manager_drafts_routes_once_with_deficits_as_tasks_and_fitting_events_as_activities() {
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let campaign = entry_campaign(&manager).await;
    let mine: PersonResultsDto = manager
        .get_json(&format!(
            "/api/v1/diagnostics/campaigns/{}/people/{teacher_id}",
            campaign.id
        ))
        .await;
    assert!(!mine.proposed_deficits.is_empty());
    let weak = mine.proposed_deficits[0].competency.id;
    let strong = mine
        .results
        .iter()
        .find(|r| r.level == CompetencyLevel::High)
        .map(|r| r.competency.id);

    // The region's catalogue: one event for the teacher's deficit inside the period, one after
    // it, and one for a competency the teacher has no deficit in.
    // (The one inside develops every competency the teacher lacks, so it ranks above the
    // demo's own events, which the roadmap may take as well.)
    let all_weak: Vec<Uuid> = mine
        .proposed_deficits
        .iter()
        .map(|d| d.competency.id)
        .collect();
    let event = |title: &str, comps: &[Uuid], start: i64| {
        json!({ "title": title, "kind": "seminar", "format": "online",
                "organiser_id": app.demo.region, "starts_on": day(start), "hours": 4.0,
                "competency_ids": comps })
    };
    let inside = publish(&manager, event("Семинар по дефицитам", &all_weak, 30)).await;
    let after = publish(&manager, event("Семинар после периода", &[weak], 320)).await;
    let other = match strong {
        Some(c) => Some(publish(&manager, event("Семинар не по дефициту", &[c], 40)).await),
        None => None,
    };

    let first = started(&manager, campaign.id, all_for(0, 270)).await;
    assert_eq!(first.status, DraftJobStatus::Queued);
    assert!(first.total >= 2, "the demo school's staff have deficits");
    assert_eq!((first.done, first.created), (0, 0));
    // While one job runs, another for the same campaign waits.
    let res = start(&manager, campaign.id, all_for(0, 270)).await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "drafting_in_progress"
    );

    app.run_jobs().await;
    let done = job(&manager, first.id).await;
    assert_eq!(done.status, DraftJobStatus::Done);
    assert_eq!(done.done, done.total);
    assert_eq!(
        (done.created, done.skipped, done.failed),
        (done.total, 0, 0),
        "{:?}",
        done.failures
    );
    assert!(done.finished_at.is_some());

    // The teacher's draft: the campaign, its deficits, a task per deficit, the fitting event.
    let mine_now = routes_of(&teacher).await;
    assert_eq!(mine_now.len(), 1);
    assert_eq!(mine_now[0].status, RouteStatus::Draft);
    assert_eq!(
        mine_now[0].title,
        format!("ИОМ по итогам диагностики «{}»", campaign.name)
    );
    let route: RouteDto = teacher
        .get_json(&format!("/api/v1/routes/{}", mine_now[0].id))
        .await;
    assert_eq!(route.diagnostic.diagnostics.len(), 1);
    assert_eq!(route.diagnostic.diagnostics[0].name, campaign.name);
    assert_eq!(
        route.diagnostic.deficits.len(),
        mine.proposed_deficits.len()
    );
    assert_eq!(route.target.tasks.len(), route.diagnostic.deficits.len());
    for (task, deficit) in route.target.tasks.iter().zip(&route.diagnostic.deficits) {
        assert_eq!(task.deficit_ids, vec![deficit.id]);
        let c = deficit.competency.as_ref().unwrap();
        assert!(task.title.contains(&c.name), "{}", task.title);
    }
    let events: Vec<Option<Uuid>> = route
        .activity
        .activities
        .iter()
        .map(|a| a.event_id)
        .collect();
    assert!(events.contains(&Some(inside.summary.id)), "{events:?}");
    assert!(!events.contains(&Some(after.summary.id)));
    if let Some(o) = other {
        assert!(!events.contains(&Some(o.summary.id)));
    }
    let a = route
        .activity
        .activities
        .iter()
        .find(|a| a.event_id == Some(inside.summary.id))
        .unwrap();
    assert!(a.name.contains("Семинар по дефицитам"));
    let mut covered = a.deficit_ids.clone();
    covered.sort();
    let mut all: Vec<Uuid> = route.diagnostic.deficits.iter().map(|d| d.id).collect();
    all.sort();
    assert_eq!(covered, all);
    // Each deficit is addressed by two events at most.
    for d in &route.diagnostic.deficits {
        let n = route
            .activity
            .activities
            .iter()
            .filter(|a| a.deficit_ids.contains(&d.id))
            .count();
        assert!((1..=2).contains(&n), "{}: {n}", d.title);
    }
    // The teacher is told, and asked to go on with it.
    let notices: NotificationPage = teacher.get_json("/api/v1/me/notifications?limit=100").await;
    let n = notices
        .items
        .iter()
        .find(|n| n.kind == EventKind::RouteDrafted)
        .unwrap();
    assert!(
        n.text.starts_with("Для вас подготовлен черновик"),
        "{}",
        n.text
    );
    assert!(n.needs_action);
    assert_eq!(n.route_id, Some(route.id));

    // Running it again drafts nothing new.
    let second = started(&manager, campaign.id, all_for(0, 270)).await;
    app.run_jobs().await;
    let second = job(&manager, second.id).await;
    assert_eq!(second.status, DraftJobStatus::Done);
    assert_eq!(
        (second.created, second.skipped, second.failed),
        (0, second.total, 0)
    );
    assert_eq!(routes_of(&teacher).await.len(), 1);
    let jobs: Vec<RouteDraftJobDto> = manager
        .get_json(&format!(
            "/api/v1/diagnostics/campaigns/{}/route-drafts",
            campaign.id
        ))
        .await;
    assert_eq!(
        jobs.iter().map(|j| j.id).collect::<Vec<_>>(),
        vec![second.id, first.id]
    );
}

#[tokio::test]
async fn only_the_regions_manager_drafts_and_a_list_reaching_outside_drafts_nothing() {
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let campaign = entry_campaign(&manager).await;
    let body = all_for(0, 270);

    for email in [
        "teacher@iom.test",
        "coordinator@iom.test",
        "director@iom.test",
        "municipal@iom.test",
        "admin@iom.test",
    ] {
        let u = app.as_user(email).await;
        let p = problem(
            start(&u, campaign.id, body.clone()).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        assert_eq!(p.code, "forbidden", "{email}");
    }
    // The manager of another region does not see the campaign at all.
    let other_school = fixtures::other_region_school(&app.db).await;
    let unit = api::db::units::find(&app.db, other_school)
        .await
        .unwrap()
        .unwrap();
    let region = api::db::units::path(&unit).unwrap().region;
    fixtures::person(
        &app.db,
        "other-manager@iom.test",
        Role::RegionalManager,
        Some(region),
    )
    .await;
    let stranger = app.as_user("other-manager@iom.test").await;
    problem(
        start(&stranger, campaign.id, body.clone()).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let res = stranger
        .get(&format!(
            "/api/v1/diagnostics/campaigns/{}/route-drafts",
            campaign.id
        ))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;

    // A hand-picked list with a teacher of the other region is refused whole.
    let outsider = fixtures::person(
        &app.db,
        "outsider@iom.test",
        Role::Teacher,
        Some(other_school),
    )
    .await;
    let res = start(
        &manager,
        campaign.id,
        json!({ "selection": { "kind": "teachers", "teacher_ids": [teacher_id, outsider] },
                "period_start": day(0), "period_end": day(270) }),
    )
    .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.code, "validation_failed");
    let jobs: Vec<RouteDraftJobDto> = manager
        .get_json(&format!(
            "/api/v1/diagnostics/campaigns/{}/route-drafts",
            campaign.id
        ))
        .await;
    assert!(jobs.is_empty());
    app.run_jobs().await;
    assert!(routes_of(&teacher).await.is_empty());

    // A period longer than the region allows is refused; so is an empty list.
    let res = start(&manager, campaign.id, all_for(0, 800)).await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = start(
        &manager,
        campaign.id,
        json!({ "selection": { "kind": "teachers", "teacher_ids": [] },
                "period_start": day(0), "period_end": day(270) }),
    )
    .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;

    // A unit without results drafts nobody; the hand-picked teacher alone gets a draft.
    let none = started(
        &manager,
        campaign.id,
        json!({ "selection": { "kind": "unit", "unit_id": app.demo.municipality_b },
                "period_start": day(0), "period_end": day(270) }),
    )
    .await;
    assert_eq!((none.status, none.total), (DraftJobStatus::Done, 0));
    let one = started(
        &manager,
        campaign.id,
        json!({ "selection": { "kind": "teachers", "teacher_ids": [teacher_id] },
                "period_start": day(0), "period_end": day(270), "title": "ИОМ 2026/27: {диагностика}",
                "track": "Функциональная грамотность" }),
    )
    .await;
    assert_eq!(one.total, 1);
    // Its progress is the manager's, not the teacher's.
    let res = teacher
        .get(&format!("/api/v1/diagnostics/route-drafts/{}", one.id))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    let res = stranger
        .get(&format!("/api/v1/diagnostics/route-drafts/{}", one.id))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    app.run_jobs().await;
    let one = job(&manager, one.id).await;
    assert_eq!((one.created, one.done), (1, 1));
    let mine = routes_of(&teacher).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].title, format!("ИОМ 2026/27: {}", campaign.name));
    assert_eq!(mine[0].track.as_deref(), Some("Функциональная грамотность"));
}

#[tokio::test]
async fn progress_advances_batch_by_batch_up_to_the_total_and_failures_carry_reasons() {
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let manager_id = fixtures::id_of(&app, "manager@iom.test").await;
    let campaign = entry_campaign(&manager).await;
    let fw = api::services::diagnostics::load_framework(&app.db, campaign.framework.id)
        .await
        .unwrap();
    let weak = fw.competencies[0].0.id;
    let school = api::db::units::find(&app.db, app.demo.school_2)
        .await
        .unwrap()
        .unwrap();
    let place = api::db::units::path(&school).unwrap();
    // 205 teachers of the second school with a deficit: more than one batch of 200.
    let mut ids = Vec::new();
    let mut touched = api::services::diagnostics::rollup::Touched::default();
    for i in 0..205 {
        let email = format!("t{i}@school2.test");
        let u = api::db::users::insert(
            &app.db,
            api::db::users::NewUser {
                email: &email,
                surname: "Педагогова",
                first_name: "Анна",
                patronymic: None,
                password_hash: None,
                workplace_id: Some(app.demo.school_2),
                position: None,
                phone: None,
            },
        )
        .await
        .unwrap();
        let t = api::services::diagnostics::results::write_person(
            &app.db,
            campaign.id,
            u.id,
            Some(&place),
            &[api::services::diagnostics::results::CleanResult {
                competency_id: weak,
                level: CompetencyLevel::Low,
                score: None,
                comment: None,
            }],
            ResultSource::Import,
            manager_id,
        )
        .await
        .unwrap();
        touched.extend(t);
        ids.push(u.id);
    }
    api::services::diagnostics::rollup::recompute(&app.db, campaign.id, &fw.rule, touched)
        .await
        .unwrap();
    // One of them has left: their draft fails with the reason, the rest go on.
    {
        use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
        let u = api::db::users::find(&app.db, ids[7])
            .await
            .unwrap()
            .unwrap();
        let mut am = u.into_active_model();
        am.active = Set(false);
        am.update(&app.db).await.unwrap();
    }
    let first = started(
        &manager,
        campaign.id,
        json!({ "selection": { "kind": "unit", "unit_id": app.demo.school_2 },
                "period_start": day(0), "period_end": day(270) }),
    )
    .await;
    assert_eq!(first.total, 205);

    // One run of the queue drafts one batch; the progress shows it.
    let registry = api::jobs::Registry::standard(&app.settings);
    loop {
        let j = job(&manager, first.id).await;
        if j.done > 0 {
            break;
        }
        assert!(
            api::jobs::run_once(&app.db, &registry, "test-worker")
                .await
                .unwrap()
        );
    }
    let partial = job(&manager, first.id).await;
    assert_eq!(partial.status, DraftJobStatus::Running);
    assert!(partial.done < partial.total, "{partial:?}");
    assert_eq!(partial.done, partial.created + partial.failed);

    app.run_jobs().await;
    let finished = job(&manager, first.id).await;
    assert_eq!(finished.status, DraftJobStatus::Done);
    assert_eq!(
        (finished.done, finished.created, finished.failed),
        (205, 204, 1)
    );
    assert_eq!(finished.failures.len(), 1);
    assert_eq!(finished.failures[0].teacher_id, ids[7]);
    assert!(finished.failures[0].reason.contains("отключена"));
    // Nothing half-made: the failed teacher has no route at all.
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let routes = api::db::entities::route::Entity::find()
        .filter(api::db::entities::route::Column::TeacherId.eq(ids[7]))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(routes, 0);
    let drafted = api::db::entities::route::Entity::find()
        .filter(api::db::entities::route::Column::SchoolId.eq(app.demo.school_2))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(drafted, 204);
}
