//! Retention: the region's periods, the run that anonymises expired routes (their certificates
//! still verify by number, without the name) and deletes expired files, results and access
//! records, and the report the regional manager reads.

use api::db::entities::{audit_log, diagnostic_result, route, route_file, sync_feed};
use chrono::{Duration, Utc};
use e2e::{TestApp, fixtures, ok_json, problem};
use reqwest::{Method, StatusCode};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use shared::dto::documents::{CertificateDto, CertificateVerification};
use shared::dto::*;
use shared::retention::RetentionTrigger;
use uuid::Uuid;

use crate::routes::send;

/// The route ended `days` ago (as if completed then).
async fn ended_days_ago(app: &TestApp, route: Uuid, days: i64) {
    route::Entity::update_many()
        .col_expr(
            route::Column::CompletedAt,
            Expr::value(Utc::now() - Duration::days(days)),
        )
        .filter(route::Column::Id.eq(route))
        .exec(&app.db)
        .await
        .unwrap();
}

async fn region_of_teacher(app: &TestApp) -> Uuid {
    let teacher = app.as_user("teacher@iom.test").await;
    let me: MeResponse = teacher.get_json("/api/v1/me").await;
    let school = me.person.workplace.expect("a workplace").id;
    api::db::units::path(
        &api::db::units::find(&app.db, school)
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap()
    .region
}

#[tokio::test]
async fn expired_files_then_the_expired_route_go_and_its_certificate_still_verifies_without_the_name()
 {
    let app = TestApp::spawn().await;
    let route = crate::documents::completed_with_evidence(&app, true).await;
    let region = region_of_teacher(&app).await;
    let teacher = app.as_user("teacher@iom.test").await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let certificates: Vec<CertificateDto> = teacher.get_json("/api/v1/me/certificates").await;
    let code = certificates[0].code.clone();
    let keys: Vec<String> = route_file::Entity::find()
        .filter(route_file::Column::RouteId.eq(route.id))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.storage_key)
        .collect();
    assert_eq!(keys.len(), 1);
    let stored = app.settings.files_dir.join(&keys[0]);
    assert!(stored.exists());
    // The tutor reads her route: an access record about her.
    let tutor = app.as_user("tutor@iom.test").await;
    let _: RouteDto = tutor
        .get_json(&format!("/api/v1/routes/{}", route.id))
        .await;
    app.flush_reads().await;
    let about_her = || {
        audit_log::Entity::find()
            .filter(audit_log::Column::SubjectId.eq(teacher_id))
            .count(&app.db)
    };
    let records = about_her().await.unwrap();
    assert!(records > 0);

    let manager = app.as_user("manager@iom.test").await;
    let path = format!("/api/v1/units/{region}/retention");
    // Never configured: the regulation's three years, and no date of change.
    let before: RetentionDto = manager.get_json(&path).await;
    assert_eq!(
        before.policy,
        shared::retention::RetentionPolicy::default().into()
    );
    assert!(before.updated_at.is_none());
    // Files are kept a year, the route three.
    let set: RetentionDto = ok_json(
        send(
            &manager,
            Method::PUT,
            &path,
            json!({ "routes_years": 3, "files_years": 1, "results_years": 3, "audit_years": 3 }),
        )
        .await,
    )
    .await;
    assert_eq!(set.policy.files_years, 1);
    assert!(set.updated_at.is_some());
    // The teacher reads how long her data is kept.
    let hers: RetentionDto = teacher.get_json(&path).await;
    assert_eq!(hers.policy, set.policy);

    let runs = format!("/api/v1/units/{region}/retention/runs");
    // Nothing has expired yet: the run says so and touches nothing.
    let run: RetentionRunDto = ok_json(send(&manager, Method::POST, &runs, json!({})).await).await;
    assert!(run.outcome.is_empty(), "{:?}", run.outcome);
    assert!(stored.exists());

    // Two years on, the file has expired, the route not.
    ended_days_ago(&app, route.id, 2 * 366).await;
    let run: RetentionRunDto = ok_json(send(&manager, Method::POST, &runs, json!({})).await).await;
    assert_eq!(
        run.outcome.get("route_files"),
        Some(&1),
        "{:?}",
        run.outcome
    );
    assert_eq!(run.outcome.get("routes_anonymised"), None);
    assert!(!stored.exists());
    let still: RouteDto = teacher
        .get_json(&format!("/api/v1/routes/{}", route.id))
        .await;
    assert!(still.activity.activities[0].files.is_empty());

    // Four years on, the route has expired too; so have her oldest result and access record.
    ended_days_ago(&app, route.id, 4 * 366).await;
    let old = Utc::now() - Duration::days(4 * 366);
    let result = diagnostic_result::Entity::find()
        .filter(diagnostic_result::Column::PersonId.eq(teacher_id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the demo teacher has diagnostic results");
    diagnostic_result::Entity::update_many()
        .col_expr(diagnostic_result::Column::CreatedAt, Expr::value(old))
        .filter(diagnostic_result::Column::Id.eq(result.id))
        .exec(&app.db)
        .await
        .unwrap();
    let record = audit_log::Entity::find()
        .filter(audit_log::Column::SubjectId.eq(teacher_id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    audit_log::Entity::update_many()
        .col_expr(audit_log::Column::OccurredAt, Expr::value(old))
        .filter(audit_log::Column::Id.eq(record.id))
        .exec(&app.db)
        .await
        .unwrap();

    // The night's run does it.
    let night = api::services::retention::run_region(
        &app.db,
        &app.settings.files_dir,
        region,
        RetentionTrigger::Schedule,
        None,
        api::db::now(),
    )
    .await
    .unwrap();
    let outcome: std::collections::BTreeMap<String, u64> =
        serde_json::from_str(&night.outcome).unwrap();
    assert_eq!(outcome.get("routes_anonymised"), Some(&1), "{outcome:?}");
    assert_eq!(outcome.get("certificates_anonymised"), Some(&1));
    assert_eq!(outcome.get("diagnostic_results"), Some(&1));
    assert_eq!(outcome.get("audit_entries"), Some(&1));
    assert_eq!(about_her().await.unwrap(), records - 1);

    // The route no longer names her: she does not find it, integrations get a tombstone.
    let res = teacher
        .get(&format!("/api/v1/routes/{}", route.id))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    let kept = route::Entity::find_by_id(route.id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("the route is kept for the region's statistics");
    assert_eq!(kept.teacher_id, api::services::erasure::PLACEHOLDER);
    assert_eq!(kept.profile_snapshot, "{}");
    let mine: Vec<CertificateDto> = teacher.get_json("/api/v1/me/certificates").await;
    assert!(mine.is_empty());
    let feed = sync_feed::Entity::find()
        .filter(sync_feed::Column::EntityId.eq(route.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(feed.deleted);
    // The certificate verifies by its number, without her name.
    let verified: CertificateVerification = ok_json(
        app.get(&format!("/api/v1/verify/{code}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(verified.valid);
    assert_eq!(verified.person_name, "Сведения о владельце удалены");
    assert_eq!(verified.number, certificates[0].number);

    // The manager's report: newest first, who started each run, what it did.
    let report: Vec<RetentionRunDto> = manager.get_json(&runs).await;
    assert_eq!(report.len(), 3);
    assert_eq!(report[0].trigger, RetentionTrigger::Schedule);
    assert_eq!(report[0].started_by, None);
    assert_eq!(report[0].outcome.get("routes_anonymised"), Some(&1));
    assert_eq!(report[1].trigger, RetentionTrigger::Manual);
    assert_eq!(
        report[1].started_by.as_deref(),
        Some("Волкова Татьяна Сергеевна")
    );
    assert_eq!(report[1].policy.files_years, 1);
    // A second night finds nothing left to do.
    let again = api::services::retention::run_region(
        &app.db,
        &app.settings.files_dir,
        region,
        RetentionTrigger::Schedule,
        None,
        api::db::now(),
    )
    .await
    .unwrap();
    assert_eq!(again.outcome, "{}");
}

#[tokio::test]
async fn only_the_regions_manager_sets_the_periods_or_runs_the_rules_and_nonsense_is_refused() {
    let app = TestApp::spawn().await;
    let region = region_of_teacher(&app).await;
    let path = format!("/api/v1/units/{region}/retention");
    let runs = format!("/api/v1/units/{region}/retention/runs");
    let body = json!({ "routes_years": 1, "files_years": 1, "results_years": 1, "audit_years": 1 });
    for email in [
        "teacher@iom.test",
        "coordinator@iom.test",
        "director@iom.test",
    ] {
        let user = app.as_user(email).await;
        let _: RetentionDto = user.get_json(&path).await;
        let res = send(&user, Method::PUT, &path, body.clone()).await;
        problem(res, StatusCode::FORBIDDEN).await;
        let res = user.get(&runs).send().await.unwrap();
        problem(res, StatusCode::FORBIDDEN).await;
        let res = send(&user, Method::POST, &runs, json!({})).await;
        problem(res, StatusCode::FORBIDDEN).await;
    }
    // Another region's manager cannot even see that this region exists.
    fixtures::other_region_manager(&app.db, "far.manager@iom.test").await;
    let far = app.as_user("far.manager@iom.test").await;
    for (method, p) in [
        (Method::GET, &path),
        (Method::PUT, &path),
        (Method::GET, &runs),
        (Method::POST, &runs),
    ] {
        let res = send(&far, method, p, body.clone()).await;
        problem(res, StatusCode::NOT_FOUND).await;
    }
    // A school is not a region.
    let manager = app.as_user("manager@iom.test").await;
    let res = manager
        .get(&format!("/api/v1/units/{}/retention", app.demo.school))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    // Files outliving their route, zero years, a century: refused with the field named.
    for (bad, field) in [
        (
            json!({ "routes_years": 2, "files_years": 5, "results_years": 3, "audit_years": 3 }),
            "files_years",
        ),
        (
            json!({ "routes_years": 0, "files_years": 0, "results_years": 3, "audit_years": 3 }),
            "routes_years",
        ),
        (
            json!({ "routes_years": 3, "files_years": 3, "results_years": 100, "audit_years": 3 }),
            "results_years",
        ),
    ] {
        let res = send(&manager, Method::PUT, &path, bad).await;
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(p.errors.contains_key(field), "{field}: {:?}", p.errors);
    }
    // Nothing was changed by any of it.
    let now: RetentionDto = manager.get_json(&path).await;
    assert!(now.updated_at.is_none());
}

#[tokio::test]
async fn finished_letters_jobs_deliveries_and_read_notices_are_pruned_after_their_periods() {
    use api::db::entities::{job, mail_message, notification};
    let app = TestApp::spawn().await;
    // A route walked to its end leaves letters, notices and finished jobs behind.
    crate::documents::completed(&app).await;
    app.run_jobs().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let res = send(
        &teacher,
        Method::POST,
        "/api/v1/me/notifications/read-all",
        json!({}),
    )
    .await;
    assert!(res.status().is_success(), "{}", res.status());
    let count = |t: &'static str| {
        let db = app.db.clone();
        async move {
            match t {
                "letters" => mail_message::Entity::find().count(&db).await.unwrap(),
                "jobs" => job::Entity::find()
                    .filter(job::Column::State.eq(api::db::jobs::DONE))
                    .count(&db)
                    .await
                    .unwrap(),
                "read" => notification::Entity::find()
                    .filter(notification::Column::ReadAt.is_not_null())
                    .count(&db)
                    .await
                    .unwrap(),
                _ => notification::Entity::find()
                    .filter(notification::Column::ReadAt.is_null())
                    .count(&db)
                    .await
                    .unwrap(),
            }
        }
    };
    let (letters, jobs, read, unread) = (
        count("letters").await,
        count("jobs").await,
        count("read").await,
        count("unread").await,
    );
    assert!(
        letters > 0 && jobs > 0 && read > 0 && unread > 0,
        "{letters} {jobs} {read} {unread}"
    );

    // Just inside their periods: all kept.
    let days = |n: i64| Utc::now() - Duration::days(n);
    let age = |letters: i64, jobs: i64, notices: i64| {
        let db = app.db.clone();
        async move {
            mail_message::Entity::update_many()
                .col_expr(mail_message::Column::UpdatedAt, Expr::value(days(letters)))
                .exec(&db)
                .await
                .unwrap();
            job::Entity::update_many()
                .col_expr(job::Column::UpdatedAt, Expr::value(days(jobs)))
                .filter(job::Column::State.eq(api::db::jobs::DONE))
                .exec(&db)
                .await
                .unwrap();
            notification::Entity::update_many()
                .col_expr(notification::Column::ReadAt, Expr::value(days(notices)))
                .filter(notification::Column::ReadAt.is_not_null())
                .exec(&db)
                .await
                .unwrap();
            notification::Entity::update_many()
                .col_expr(notification::Column::CreatedAt, Expr::value(days(notices)))
                .exec(&db)
                .await
                .unwrap();
        }
    };
    age(
        api::jobs::LETTERS_DAYS - 1,
        api::jobs::FINISHED_JOBS_DAYS - 1,
        api::jobs::READ_NOTICES_DAYS - 1,
    )
    .await;
    housekeeping(&app).await;
    assert_eq!(count("letters").await, letters);
    assert!(count("jobs").await >= jobs);
    assert_eq!(count("read").await, read);

    // Past them: gone, except what still waits for the person.
    age(
        api::jobs::LETTERS_DAYS + 1,
        api::jobs::FINISHED_JOBS_DAYS + 1,
        api::jobs::READ_NOTICES_DAYS + 1,
    )
    .await;
    housekeeping(&app).await;
    assert_eq!(count("letters").await, 0);
    // Only the housekeeping job just finished is left.
    assert_eq!(count("jobs").await, 1);
    assert_eq!(count("read").await, 0);
    assert_eq!(count("unread").await, unread);
}

async fn housekeeping(app: &TestApp) {
    api::db::jobs::enqueue(
        &app.db,
        api::jobs::HOUSEKEEPING,
        &json!({}),
        api::db::now(),
        1,
    )
    .await
    .unwrap();
    app.run_jobs().await;
}
