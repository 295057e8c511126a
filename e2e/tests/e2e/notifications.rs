//! The stream of domain events and what people get from it: notices in the platform (told once,
//! to the right people, whatever the number of instances) and the «Что сделать» list.

use e2e::{TestApp, User, fixtures, ok_json, problem};
use reqwest::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use shared::dto::*;
use shared::events::{EventKind, TodoKind};
use shared::workflow::RouteAction;
use shared::{Role, RouteStatus};
use uuid::Uuid;

use crate::routes::{create, fill, step_ok};

use api::db::entities::{domain_event, job, notification, user};

async fn notices(user: &User<'_>) -> NotificationPage {
    user.get_json("/api/v1/me/notifications?limit=100").await
}

/// The notices of one route a person has.
async fn about(user: &User<'_>, route: Uuid) -> Vec<NotificationDto> {
    notices(user)
        .await
        .items
        .into_iter()
        .filter(|n| n.route_id == Some(route))
        .collect()
}

async fn tasks(user: &User<'_>) -> Vec<TodoItem> {
    user.get_json::<TodoList>("/api/v1/me/tasks").await.items
}

async fn submitted_route(app: &TestApp, teacher: &User<'_>) -> RouteDto {
    let route = create(teacher, "Смысловое чтение на уроках истории").await;
    let route = fill(teacher, route).await;
    let route = step_ok(teacher, &route, RouteAction::Submit, json!({})).await;
    app.run_jobs().await;
    route
}

#[tokio::test]
async fn each_step_of_agreement_tells_the_next_signer_and_the_teacher() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let coordinator = app.as_user("coordinator@iom.test").await;
    let deputy = app.as_user("deputy@iom.test").await;
    let director = app.as_user("director@iom.test").await;

    let route = submitted_route(&app, &teacher).await;
    // The event is in the stream, numbered, with the route's subject ids.
    let event = domain_event::Entity::find()
        .filter(domain_event::Column::RouteId.eq(route.id))
        .filter(domain_event::Column::Kind.eq("route.submitted"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the submission is recorded");
    assert!(event.seq.is_some());
    assert_eq!(event.person_id, Some(route.teacher.id));
    assert_eq!(event.unit_id, Some(app.demo.school));

    // The tutor is asked; the teacher (who acted) and the coordinator (a tutor exists) are not.
    let page = notices(&tutor).await;
    let asked = page
        .items
        .iter()
        .find(|n| n.route_id == Some(route.id))
        .expect("the tutor is told");
    assert_eq!(asked.kind, EventKind::RouteSubmitted);
    assert!(asked.needs_action && asked.read_at.is_none());
    assert!(asked.text.contains("«Смысловое чтение на уроках истории»"));
    assert!(asked.text.contains("Иванова"), "{}", asked.text);
    assert_eq!(
        asked.link.as_deref(),
        Some(&*format!("/routes/{}", route.id))
    );
    assert!(page.unread >= 1);
    assert!(about(&teacher, route.id).await.is_empty());
    assert!(about(&coordinator, route.id).await.is_empty());
    // …and it is on the tutor's «Что сделать» list with a link to the route.
    let todo = tasks(&tutor).await;
    let item = todo
        .iter()
        .find(|t| t.route_id == Some(route.id))
        .expect("the tutor's to-do");
    assert_eq!(item.kind, TodoKind::AgreeRoute);
    assert_eq!(item.link, format!("/routes/{}", route.id));
    assert!(item.title.contains("Смысловое чтение"));
    assert!(
        tasks(&deputy)
            .await
            .iter()
            .all(|t| t.route_id != Some(route.id))
    );

    let route = step_ok(&tutor, &route, RouteAction::TutorAgree, json!({})).await;
    app.run_jobs().await;
    let told = about(&teacher, route.id).await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].kind, EventKind::RouteAgreed);
    assert!(!told[0].needs_action);
    let asked = about(&deputy, route.id).await;
    assert_eq!(asked.len(), 1);
    assert!(asked[0].needs_action && asked[0].text.contains("согласования"));
    // The director is not asked before it is their turn.
    assert!(about(&director, route.id).await.is_empty());
    assert!(
        tasks(&tutor)
            .await
            .iter()
            .all(|t| t.route_id != Some(route.id))
    );

    let route = step_ok(&deputy, &route, RouteAction::Agree, json!({})).await;
    app.run_jobs().await;
    let asked = about(&director, route.id).await;
    assert_eq!(asked.len(), 1);
    assert!(asked[0].text.contains("утверждения"));
    assert_eq!(
        tasks(&director)
            .await
            .iter()
            .find(|t| t.route_id == Some(route.id))
            .map(|t| t.kind),
        Some(TodoKind::ApproveRoute)
    );

    let route = step_ok(&director, &route, RouteAction::Approve, json!({})).await;
    app.run_jobs().await;
    let told = about(&teacher, route.id).await;
    assert_eq!(told.len(), 3);
    assert_eq!(told[0].kind, EventKind::RouteApproved, "newest first");
    assert!(told[0].text.contains("утверждён"));
    assert_eq!(route.status, RouteStatus::Approved);
}

