//! Attestation clocks: computed from the profile's category date and the training the platform
//! already knows; the teacher and the school coordinator are told once, 90 days ahead; managers
//! list who is due.

use api::db::entities::user;
use api::services::reminders;
use chrono::{Duration, Months, NaiveDate};
use e2e::{TestApp, fixtures, problem};
use reqwest::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use shared::Role;
use shared::attestation::{ClockState, TrainingSource};
use shared::dto::*;
use shared::events::EventKind;

/// Gives the demo teacher a category that runs out `days` from today.
async fn category_ends_in(app: &TestApp, days: i64) -> NaiveDate {
    let today = api::db::now().date_naive();
    let until = today + Duration::days(days);
    let given = until.checked_sub_months(Months::new(60)).unwrap();
    user::Entity::update_many()
        .col_expr(user::Column::QualificationDate, Expr::value(given))
        .filter(user::Column::Email.eq("teacher@iom.test"))
        .exec(&app.db)
        .await
        .unwrap();
    until
}

#[tokio::test]
async fn a_teacher_due_in_ninety_days_and_her_coordinator_are_told_once_and_managers_list_her() {
    let app = TestApp::spawn().await;
    // Her completed route holds a 36-hour course done in October 2026.
    crate::documents::completed(&app).await;
    let until = category_ends_in(&app, 90).await;
    let teacher = app.as_user("teacher@iom.test").await;
    let mine: AttestationDto = teacher.get_json("/api/v1/me/attestation").await;
    assert_eq!(mine.category.as_deref(), Some("Первая"));
    assert_eq!(mine.category_until, Some(until));
    assert_eq!(mine.days_left, Some(90));
    assert_eq!(mine.state, ClockState::Soon);
    let course = mine
        .trainings
        .iter()
        .find(|t| t.source == TrainingSource::Route && t.hours == 36.0)
        .expect("the route's course");
    assert!(course.counts);
    assert_eq!(mine.last_training_on, Some(course.finished_on));
    assert!(mine.hours_in_period >= 36.0);
    assert!(
        mine.training_due_on > until,
        "her training outlives the category"
    );

    // The daily scan tells her and her school's coordinator, once.
    let today = api::db::now().date_naive();
    let report = reminders::scan(&app.db, today).await.unwrap();
    assert_eq!(report.attestation, 1);
    let again = reminders::scan(&app.db, today + Duration::days(1))
        .await
        .unwrap();
    assert_eq!(again.attestation, 0);
    app.run_jobs().await;
    let told = |page: NotificationPage| -> Vec<NotificationDto> {
        page.items
            .into_iter()
            .filter(|n| n.kind == EventKind::AttestationDue)
            .collect()
    };
    let hers = told(teacher.get_json("/api/v1/me/notifications?limit=100").await);
    assert_eq!(hers.len(), 1, "{hers:#?}");
    assert!(
        hers[0].text.contains("90 дн.")
            && hers[0].text.contains(&until.format("%d.%m.%Y").to_string())
    );
    assert!(hers[0].text.contains("учтено"), "{}", hers[0].text);
    let coordinator = app.as_user("coordinator@iom.test").await;
    let theirs = told(
        coordinator
            .get_json("/api/v1/me/notifications?limit=100")
            .await,
    );
    assert_eq!(theirs.len(), 1, "{theirs:#?}");
    assert!(
        theirs[0].text.starts_with("Иванова М. П."),
        "{}",
        theirs[0].text
    );
    // The director of the school is not told (the coordinator is the school's contact).
    let director = app.as_user("director@iom.test").await;
    assert!(
        told(
            director
                .get_json("/api/v1/me/notifications?limit=100")
                .await
        )
        .is_empty()
    );

    // Managers list who is due: within 90 days she is, within 30 she is not.
    let school = app.demo.school;
    let listed: Vec<AttestationDto> = coordinator
        .get_json(&format!("/api/v1/units/{school}/attestation"))
        .await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].full_name, "Иванова Мария Петровна");
    let manager = app.as_user("manager@iom.test").await;
    let region: Vec<AttestationDto> = manager
        .get_json(&format!(
            "/api/v1/units/{}/attestation?within_days=120",
            app.demo.region
        ))
        .await;
    assert!(region.iter().any(|d| d.person_id == mine.person_id));
    let soon: Vec<AttestationDto> = manager
        .get_json(&format!(
            "/api/v1/units/{}/attestation?within_days=30",
            app.demo.region
        ))
        .await;
    assert!(soon.iter().all(|d| d.person_id != mine.person_id));
    // Nonsense and strangers.
    for bad in ["0", "731", "abc"] {
        let res = manager
            .get(&format!(
                "/api/v1/units/{school}/attestation?within_days={bad}"
            ))
            .send()
            .await
            .unwrap();
        problem(res, StatusCode::BAD_REQUEST).await;
    }
    fixtures::other_region_manager(&app.db, "far.manager@iom.test").await;
    let far = app.as_user("far.manager@iom.test").await;
    let res = far
        .get(&format!("/api/v1/units/{school}/attestation"))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    // Another school's coordinator in the same region sees nobody of this school.
    fixtures::person(
        &app.db,
        "other.coordinator@iom.test",
        Role::SchoolCoordinator,
        Some(app.demo.school_2),
    )
    .await;
    let other = app.as_user("other.coordinator@iom.test").await;
    let none: Vec<AttestationDto> = other
        .get_json(&format!("/api/v1/units/{school}/attestation"))
        .await;
    assert!(none.is_empty(), "{none:#?}");
}

#[tokio::test]
async fn without_training_in_three_years_the_clock_is_overdue_and_her_school_lists_her_early() {
    let app = TestApp::spawn().await;
    let id = fixtures::person(
        &app.db,
        "new.teacher@iom.test",
        Role::Teacher,
        Some(app.demo.school),
    )
    .await;
    let today = api::db::now().date_naive();
    let given = (today + Duration::days(400))
        .checked_sub_months(Months::new(60))
        .unwrap();
    user::Entity::update_many()
        .col_expr(user::Column::QualificationDate, Expr::value(given))
        .col_expr(user::Column::QualificationCategory, Expr::value("Высшая"))
        .filter(user::Column::Id.eq(id))
        .exec(&app.db)
        .await
        .unwrap();
    let teacher = app.as_user("new.teacher@iom.test").await;
    let mine: AttestationDto = teacher.get_json("/api/v1/me/attestation").await;
    assert_eq!(mine.days_left, Some(400));
    assert!(mine.trainings.is_empty());
    assert_eq!(mine.last_training_on, None);
    assert_eq!(mine.training_due_on, today);
    assert_eq!(mine.state, ClockState::Overdue);
    // Her school's list names her although her category has more than a year to run.
    let coordinator = app.as_user("coordinator@iom.test").await;
    let listed: Vec<AttestationDto> = coordinator
        .get_json(&format!("/api/v1/units/{}/attestation", app.demo.school))
        .await;
    assert!(listed.iter().any(|d| d.person_id == id), "{listed:#?}");
    // The daily scan is not about training: nobody is told of her category yet.
    let report = reminders::scan(&app.db, today).await.unwrap();
    assert_eq!(report.attestation, 0);
}
