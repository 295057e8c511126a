//! Reminders and escalation: the daily scan, run for a day the test chooses (no sleeps, no
//! clock of the process touched), records each fact once; the notices go to whom the policy
//! says; the coordinators' to-do lists show routes that wait too long.

use chrono::{Duration, NaiveDate};
use e2e::{TestApp, User, ok_json, problem};
use reqwest::{Method, StatusCode};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use shared::dto::*;
use shared::events::{EventKind, TodoKind};
use shared::workflow::RouteAction;
use uuid::Uuid;

use crate::routes::{create, fill, send, step_ok};

use api::db::entities::{mail_message, route_transition};
use api::services::reminders::{self, ScanReport};
use api::services::summaries;
use shared::events::WeeklySummary;

const COURSE: &str = "КПК «Функциональная грамотность: математическая грамотность»";

async fn notices_of(user: &User<'_>, route: Uuid, kind: EventKind) -> Vec<NotificationDto> {
    user.get_json::<NotificationPage>("/api/v1/me/notifications?limit=100")
        .await
        .items
        .into_iter()
        .filter(|n| n.route_id == Some(route) && n.kind == kind)
        .collect()
}

async fn scan(app: &TestApp, today: NaiveDate) -> ScanReport {
    let report = reminders::scan(&app.db, today).await.expect("the scan");
    app.run_jobs().await;
    report
}

/// An approved route of the demo teacher: its course ends 16.10.2026 and is still planned.
async fn approved_route(app: &TestApp) -> RouteDto {
    let teacher = app.as_user("teacher@iom.test").await;
    let route = create(&teacher, "Смысловое чтение на уроках истории").await;
    let route = fill(&teacher, route).await;
    let route = step_ok(&teacher, &route, RouteAction::Submit, json!({})).await;
    let tutor = app.as_user("tutor@iom.test").await;
    let route = step_ok(&tutor, &route, RouteAction::TutorAgree, json!({})).await;
    let deputy = app.as_user("deputy@iom.test").await;
    let route = step_ok(&deputy, &route, RouteAction::Agree, json!({})).await;
    let director = app.as_user("director@iom.test").await;
    let route = step_ok(&director, &route, RouteAction::Approve, json!({})).await;
    app.run_jobs().await;
    route
}

