//! Erasure of a person's data: asked by the person, decided by the regional manager, and
//! afterwards no table and no stored file holds their e-mail, name or id — except the
//! integration feeds' tombstones, which exist to carry the id — while their certificate still
//! verifies by its number.

use e2e::{Backend, TestApp, backend, fixtures, ok_json, problem};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;
use shared::dto::documents::{CertificateDto, CertificateVerification};
use shared::dto::*;

use crate::routes::send;

/// Every table's rows as text, one string per row (SQLite: each column as text and as hex, so
/// ids stored as bytes are found too).
async fn every_row(app: &TestApp) -> Vec<(String, String)> {
    let db = &app.db;
    let mut out = Vec::new();
    match backend() {
        Backend::Postgres => {
            let tables = db
                .query_all_raw(Statement::from_string(
                    DbBackend::Postgres,
                    "SELECT table_name::text AS t FROM information_schema.tables \
                     WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
                ))
                .await
                .unwrap();
            for t in tables {
                let table: String = t.try_get("", "t").unwrap();
                let rows = db
                    .query_all_raw(Statement::from_string(
                        DbBackend::Postgres,
                        format!("SELECT x::text AS r FROM \"{table}\" x"),
                    ))
                    .await
                    .unwrap();
                for r in rows {
                    out.push((table.clone(), r.try_get::<String>("", "r").unwrap()));
                }
            }
        }
        Backend::Sqlite => {
            let tables = db
                .query_all_raw(Statement::from_string(
                    DbBackend::Sqlite,
                    "SELECT name AS t FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite_%'",
                ))
                .await
                .unwrap();
            for t in tables {
                let table: String = t.try_get("", "t").unwrap();
                let columns: Vec<String> = db
                    .query_all_raw(Statement::from_string(
                        DbBackend::Sqlite,
                        format!("SELECT name FROM pragma_table_info('{table}')"),
                    ))
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|c| c.try_get::<String>("", "name").unwrap())
                    .collect();
                let parts: Vec<String> = columns
                    .iter()
                    .map(|c| format!("coalesce(CASE WHEN typeof(\"{c}\") = 'blob' THEN hex(\"{c}\") ELSE CAST(\"{c}\" AS TEXT) END, '')"))
                    .collect();
                let sql = format!(
                    "SELECT {} AS r FROM \"{table}\"",
                    parts.join(" || ' | ' || ")
                );
                for r in db
                    .query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
                    .await
                    .unwrap()
                {
                    out.push((table.clone(), r.try_get::<String>("", "r").unwrap()));
                }
            }
        }
    }
    out
}

/// The rows that mention the person by any of `needles` (case-insensitively).
fn mentions(rows: &[(String, String)], needles: &[String]) -> Vec<(String, String)> {
    rows.iter()
        .filter(|(_, text)| {
            let text = text.to_lowercase();
            needles.iter().any(|n| text.contains(&n.to_lowercase()))
        })
        .cloned()
        .collect()
}