#[tokio::test]
async fn a_returned_route_tells_the_teacher_why() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let route = submitted_route(&app, &teacher).await;
    step_ok(
        &tutor,
        &route,
        RouteAction::Return,
        json!({ "comment": "Уточните результат открытого урока" }),
    )
    .await;
    app.run_jobs().await;
    let told = about(&teacher, route.id).await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].kind, EventKind::RouteReturned);
    assert!(
        told[0]
            .text
            .ends_with(": Уточните результат открытого урока"),
        "{}",
        told[0].text
    );
}

#[tokio::test]
async fn marking_read_lowers_the_count_and_nobody_touches_anothers_notice() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let first = submitted_route(&app, &teacher).await;
    let second = submitted_route(&app, &teacher).await;
    let page = notices(&tutor).await;
    let mine: Vec<&NotificationDto> = page
        .items
        .iter()
        .filter(|n| n.route_id == Some(first.id) || n.route_id == Some(second.id))
        .collect();
    assert_eq!(mine.len(), 2);
    let unread = page.unread;

    // A stranger — a colleague at the same school — gets 404 for the tutor's notice, and marking
    // all of their own read leaves it unread.
    let stranger = app.as_user("deputy@iom.test").await;
    let id = mine[0].id;
    problem(
        stranger
            .post(&format!("/api/v1/me/notifications/{id}/read"))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    ok_json::<MarkedRead>(
        stranger
            .post("/api/v1/me/notifications/read-all")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(notices(&stranger).await.items.iter().all(|n| n.id != id));
    assert_eq!(notices(&tutor).await.unread, unread);
    // Unknown ids and garbage are 404 too; without signing in, 401.
    problem(
        tutor
            .post(&format!("/api/v1/me/notifications/{}/read", Uuid::new_v4()))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        tutor
            .post("/api/v1/me/notifications/nonsense/read")
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get("/api/v1/me/notifications").send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;

    // The owner marks one read (twice: no change), then all.
    let read: NotificationDto = ok_json(
        tutor
            .post(&format!("/api/v1/me/notifications/{id}/read"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(read.read_at.is_some());
    let again: NotificationDto = ok_json(
        tutor
            .post(&format!("/api/v1/me/notifications/{id}/read"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(again.read_at, read.read_at);
    assert_eq!(notices(&tutor).await.unread, unread - 1);
    let all: MarkedRead = ok_json(
        tutor
            .post("/api/v1/me/notifications/read-all")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((all.marked, all.unread), (unread - 1, 0));
    // Paging.
    let one: NotificationPage = tutor
        .get_json("/api/v1/me/notifications?limit=1&offset=1")
        .await;
    assert_eq!((one.items.len(), one.limit, one.offset), (1, 1, 1));
    assert!(one.total >= 2);
    problem(
        tutor
            .get("/api/v1/me/notifications?limit=lots")
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[tokio::test]
async fn a_deactivated_tutor_gets_nothing_and_the_school_coordinator_is_asked_instead() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let coordinator = app.as_user("coordinator@iom.test").await;
    let tutor_id = fixtures::id_of(&app, "tutor@iom.test").await;
    user::Entity::update_many()
        .col_expr(user::Column::Active, Expr::value(false))
        .filter(user::Column::Id.eq(tutor_id))
        .exec(&app.db)
        .await
        .unwrap();
    let route = submitted_route(&app, &teacher).await;
    let to_tutor = notification::Entity::find()
        .filter(notification::Column::RecipientId.eq(tutor_id))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(to_tutor, 0);
    let asked = about(&coordinator, route.id).await;
    assert_eq!(asked.len(), 1);
    assert!(asked[0].needs_action);
}

/// Drains the queue as one instance's worker would.
async fn drain(
    db: sea_orm::DatabaseConnection,
    registry: api::jobs::Registry,
    name: &str,
) -> usize {
    let mut done = 0;
    while api::jobs::run_once(&db, &registry, name).await.unwrap() {
        done += 1;
    }
    done
}

#[tokio::test]
async fn two_instances_on_one_database_deliver_every_notice_once_and_a_rerun_repeats_nothing() {
    let app = TestApp::spawn().await;
    // A second server over the same database, as another instance in production.
    let mut settings = app.settings.clone();
    settings.demo = false;
    let other = api::Application::build(settings)
        .await
        .expect("the second instance starts");
    let other_db = other.db.clone();
    let handle = other.handle();
    tokio::spawn(other.run_until_stopped());

    let teacher = app.as_user("teacher@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let deputy = app.as_user("deputy@iom.test").await;
    let mut routes = Vec::new();
    for _ in 0..3 {
        let r = create(&teacher, "Проектная деятельность на уроках физики").await;
        let r = fill(&teacher, r).await;
        let r = step_ok(&teacher, &r, RouteAction::Submit, json!({})).await;
        let r = step_ok(&tutor, &r, RouteAction::TutorAgree, json!({})).await;
        routes.push(step_ok(&deputy, &r, RouteAction::Agree, json!({})).await);
    }
    // Both instances' workers drain the queue at once.
    let registry = api::jobs::Registry::standard(&app.settings);
    let (a, b) = tokio::join!(
        drain(app.db.clone(), registry.clone(), "instance-a"),
        drain(other_db.clone(), registry.clone(), "instance-b"),
    );
    assert!(a + b >= 9, "every event's job ran: {a} + {b}");
    let failed = job::Entity::find()
        .filter(job::Column::Kind.eq(api::services::events::NOTIFY))
        .filter(job::Column::State.ne("done"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(failed, 0);

    // Per route: tutor (submitted), teacher and deputy (tutor agreed), teacher and director
    // (agreed) — five notices, each once.
    let count = || async {
        notification::Entity::find()
            .filter(notification::Column::RouteId.is_in(routes.iter().map(|r| r.id)))
            .filter(notification::Column::Channel.eq("platform"))
            .count(&app.db)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 15);

    // A worker killed after writing, before marking its job done: the job is taken again when
    // its lease runs out, and repeats nothing.
    job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value("running"))
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(Some(api::db::now() - chrono::Duration::minutes(1))),
        )
        .filter(job::Column::Kind.eq(api::services::events::NOTIFY))
        .exec(&app.db)
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        drain(app.db.clone(), registry.clone(), "instance-a"),
        drain(other_db, registry, "instance-b"),
    );
    assert!(a + b >= 9);
    assert_eq!(count().await, 15);
    drop(handle.stop(false));
}

#[tokio::test]
async fn the_teachers_list_has_overdue_activities_an_ending_route_and_consent_requests() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let deputy = app.as_user("deputy@iom.test").await;
    let director = app.as_user("director@iom.test").await;
    let route = submitted_route(&app, &teacher).await;
    // Nothing of the teacher's own is due while the route is being agreed.
    assert!(tasks(&teacher).await.is_empty());
    let route = step_ok(&tutor, &route, RouteAction::TutorAgree, json!({})).await;
    let route = step_ok(&deputy, &route, RouteAction::Agree, json!({})).await;
    let route = step_ok(&director, &route, RouteAction::Approve, json!({})).await;

    // The course ended 16.10.2026 and is still planned: overdue (today is later in every run).
    let todo = tasks(&teacher).await;
    let overdue: Vec<&TodoItem> = todo
        .iter()
        .filter(|t| t.kind == TodoKind::OverdueActivity)
        .collect();
    assert_eq!(overdue.len(), 1, "{todo:?}");
    assert!(overdue[0].title.contains("16.10.2026"));
    assert_eq!(
        overdue[0].link,
        format!("/routes/{}?tab=activity", route.id)
    );
    assert!(
        todo.iter()
            .all(|t| t.kind != TodoKind::RouteEndingWithoutProduct)
    );

    // Ten days before its end, without a product on expertise, the route itself is a task.
    let end = (api::db::now() + chrono::Duration::days(10)).date_naive();
    api::db::entities::route::Entity::update_many()
        .col_expr(
            api::db::entities::route::Column::PeriodEnd,
            Expr::value(end),
        )
        .filter(api::db::entities::route::Column::Id.eq(route.id))
        .exec(&app.db)
        .await
        .unwrap();
    let todo = tasks(&teacher).await;
    let ending = todo
        .iter()
        .find(|t| t.kind == TodoKind::RouteEndingWithoutProduct)
        .expect("the ending route");
    assert!(ending.title.contains("через 10 дн."), "{}", ending.title);

    // A new tutor waits for consent.
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let new_tutor = fixtures::person(
        &app.db,
        "tutor2@iom.test",
        Role::Tutor,
        Some(app.demo.school),
    )
    .await;
    fixtures::assign(&app.db, AssignmentKind::Tutor, new_tutor, teacher_id, false).await;
    let todo = tasks(&teacher).await;
    assert!(
        todo.iter().any(|t| t.kind == TodoKind::AnswerConsent),
        "{todo:?}"
    );
    // Oldest first.
    assert!(todo.windows(2).all(|w| w[0].since <= w[1].since));
    // Others do not see the teacher's deadlines.
    assert!(
        tasks(&tutor)
            .await
            .iter()
            .all(|t| t.kind != TodoKind::OverdueActivity)
    );
}