#[tokio::test]
async fn the_scan_reminds_before_an_activitys_end_then_tells_it_is_overdue_each_once() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let route = approved_route(&app).await;
    let course = route
        .activity
        .activities
        .iter()
        .find(|a| a.name == COURSE)
        .expect("the course");
    let end = course.end_date.expect("its end");

    // Four days before: the region reminds three days ahead, so nothing yet.
    scan(&app, end - Duration::days(4)).await;
    assert!(
        notices_of(&teacher, route.id, EventKind::ActivityDueSoon)
            .await
            .is_empty()
    );

    // Two days before: the teacher is reminded, naming the activity, the date and the days.
    let report = scan(&app, end - Duration::days(2)).await;
    assert!(report.due_soon >= 1, "{report:?}");
    let soon = notices_of(&teacher, route.id, EventKind::ActivityDueSoon).await;
    assert_eq!(soon.len(), 1, "{soon:?}");
    assert!(
        soon[0].text.contains(COURSE)
            && soon[0].text.contains("16.10.2026")
            && soon[0].text.contains("через 2 дн."),
        "{}",
        soon[0].text
    );
    // The tutor is not bothered with the teacher's upcoming deadlines.
    assert!(
        notices_of(&tutor, route.id, EventKind::ActivityDueSoon)
            .await
            .is_empty()
    );

    // The same day again, and the next day: nothing repeated.
    let again = scan(&app, end - Duration::days(2)).await;
    assert_eq!(again.due_soon, 0, "{again:?}");
    scan(&app, end - Duration::days(1)).await;
    assert_eq!(
        notices_of(&teacher, route.id, EventKind::ActivityDueSoon)
            .await
            .len(),
        1
    );

    // The day after its end, still planned: overdue, told to the teacher and the tutor.
    scan(&app, end + Duration::days(1)).await;
    let overdue = notices_of(&teacher, route.id, EventKind::ActivityOverdue).await;
    assert_eq!(overdue.len(), 1);
    assert!(overdue[0].text.starts_with("Просрочено мероприятие"));
    let told = notices_of(&tutor, route.id, EventKind::ActivityOverdue).await;
    assert_eq!(told.len(), 1);
    assert!(
        told[0].text.contains("У педагога Иванова"),
        "{}",
        told[0].text
    );
    scan(&app, end + Duration::days(2)).await;
    assert_eq!(
        notices_of(&tutor, route.id, EventKind::ActivityOverdue)
            .await
            .len(),
        1
    );

    // Reminders come by e-mail by default: one letter per notice, none repeated.
    let teacher_id = e2e::fixtures::id_of(&app, "teacher@iom.test").await;
    let letters = mail_message::Entity::find()
        .filter(mail_message::Column::UserId.eq(teacher_id))
        .filter(mail_message::Column::Subject.contains("Напоминание о сроке"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(letters, 2);

    // A week after its end, an overdue activity is not rediscovered daily.
    let late = scan(&app, end + Duration::days(9)).await;
    assert_eq!(late.overdue, 0, "{late:?}");
}

#[tokio::test]
async fn the_daily_job_takes_its_day_from_the_payload() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let route = approved_route(&app).await;
    api::db::jobs::enqueue(
        &app.db,
        reminders::SCAN,
        &json!({ "today": "2026-10-15" }),
        api::db::now(),
        3,
    )
    .await
    .unwrap();
    app.run_jobs().await;
    let soon = notices_of(&teacher, route.id, EventKind::ActivityDueSoon).await;
    assert_eq!(soon.len(), 1, "{soon:?}");
    assert!(soon[0].text.contains("завтра"), "{}", soon[0].text);
}

/// Moves the route's entry into its present status `days` back.
async fn waited(app: &TestApp, route: Uuid, days: i64) {
    route_transition::Entity::update_many()
        .col_expr(
            route_transition::Column::At,
            Expr::value(api::db::now() - Duration::days(days)),
        )
        .filter(route_transition::Column::RouteId.eq(route))
        .exec(&app.db)
        .await
        .unwrap();
}

async fn tasks(user: &User<'_>) -> Vec<TodoItem> {
    user.get_json::<TodoList>("/api/v1/me/tasks").await.items
}

