//! Consent to the processing of personal data: asked once, recorded with the text read,
//! withdrawable, registered on paper by the school coordinator, and a "no" to transfer takes
//! the person out of the integration feeds.

use chrono::{Duration, Utc};
use e2e::{TestApp, User, fixtures, ok_json, problem};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::Role;
use shared::consent::{ConsentMethod, PurposeKind};
use shared::dto::*;
use uuid::Uuid;

use crate::integration::{pull, pull_all, register};
use crate::routes::send;

const MINE: &str = "/api/v1/me/consents";

fn purpose(c: &ConsentsDto, kind: PurposeKind) -> &ConsentPurposeDto {
    &c.items
        .iter()
        .find(|i| i.purpose.kind == kind)
        .unwrap_or_else(|| panic!("{kind} in {c:#?}"))
        .purpose
}

pub async fn answer(user: &User<'_>, p: &ConsentPurposeDto, given: bool) -> ConsentsDto {
    let res = send(
        user,
        Method::PUT,
        &format!("{MINE}/{}", p.id),
        json!({ "given": given, "version": p.version }),
    )
    .await;
    ok_json(res).await
}

/// A new teacher of the demo school, signed in.
async fn newcomer<'a>(app: &'a TestApp, email: &str) -> (Uuid, User<'a>) {
    let id = fixtures::person(&app.db, email, Role::Teacher, Some(app.demo.school)).await;
    (id, app.as_user(email).await)
}

#[tokio::test]
async fn a_new_person_is_asked_once_and_each_answer_is_kept_with_the_text_it_was_given_on() {
    let app = TestApp::spawn().await;
    // The demo's people have answered already: nothing waits.
    let demo: ConsentsDto = app.as_user("teacher@iom.test").await.get_json(MINE).await;
    assert_eq!(demo.pending, 0, "{demo:#?}");

    let (_, teacher) = newcomer(&app, "new.teacher@iom.test").await;
    let first: ConsentsDto = teacher.get_json(MINE).await;
    assert_eq!(first.pending, 3, "{first:#?}");
    assert!(
        first
            .items
            .iter()
            .all(|i| i.needs_answer && i.given.is_none())
    );
    assert!(first.history.is_empty());
    let keeping = purpose(&first, PurposeKind::RouteKeeping).clone();
    assert!(keeping.required);
    assert!(keeping.text.contains("персональные данные"));

    // An answer on a text other than the one in force is refused: nobody agrees unread.
    let stale = send(
        &teacher,
        Method::PUT,
        &format!("{MINE}/{}", keeping.id),
        json!({ "given": true, "version": keeping.version + 1 }),
    )
    .await;
    assert_eq!(
        problem(stale, StatusCode::CONFLICT).await.code,
        "consent_text_changed"
    );

    for item in &first.items {
        answer(&teacher, &item.purpose, true).await;
    }
    let after: ConsentsDto = answer(&teacher, &keeping, true).await;
    assert_eq!(after.pending, 0);
    // The repeated answer recorded nothing new.
    assert_eq!(after.history.len(), 3, "{after:#?}");
    let record = after
        .history
        .iter()
        .find(|r| r.purpose_id == keeping.id)
        .unwrap();
    assert_eq!(record.method, ConsentMethod::Electronic);
    assert_eq!(record.text, keeping.text);
    assert_eq!(record.registered_by, None);

    // The region rewrites the text: the person is asked again, and the record keeps the words
    // they agreed to.
    let manager = app.as_user("manager@iom.test").await;
    let new_text = format!("{} Новая редакция.", keeping.text);
    let res = send(
        &manager,
        Method::PUT,
        &format!("/api/v1/consent-purposes/{}", keeping.id),
        json!({ "kind": "route_keeping", "title": keeping.title, "text": new_text, "required": true }),
    )
    .await;
    let changed: ConsentPurposeDto = ok_json(res).await;
    assert_eq!(changed.version, keeping.version + 1);
    let again: ConsentsDto = teacher.get_json(MINE).await;
    assert_eq!(again.pending, 1);
    let old = again
        .history
        .iter()
        .find(|r| r.purpose_id == keeping.id)
        .unwrap();
    assert_eq!((old.version, old.text.as_str()), (1, keeping.text.as_str()));

    // Withdrawing is an answer too, recorded as its own entry, and is not asked about again.
    let transfer = purpose(&again, PurposeKind::Transfer).clone();
    let withdrawn = answer(&teacher, &transfer, false).await;
    let standing = withdrawn
        .items
        .iter()
        .find(|i| i.purpose.id == transfer.id)
        .unwrap();
    assert_eq!(
        (standing.given, standing.needs_answer),
        (Some(false), false)
    );
    assert_eq!(withdrawn.history.len(), 4);
    assert!(!withdrawn.history[0].given, "newest first");
}