#[tokio::test]
async fn an_erased_teacher_leaves_no_personal_field_or_file_behind_and_their_certificate_still_verifies()
 {
    let app = TestApp::spawn().await;
    let route = crate::documents::completed(&app).await;
    let teacher = app.as_user("teacher@iom.test").await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let me: MeResponse = teacher.get_json("/api/v1/me").await;
    let certificates: Vec<CertificateDto> = teacher.get_json("/api/v1/me/certificates").await;
    let code = certificates[0].code.clone();
    // A draft route of hers, a comment by the tutor, a paper consent with its scan.
    crate::routes::create(&teacher, "Черновик маршрута").await;
    let tutor = app.as_user("tutor@iom.test").await;
    send(
        &tutor,
        Method::POST,
        &format!("/api/v1/routes/{}/comments", route.id),
        json!({ "text": "Отличная работа, Мария Петровна!" }),
    )
    .await;
    let coordinator = app.as_user("coordinator@iom.test").await;
    let consents: ConsentsDto = teacher.get_json("/api/v1/me/consents").await;
    let record: ConsentRecordDto = ok_json(
        send(
            &coordinator,
            Method::POST,
            &format!("/api/v1/people/{teacher_id}/consents"),
            json!({ "purpose_id": consents.items[0].purpose.id, "given": true, "signed_on": chrono::Utc::now().date_naive() }),
        )
        .await,
    )
    .await;
    let scan: ConsentRecordDto = ok_json(
        coordinator
            .post(&format!(
                "/api/v1/people/{teacher_id}/consents/{}/scan",
                record.id
            ))
            .header("content-type", "application/pdf")
            .body(b"%PDF-1.4 scan".to_vec())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(scan.has_scan);
    // A mistyped password leaves a counter keyed by her address.
    let res = app
        .login_response("teacher@iom.test", "not-her-password")
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // And an export of her data, its archive in the file store.
    let res = send(&teacher, Method::POST, "/api/v1/me/export", json!({})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    app.run_jobs().await;
    let files_before: Vec<String> = std::fs::read_dir(&app.settings.files_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!files_before.is_empty());
    app.flush_reads().await;

    // She asks; asking twice is refused while the first waits.
    let res = send(
        &teacher,
        Method::POST,
        "/api/v1/me/erasure-requests",
        json!({ "reason": "Перехожу в другой регион" }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let request: ErasureRequestDto = ok_json(res).await;
    assert_eq!(request.status, ErasureStatus::Pending);
    let again = send(
        &teacher,
        Method::POST,
        "/api/v1/me/erasure-requests",
        json!({}),
    )
    .await;
    assert_eq!(
        problem(again, StatusCode::CONFLICT).await.code,
        "erasure_pending"
    );

    // Nobody but the region's manager decides: not she, not her coordinator, not a manager of
    // another region.
    let execute = format!("/api/v1/erasure-requests/{}/execute", request.id);
    let res = send(&teacher, Method::POST, &execute, json!({})).await;
    problem(res, StatusCode::NOT_FOUND).await;
    let res = send(&coordinator, Method::POST, &execute, json!({})).await;
    problem(res, StatusCode::NOT_FOUND).await;
    let res = coordinator
        .get("/api/v1/erasure-requests")
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::FORBIDDEN).await;
    fixtures::other_region_manager(&app.db, "far.manager@iom.test").await;
    let far = app.as_user("far.manager@iom.test").await;
    let theirs: Vec<ErasureRequestDto> = far.get_json("/api/v1/erasure-requests").await;
    assert!(theirs.is_empty());
    let res = send(&far, Method::POST, &execute, json!({})).await;
    problem(res, StatusCode::NOT_FOUND).await;

    let needles = vec![
        me.person.email.clone(),
        "Иванова Мария".to_owned(),
        "Мария Петровна".to_owned(),
        teacher_id.to_string(),
        teacher_id.simple().to_string(),
    ];
    // The scan finds her everywhere before.
    let before = mentions(&every_row(&app).await, &needles);
    let tables: std::collections::HashSet<&str> = before.iter().map(|(t, _)| t.as_str()).collect();
    assert!(tables.len() > 10, "{tables:?}");

    let manager = app.as_user("manager@iom.test").await;
    let listed: Vec<ErasureRequestDto> = manager.get_json("/api/v1/erasure-requests").await;
    assert_eq!(
        listed[0].subject_name.as_deref(),
        Some("Иванова Мария Петровна")
    );
    let done: ErasureRequestDto =
        ok_json(send(&manager, Method::POST, &execute, json!({})).await).await;
    assert_eq!(done.status, ErasureStatus::Executed);
    assert_eq!((done.subject_id, done.subject_name.clone()), (None, None));
    let outcome = done.outcome.clone().unwrap();
    assert_eq!(outcome.get("routes"), Some(&1), "{outcome:?}");
    assert_eq!(outcome.get("certificates_anonymised"), Some(&1));
    assert_eq!(outcome.get("sign_in_counters"), Some(&1), "{outcome:?}");
    let res = send(&manager, Method::POST, &execute, json!({})).await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "erasure_decided"
    );

    // No table holds her e-mail, name or id; the feeds' tombstones are the one exception.
    let rows = every_row(&app).await;
    assert!(rows.len() > 100, "the scan reads the database");
    let left: Vec<_> = mentions(&rows, &needles)
        .into_iter()
        .filter(|(table, _)| table != "sync_feed")
        .collect();
    assert!(left.is_empty(), "left behind: {left:#?}");
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let feed = api::db::entities::sync_feed::Entity::find()
        .filter(api::db::entities::sync_feed::Column::EntityId.eq(teacher_id))
        .all(&app.db)
        .await
        .unwrap();
    assert!(
        !feed.is_empty() && feed.iter().all(|r| r.deleted),
        "{feed:#?}"
    );
    // No stored file of hers is left.
    let files_after: Vec<String> = std::fs::read_dir(&app.settings.files_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files_before.iter().all(|f| !files_after.contains(f)),
        "{files_after:?}"
    );

    // The certificate still verifies by its number, without her name.
    let verified: CertificateVerification = ok_json(
        app.get(&format!("/api/v1/verify/{code}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(verified.valid);
    assert_eq!(verified.person_name, "Сведения о владельце удалены");
    // She cannot sign in; the tutor's comment on her route went with it.
    let res = app.login_response("teacher@iom.test", "demo12345").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_refused_request_tells_the_person_why_and_erases_nothing() {
    let app = TestApp::spawn().await;
    let coordinator = app.as_user("coordinator@iom.test").await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let director = fixtures::id_of(&app, "director@iom.test").await;
    // A coordinator asks for a teacher of the school, not for the director above them.
    let res = send(
        &coordinator,
        Method::POST,
        &format!("/api/v1/people/{director}/erasure-requests"),
        json!({}),
    )
    .await;
    problem(res, StatusCode::FORBIDDEN).await;
    let res = send(
        &coordinator,
        Method::POST,
        &format!("/api/v1/people/{teacher_id}/erasure-requests"),
        json!({ "reason": "Заявление педагога от 01.12.2026" }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let request: ErasureRequestDto = ok_json(res).await;
    assert!(!request.by_subject);
    let manager = app.as_user("manager@iom.test").await;
    let reject = format!("/api/v1/erasure-requests/{}/reject", request.id);
    let res = send(&manager, Method::POST, &reject, json!({})).await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let note = "Маршрут ещё выполняется: данные нужны до его завершения";
    let refused: ErasureRequestDto =
        ok_json(send(&manager, Method::POST, &reject, json!({ "note": note })).await).await;
    assert_eq!(refused.status, ErasureStatus::Rejected);
    let teacher = app.as_user("teacher@iom.test").await;
    let mine: Vec<ErasureRequestDto> = teacher.get_json("/api/v1/me/erasure-requests").await;
    assert_eq!(mine[0].decision_note.as_deref(), Some(note));
    let me: MeResponse = teacher.get_json("/api/v1/me").await;
    assert_eq!(me.person.email, "teacher@iom.test");
}