#[tokio::test]
async fn a_route_waiting_too_long_goes_to_the_school_coordinator_then_to_the_municipality() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let coordinator = app.as_user("coordinator@iom.test").await;
    let municipal = app.as_user("municipal@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let route = create(&teacher, "Смысловое чтение на уроках истории").await;
    let route = fill(&teacher, route).await;
    let route = step_ok(&teacher, &route, RouteAction::Submit, json!({})).await;
    app.run_jobs().await;
    let today = api::db::now().date_naive();

    // Six days of waiting for the tutor: nobody else is told.
    scan(&app, today + Duration::days(6)).await;
    assert!(
        notices_of(&coordinator, route.id, EventKind::RouteStalled)
            .await
            .is_empty()
    );
    // A week: the school coordinator is asked to help, once.
    scan(&app, today + Duration::days(7)).await;
    scan(&app, today + Duration::days(8)).await;
    let stalled = notices_of(&coordinator, route.id, EventKind::RouteStalled).await;
    assert_eq!(stalled.len(), 1, "{stalled:?}");
    assert!(stalled[0].needs_action);
    assert!(
        stalled[0]
            .text
            .contains("ждёт согласования тьютора уже 7 дн."),
        "{}",
        stalled[0].text
    );
    assert!(
        notices_of(&municipal, route.id, EventKind::RouteEscalated)
            .await
            .is_empty()
    );
    // Twice as long: the municipal coordinator; the school coordinator is not told again.
    scan(&app, today + Duration::days(14)).await;
    scan(&app, today + Duration::days(20)).await;
    let escalated = notices_of(&municipal, route.id, EventKind::RouteEscalated).await;
    assert_eq!(escalated.len(), 1, "{escalated:?}");
    assert!(escalated[0].text.contains("уже 14 дн."));
    assert_eq!(
        notices_of(&coordinator, route.id, EventKind::RouteStalled)
            .await
            .len(),
        1
    );
    // Neither the teacher nor the tutor gets escalation notices.
    for who in [&teacher, &tutor] {
        assert!(
            notices_of(who, route.id, EventKind::RouteStalled)
                .await
                .is_empty()
        );
    }

    // The to-do lists, by how long the route has really waited.
    waited(&app, route.id, 10).await;
    let todo = tasks(&coordinator).await;
    let item = todo
        .iter()
        .find(|t| t.route_id == Some(route.id))
        .expect("the route in the coordinator's list");
    assert_eq!(item.kind, TodoKind::StalledRoute);
    assert!(item.title.contains("уже 10 дн."), "{}", item.title);
    assert!(
        tasks(&municipal)
            .await
            .iter()
            .all(|t| t.route_id != Some(route.id))
    );
    // The tutor's own step stays the tutor's task.
    assert!(
        tasks(&tutor)
            .await
            .iter()
            .any(|t| t.route_id == Some(route.id) && t.kind == TodoKind::AgreeRoute)
    );
    waited(&app, route.id, 15).await;
    assert!(
        tasks(&municipal)
            .await
            .iter()
            .any(|t| t.route_id == Some(route.id) && t.kind == TodoKind::StalledRoute)
    );

    // A region that turns escalation off: the lists and the scan leave waiting routes be.
    let manager = app.as_user("manager@iom.test").await;
    let path = format!("/api/v1/units/{}/policy", app.demo.region);
    let policy: RegionPolicyDto = ok_json(
        send(
            &manager,
            Method::PUT,
            &path,
            json!({ "max_route_months": 12, "max_extension_months": 6,
                    "remind_before_days": 3, "escalate_after_days": 0 }),
        )
        .await,
    )
    .await;
    assert_eq!(policy.escalate_after_days, 0);
    assert!(
        tasks(&coordinator)
            .await
            .iter()
            .all(|t| t.kind != TodoKind::StalledRoute)
    );
    let report = scan(&app, today + Duration::days(60)).await;
    assert_eq!((report.stalled, report.escalated), (0, 0), "{report:?}");
}