#[tokio::test]
async fn withdrawing_the_consent_to_transfer_takes_the_person_out_of_every_feed_until_given_again()
{
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let key = register(
        &manager,
        app.demo.region,
        &["read_routes", "read_people", "read_diagnostics"],
        json!({}),
    )
    .await
    .api_key;
    let live = |items: &[SyncItem<Value>]| -> usize {
        items
            .iter()
            .filter(|i| {
                i.data.as_ref().is_some_and(|d| {
                    d.get("id") == Some(&json!(teacher_id))
                        || d.pointer("/teacher/id") == Some(&json!(teacher_id))
                        || d.get("person_id") == Some(&json!(teacher_id))
                })
            })
            .count()
    };
    let route_id = crate::routes::create(&teacher, "Маршрут для выгрузки")
        .await
        .id;
    let mut cursors = Vec::new();
    for feed in ["people", "routes", "diagnostics"] {
        let (items, cursor) = pull_all(&app, &key, feed, None, 100).await;
        assert!(live(&items) > 0, "{feed}: the teacher is carried before");
        cursors.push(cursor);
    }
    let mine: ConsentsDto = teacher.get_json(MINE).await;
    let transfer = purpose(&mine, PurposeKind::Transfer).clone();
    answer(&teacher, &transfer, false).await;

    for (feed, cursor) in ["people", "routes", "diagnostics"].iter().zip(&cursors) {
        let page = pull(&app, &key, feed, Some(cursor), 100).await;
        assert!(
            !page.items.is_empty(),
            "{feed}: the feed tells of the change"
        );
        assert!(
            page.items.iter().all(|i| i.tombstone && i.data.is_none()),
            "{feed}: {page:#?}"
        );
        let (all, _) = pull_all(&app, &key, feed, None, 100).await;
        assert_eq!(
            live(&all),
            0,
            "{feed}: nothing of the teacher from the start either"
        );
    }
    let one = app
        .get(&format!("/api/v1/sync/routes/{route_id}"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(one.status(), StatusCode::NOT_FOUND);

    // Given again: the same items come back with their data.
    answer(&teacher, &transfer, true).await;
    for (feed, cursor) in ["people", "routes", "diagnostics"].iter().zip(&cursors) {
        let (items, _) = pull_all(&app, &key, feed, Some(cursor.clone()), 100).await;
        assert!(live(&items) > 0, "{feed}: the teacher is carried again");
    }
}

#[tokio::test]
async fn the_school_coordinator_registers_a_paper_consent_with_its_scan_and_nobody_else_can() {
    let app = TestApp::spawn().await;
    let (teacher_id, teacher) = newcomer(&app, "paper.teacher@iom.test").await;
    let coordinator = app.as_user("coordinator@iom.test").await;
    let path = format!("/api/v1/people/{teacher_id}/consents");
    let mine: ConsentsDto = teacher.get_json(MINE).await;
    let keeping = purpose(&mine, PurposeKind::RouteKeeping).clone();
    let today = Utc::now().date_naive();

    let res = send(
        &coordinator,
        Method::POST,
        &path,
        json!({ "purpose_id": keeping.id, "given": true, "signed_on": today }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let record: ConsentRecordDto = ok_json(res).await;
    assert_eq!(record.method, ConsentMethod::Paper);
    assert!(!record.has_scan);
    let scan = b"%PDF-1.4\nscan of a signed consent\n%%EOF".to_vec();
    let scan_path = format!("{path}/{}/scan", record.id);
    let res = coordinator
        .request(Method::POST, &scan_path)
        .header("Content-Type", "application/pdf")
        .body(scan.clone())
        .send()
        .await
        .unwrap();
    let record: ConsentRecordDto = ok_json(res).await;
    assert!(record.has_scan);
    let got = coordinator.get(&scan_path).send().await.unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.unwrap().to_vec(), scan);

    // The teacher sees it as theirs: on paper, registered by the coordinator, scan readable.
    let mine: ConsentsDto = teacher.get_json(MINE).await;
    let standing = mine
        .items
        .iter()
        .find(|i| i.purpose.id == keeping.id)
        .unwrap();
    assert_eq!(
        (standing.given, standing.method),
        (Some(true), Some(ConsentMethod::Paper))
    );
    assert!(mine.history[0].registered_by.is_some());
    let own = teacher.get(&scan_path).send().await.unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    let seen: ConsentsDto = coordinator.get_json(&path).await;
    assert_eq!(seen.history.len(), 1);

    // The housekeeping keeps a scan a row refers to, however old, and sweeps a stray one.
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    let stray = app.settings.files_dir.join("consent0123456789abcdef");
    std::fs::write(&stray, b"left over").unwrap();
    for entry in std::fs::read_dir(&app.settings.files_dir).unwrap() {
        let file = std::fs::File::options()
            .write(true)
            .open(entry.unwrap().path())
            .unwrap();
        file.set_modified(old).unwrap();
    }
    api::jobs::schedule_recurring(
        &app.db,
        api::jobs::HOUSEKEEPING,
        chrono::Duration::hours(1),
        api::db::now(),
    )
    .await
    .unwrap();
    app.run_jobs().await;
    assert!(!stray.exists(), "a scan no record keeps is swept");
    let kept = coordinator.get(&scan_path).send().await.unwrap();
    assert_eq!(
        kept.bytes().await.unwrap().to_vec(),
        scan,
        "the kept scan stays"
    );

    // Bad input is refused and records nothing.
    let future = send(
        &coordinator,
        Method::POST,
        &path,
        json!({ "purpose_id": keeping.id, "given": true, "signed_on": today + Duration::days(2) }),
    )
    .await;
    assert_eq!(
        problem(future, StatusCode::UNPROCESSABLE_ENTITY).await.code,
        "validation_failed"
    );
    let html = coordinator
        .request(Method::POST, &scan_path)
        .header("Content-Type", "text/html")
        .body("<script>alert(1)</script>")
        .send()
        .await
        .unwrap();
    problem(html, StatusCode::UNPROCESSABLE_ENTITY).await;

    // Strangers: another school's coordinator does not see the person; a teacher cannot
    // register for a colleague; a tutor cannot read the scan; a purpose of another region is
    // not the person's.
    fixtures::person(
        &app.db,
        "other.coordinator@iom.test",
        Role::SchoolCoordinator,
        Some(app.demo.school_2),
    )
    .await;
    let other = app.as_user("other.coordinator@iom.test").await;
    let body = json!({ "purpose_id": keeping.id, "given": true, "signed_on": today });
    let res = send(&other, Method::POST, &path, body.clone()).await;
    problem(res, StatusCode::NOT_FOUND).await;
    let res = other.get(&scan_path).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let demo_teacher = app.as_user("teacher@iom.test").await;
    let res = send(&demo_teacher, Method::POST, &path, body.clone()).await;
    problem(res, StatusCode::NOT_FOUND).await;
    let tutor = app.as_user("tutor@iom.test").await;
    let res = tutor.get(&scan_path).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Up the hierarchy: the coordinator does not register consents for the director.
    let director = fixtures::id_of(&app, "director@iom.test").await;
    let res = send(
        &coordinator,
        Method::POST,
        &format!("/api/v1/people/{director}/consents"),
        body,
    )
    .await;
    problem(res, StatusCode::FORBIDDEN).await;
    let admin = app.as_user("admin@iom.test").await;
    let res = send(
        &admin,
        Method::POST,
        "/api/v1/units",
        json!({ "kind": "region", "name": "Северная область" }),
    )
    .await;
    let far: UnitDto = ok_json(res).await;
    let far_purposes: Vec<ConsentPurposeDto> = admin
        .get_json(&format!("/api/v1/units/{}/consent-purposes", far.id))
        .await;
    assert_eq!(
        far_purposes.len(),
        3,
        "a new region starts with the defaults"
    );
    let res = send(
        &coordinator,
        Method::POST,
        &path,
        json!({ "purpose_id": far_purposes[0].id, "given": true, "signed_on": today }),
    )
    .await;
    problem(res, StatusCode::NOT_FOUND).await;
    let res = send(
        &teacher,
        Method::PUT,
        &format!("{MINE}/{}", far_purposes[0].id),
        json!({ "given": true, "version": 1 }),
    )
    .await;
    problem(res, StatusCode::NOT_FOUND).await;
    let still: ConsentsDto = coordinator.get_json(&path).await;
    assert_eq!(still.history.len(), 1, "nothing refused was recorded");
}

#[tokio::test]
async fn only_the_regions_manager_edits_its_purposes() {
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let list = format!("/api/v1/units/{}/consent-purposes", app.demo.region);
    let purposes: Vec<ConsentPurposeDto> = manager.get_json(&list).await;
    assert_eq!(purposes.len(), 3);
    let text = "Я согласен(на) на обработку моих данных для участия в региональном конкурсе методических разработок.";
    let body = json!({ "kind": "other", "title": "Участие в конкурсе", "text": text });
    let teacher = app.as_user("teacher@iom.test").await;
    let res = send(&teacher, Method::POST, &list, body.clone()).await;
    problem(res, StatusCode::FORBIDDEN).await;
    let res = send(
        &manager,
        Method::POST,
        &list,
        json!({ "kind": "other", "title": "Коротко", "text": "Слишком коротко" }),
    )
    .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = send(&manager, Method::POST, &list, body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: ConsentPurposeDto = ok_json(res).await;
    assert_eq!((created.version, created.active), (1, true));
    // Everyone in the region is asked about the new purpose.
    let mine: ConsentsDto = teacher.get_json(MINE).await;
    assert_eq!(mine.pending, 1);
    // Another region's manager does not see this region's purposes.
    let far_school = fixtures::other_region_school(&app.db).await;
    fixtures::person(
        &app.db,
        "far.manager@iom.test",
        Role::RegionalManager,
        Some(far_school),
    )
    .await;
    let far = app.as_user("far.manager@iom.test").await;
    let res = far.get(&list).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = send(
        &far,
        Method::PUT,
        &format!("/api/v1/consent-purposes/{}", created.id),
        json!({ "kind": "other", "title": "Захват", "text": text }),
    )
    .await;
    problem(res, StatusCode::NOT_FOUND).await;
}