#[tokio::test]
async fn the_reminder_policy_is_the_regions_and_is_checked() {
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let path = format!("/api/v1/units/{}/policy", app.demo.region);
    // The defaults, until the region chooses.
    let policy: RegionPolicyDto = manager.get_json(&path).await;
    assert_eq!(
        (policy.remind_before_days, policy.escalate_after_days),
        (3, 7)
    );
    // Out of range: a clear error per field, nothing changed.
    let p = problem(
        send(
            &manager,
            Method::PUT,
            &path,
            json!({ "max_route_months": 12, "max_extension_months": 6,
                    "remind_before_days": 31, "escalate_after_days": -1 }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p.errors["remind_before_days"][0].contains("30"));
    assert!(p.errors["escalate_after_days"][0].contains("90"));
    let policy: RegionPolicyDto = manager.get_json(&path).await;
    assert_eq!(policy.remind_before_days, 3);
    // A client that does not know the new fields keeps working with the defaults.
    let policy: RegionPolicyDto = ok_json(
        send(
            &manager,
            Method::PUT,
            &path,
            json!({ "max_route_months": 24, "max_extension_months": 6 }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (policy.max_route_months, policy.escalate_after_days),
        (24, 7)
    );
    // The school coordinator, whose queue escalation fills, cannot turn it off.
    let coordinator = app.as_user("coordinator@iom.test").await;
    let res = send(
        &coordinator,
        Method::PUT,
        &path,
        json!({ "max_route_months": 12, "max_extension_months": 6,
                "remind_before_days": 3, "escalate_after_days": 0 }),
    )
    .await;
    assert!(
        res.status() == StatusCode::FORBIDDEN || res.status() == StatusCode::NOT_FOUND,
        "{}",
        res.status()
    );
    let policy: RegionPolicyDto = manager.get_json(&path).await;
    assert_eq!(policy.escalate_after_days, 7);
}

async fn summary_of(app: &TestApp, email: &str, today: NaiveDate) -> WeeklySummary {
    let id = e2e::fixtures::id_of(app, email).await;
    let person = api::db::users::find_many(&app.db, &[id])
        .await
        .unwrap()
        .remove(0);
    let p = api::auth::principal::load(&app.db, person).await.unwrap();
    summaries::summary_for(&app.db, &p, today).await.unwrap()
}

#[tokio::test]
async fn the_weekly_summary_counts_the_coordinators_own_units_and_comes_once() {
    let app = TestApp::spawn().await;
    let today = api::db::now().date_naive() + Duration::days(1);
    // Another school's coordinator: nothing of the demo school may reach their summary.
    e2e::fixtures::person(
        &app.db,
        "coordinator2@iom.test",
        shared::Role::SchoolCoordinator,
        Some(app.demo.school_2),
    )
    .await;
    let before = summary_of(&app, "coordinator@iom.test", today).await;
    let other_before = summary_of(&app, "coordinator2@iom.test", today).await;

    let teacher = app.as_user("teacher@iom.test").await;
    let route = create(&teacher, "Смысловое чтение на уроках истории").await;
    let route = fill(&teacher, route).await;
    step_ok(&teacher, &route, RouteAction::Submit, json!({})).await;
    app.run_jobs().await;

    let after = summary_of(&app, "coordinator@iom.test", today).await;
    assert_eq!(after.submitted, before.submitted + 1, "{after:?}");
    assert_eq!(after.waiting, before.waiting + 1, "{after:?}");
    assert_eq!(
        summary_of(&app, "coordinator2@iom.test", today).await,
        other_before
    );
    let municipal = summary_of(&app, "municipal@iom.test", today).await;
    assert!(municipal.submitted >= 1 && municipal.waiting >= after.waiting);
    // The week is the seven days before the summary's day: a week later it has left.
    let later = summary_of(&app, "coordinator@iom.test", today + Duration::days(7)).await;
    assert_eq!(later.submitted, before.submitted, "{later:?}");

    // The job: the coordinator gets the summary's text, once; teachers get none.
    let first = summaries::weekly(&app.db, today).await.unwrap();
    assert!(first >= 2, "{first}");
    assert_eq!(summaries::weekly(&app.db, today).await.unwrap(), 0);
    app.run_jobs().await;
    let coordinator = app.as_user("coordinator@iom.test").await;
    let page: NotificationPage = coordinator
        .get_json("/api/v1/me/notifications?limit=100")
        .await;
    let got: Vec<&NotificationDto> = page
        .items
        .iter()
        .filter(|n| n.kind == EventKind::SummaryWeekly)
        .collect();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].text, after.text());
    let page: NotificationPage = teacher.get_json("/api/v1/me/notifications?limit=100").await;
    assert!(
        page.items
            .iter()
            .all(|n| n.kind != EventKind::SummaryWeekly)
    );
    // By e-mail by default, with a subject of its own.
    let id = e2e::fixtures::id_of(&app, "coordinator@iom.test").await;
    let letters = mail_message::Entity::find()
        .filter(mail_message::Column::UserId.eq(id))
        .filter(mail_message::Column::Subject.eq("ИОМ: Сводка по маршрутам за неделю"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(letters, 1);
}
