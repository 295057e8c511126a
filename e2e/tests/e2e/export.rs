//! «Мои данные»: a person exports everything the platform holds about them (152-ФЗ, art. 14) as
//! a ZIP of JSON files with a readable PDF — their own data, and nobody else's.

use std::collections::BTreeMap;
use std::io::Read;
use std::process::Command;

use api::db::entities::{personal_export, user};
use e2e::{TestApp, User, fixtures, ok_json, problem};
use reqwest::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use shared::Role;
use shared::dto::{AssignmentKind, PersonalExportDto, PersonalExportStatus, RouteDto};
use uuid::Uuid;

const EXPORT: &str = "/api/v1/me/export";

const FILES: [&str; 12] = [
    "README.txt",
    "profile.json",
    "roles.json",
    "assignments.json",
    "routes.json",
    "diagnostics.json",
    "enrolments.json",
    "certificates.json",
    "notifications.json",
    "access_log.json",
    "consents.json",
    "export.pdf",
];

/// A server whose demo teacher has their completed demo route with its certificate.
async fn spawn() -> TestApp {
    TestApp::spawn_with(e2e::Options {
        configure: Some(Box::new(|s| s.demo_completed_route = true)),
        ..Default::default()
    })
    .await
}

/// Starts an export (202) and returns it.
async fn start(user: &User<'_>) -> PersonalExportDto {
    let res = user.post(EXPORT).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let dto: PersonalExportDto = ok_json(res).await;
    assert_eq!(location, format!("{EXPORT}/{}", dto.id));
    dto
}

/// The archive's files by name.
async fn download(user: &User<'_>, id: Uuid) -> BTreeMap<String, Vec<u8>> {
    let res = user
        .get(&format!("{EXPORT}/{id}/download"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let disposition = res.headers()["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment") && disposition.contains(".zip"),
        "{disposition}"
    );
    let bytes = res.bytes().await.unwrap();
    // Kept for a person to look at, like the rendered documents.
    let dir = e2e::browser::workspace_root()
        .join("artifacts")
        .join("export");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{id}.zip")), &bytes).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut files = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        files.insert(f.name().to_owned(), data);
    }
    files
}

fn json_of(files: &BTreeMap<String, Vec<u8>>, name: &str) -> Value {
    serde_json::from_slice(&files[name]).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `pdftotext` of the bytes, when the tool is installed.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let have = Command::new("which")
        .arg("pdftotext")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        println!("note: pdftotext is not installed; the PDF's text is not checked");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext failed");
    Some(String::from_utf8(out.stdout).unwrap())
}

/// A second teacher at the demo school with a name nobody else has, and a route of their own
/// that their tutor reads.
async fn second_teacher(app: &TestApp) -> (Uuid, &'static str) {
    let email = "vtorova.ksenia@iom.test";
    let id = fixtures::person(&app.db, email, Role::Teacher, Some(app.demo.school)).await;
    user::Entity::update_many()
        .col_expr(user::Column::Surname, Expr::value("Второва"))
        .col_expr(user::Column::FirstName, Expr::value("Ксения"))
        .col_expr(user::Column::Phone, Expr::value(Some("+7 900 111-22-33")))
        .filter(user::Column::Id.eq(id))
        .exec(&app.db)
        .await
        .unwrap();
    let tutor = fixtures::id_of(app, "tutor@iom.test").await;
    fixtures::assign(&app.db, AssignmentKind::Tutor, tutor, id, true).await;
    (id, email)
}

async fn run_until_done(app: &TestApp, user: &User<'_>, id: Uuid) -> PersonalExportDto {
    app.run_jobs().await;
    let dto: PersonalExportDto = user.get_json(&format!("{EXPORT}/{id}")).await;
    assert_eq!(dto.status, PersonalExportStatus::Done, "{dto:?}");
    dto
}

#[tokio::test]
async fn the_export_holds_the_persons_own_data_and_nothing_about_another_teacher() {
    let app = spawn().await;
    let first_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let (second_id, second_email) = second_teacher(&app).await;
    let first = app.as_user("teacher@iom.test").await;
    let second = app.as_user(second_email).await;
    let mine: shared::dto::Page<shared::dto::RouteSummary> =
        first.get_json("/api/v1/routes?mine=true").await;
    let demo_route = mine.items[0].id;
    let other_route = crate::routes::create(&second, "Маршрут Второвой").await;

    // Both people's routes and profiles are read by their tutor and the regional manager.
    let tutor = app.as_user("tutor@iom.test").await;
    let manager = app.as_user("manager@iom.test").await;
    for route in [demo_route, other_route.id] {
        tutor
            .get_json::<RouteDto>(&format!("/api/v1/routes/{route}"))
            .await;
    }
    for person in [first_id, second_id] {
        manager
            .get_json::<Value>(&format!("/api/v1/people/{person}"))
            .await;
    }
    app.flush_reads().await;

    // Both export; each gets their own.
    let other_export = start(&second).await;
    let export = start(&first).await;
    assert_eq!(export.status, PersonalExportStatus::Pending);
    assert_eq!(export.progress, 0);
    assert!(export.size_bytes.is_none());
    // Starting again while it waits answers with the same export.
    assert_eq!(start(&first).await.id, export.id);
    assert_ne!(other_export.id, export.id);

    let done = run_until_done(&app, &first, export.id).await;
    assert_eq!(done.progress, 100);
    assert!(done.size_bytes.is_some_and(|s| s > 0));
    assert!(done.finished_at.is_some());
    assert!(done.expires_at > done.finished_at.unwrap() + chrono::Duration::days(6));
    let latest: PersonalExportDto = first.get_json(EXPORT).await;
    assert_eq!(latest.id, export.id);

    let files = download(&first, export.id).await;
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    let mut expected = FILES.to_vec();
    expected.sort_unstable();
    assert_eq!(names, expected);
    assert_eq!(done.size_bytes, {
        // The size announced is the archive's.
        let res = first
            .get(&format!("{EXPORT}/{}/download", export.id))
            .send()
            .await
            .unwrap();
        Some(res.bytes().await.unwrap().len() as u64)
    });

    let readme = String::from_utf8(files["README.txt"].clone()).unwrap();
    assert!(
        readme.contains("152-ФЗ") && readme.contains("статьёй 14"),
        "{readme}"
    );

    let profile = json_of(&files, "profile.json");
    assert_eq!(profile["person"]["id"], json!(first_id));
    assert_eq!(profile["person"]["email"], "teacher@iom.test");
    assert!(profile.to_string().find("password").is_none());
    let roles = json_of(&files, "roles.json");
    assert!(
        roles
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["role"] == "teacher" && r["unit"]["name"].is_string()),
        "{roles}"
    );
    let assignments = json_of(&files, "assignments.json");
    let tutor_link = assignments["my_staff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "tutor")
        .unwrap_or_else(|| panic!("{assignments}"));
    assert!(tutor_link["consent_at"].is_string());
    // The tutor by name, without their contacts.
    assert!(tutor_link["person"]["full_name"].is_string());
    assert!(tutor_link["person"].get("email").is_none());

    // The route with all five sections, its history and comments.
    let routes = json_of(&files, "routes.json");
    let routes = routes.as_array().unwrap();
    assert_eq!(routes.len(), 1);
    let r = &routes[0];
    assert_eq!(r["route"]["id"], json!(demo_route));
    assert_eq!(r["route"]["title"], api::services::route::demo::TITLE);
    assert_eq!(r["route"]["status"], "completed");
    for section in [
        "information",
        "diagnostic",
        "target",
        "activity",
        "reflective",
    ] {
        assert!(r["route"][section].is_object(), "{section} missing");
    }
    assert!(!r["route"]["target"]["tasks"].as_array().unwrap().is_empty());
    assert!(
        !r["route"]["activity"]["activities"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let transitions = r["history"]["transitions"].as_array().unwrap();
    assert!(
        transitions.iter().any(|t| t["action"] == "complete"),
        "{transitions:?}"
    );
    assert!(transitions.iter().all(|t| t["by"].is_string()));
    assert!(r["comments"].is_array());
    assert!(r["route"].get("permissions").is_none());

    let certificates = json_of(&files, "certificates.json");
    let certificates = certificates.as_array().unwrap();
    assert_eq!(certificates.len(), 1);
    assert_eq!(certificates[0]["route_id"], json!(demo_route));
    assert_eq!(certificates[0]["person_name"], "Иванова Мария Петровна");

    assert!(json_of(&files, "diagnostics.json").is_array());
    assert!(json_of(&files, "enrolments.json").is_array());
    assert!(json_of(&files, "notifications.json")["notifications"].is_array());
    // The consents: the demo teacher's own decisions, each with the text it was made on.
    let consents = json_of(&files, "consents.json");
    let history = consents["history"].as_array().unwrap();
    assert_eq!(history.len(), 3, "{consents:#}");
    assert!(
        history
            .iter()
            .all(|r| r["given"] == json!(true) && r["text"].as_str().is_some_and(|t| t.len() > 40))
    );

    // The others' reads of the teacher's data, and only those.
    let log = json_of(&files, "access_log.json");
    let log = log.as_array().unwrap();
    let tutor_me: shared::dto::MeResponse = tutor.get_json("/api/v1/me").await;
    let tutor_name = tutor_me.person.full_name();
    assert!(
        log.iter().any(|e| e["action"] == "route.read"
            && e["actor_name"] == tutor_name.as_str()
            && e["entity_id"] == json!(demo_route)),
        "{log:?}"
    );
    assert!(
        log.iter()
            .any(|e| e["action"] == "person.read" && e["entity_id"] == json!(first_id)),
        "{log:?}"
    );
    assert!(log.iter().all(|e| e["entity_id"] != json!(other_route.id)));

    // Nothing about the second teacher anywhere: not in the JSON, not in the PDF's text.
    let pdf_text = pdf_text(&files["export.pdf"]);
    if let Some(text) = &pdf_text {
        assert!(text.contains("Иванова Мария Петровна"), "{text}");
        assert!(text.contains(api::services::route::demo::TITLE), "{text}");
    }
    let second_id = second_id.to_string();
    let other_route = other_route.id.to_string();
    let forbidden = [
        second_email,
        "Второва",
        "Второвой",
        "+7 900 111-22-33",
        second_id.as_str(),
        other_route.as_str(),
        // Other people's contacts.
        "tutor@iom.test",
        "manager@iom.test",
        "director@iom.test",
        "expert@iom.test",
    ];
    for (name, bytes) in &files {
        let text = if name.ends_with(".pdf") {
            match &pdf_text {
                Some(t) => t.clone(),
                None => continue,
            }
        } else {
            String::from_utf8(bytes.clone()).unwrap()
        };
        for needle in forbidden {
            assert!(!text.contains(needle), "{name} mentions «{needle}»");
        }
    }

    // The download is in the audit log, as the person's own action (not in «Кто видел»).
    let audited = api::db::entities::audit_log::Entity::find()
        .filter(api::db::entities::audit_log::Column::Action.eq("privacy.export_downloaded"))
        .filter(api::db::entities::audit_log::Column::EntityId.eq(export.id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(audited.len(), 2);
    assert!(audited.iter().all(|a| a.actor_id == Some(first_id)));

    // The second teacher's own export holds their route, and none of the first teacher's.
    run_until_done(&app, &second, other_export.id).await;
    let theirs = download(&second, other_export.id).await;
    let routes = json_of(&theirs, "routes.json");
    assert_eq!(routes.as_array().unwrap().len(), 1);
    assert_eq!(routes[0]["route"]["title"], "Маршрут Второвой");
    for bytes in theirs.values().filter(|b| !b.starts_with(b"%PDF")) {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("teacher@iom.test"));
        assert!(!text.contains(&demo_route.to_string()));
    }
}

#[tokio::test]
async fn nobody_reads_or_downloads_someone_elses_export() {
    let app = spawn().await;
    let (_, second_email) = second_teacher(&app).await;
    let first = app.as_user("teacher@iom.test").await;
    let second = app.as_user(second_email).await;
    let export = start(&first).await;
    run_until_done(&app, &first, export.id).await;

    // Another person asks for it by its id: as if it did not exist.
    for path in [
        format!("{EXPORT}/{}", export.id),
        format!("{EXPORT}/{}/download", export.id),
    ] {
        let res = second.get(&path).send().await.unwrap();
        let p = problem(res, StatusCode::NOT_FOUND).await;
        assert_eq!(p.code, "not_found");
    }
    // They have none of their own.
    let res = second.get(EXPORT).send().await.unwrap();
    problem(res, StatusCode::NOT_FOUND).await;

    // Without a token: 401, whatever is asked.
    for (method, path) in [
        (reqwest::Method::POST, EXPORT.to_owned()),
        (reqwest::Method::GET, EXPORT.to_owned()),
        (reqwest::Method::GET, format!("{EXPORT}/{}", export.id)),
        (
            reqwest::Method::GET,
            format!("{EXPORT}/{}/download", export.id),
        ),
    ] {
        let res = app.request(method, &path).send().await.unwrap();
        problem(res, StatusCode::UNAUTHORIZED).await;
    }

    // Ids that name nothing.
    for path in [
        format!("{EXPORT}/{}", Uuid::now_v7()),
        format!("{EXPORT}/{}/download", Uuid::now_v7()),
        format!("{EXPORT}/not-an-id"),
        format!("{EXPORT}/not-an-id/download"),
    ] {
        let res = first.get(&path).send().await.unwrap();
        problem(res, StatusCode::NOT_FOUND).await;
    }
}

#[tokio::test]
async fn an_export_is_kept_for_a_week_then_deleted_with_its_archive() {
    let app = spawn().await;
    let first = app.as_user("teacher@iom.test").await;
    let export = start(&first).await;

    // Not ready yet: the download says so.
    let res = first
        .get(&format!("{EXPORT}/{}/download", export.id))
        .send()
        .await
        .unwrap();
    let p = problem(res, StatusCode::CONFLICT).await;
    assert_eq!(p.code, "export_not_ready");

    run_until_done(&app, &first, export.id).await;
    let row = personal_export::Entity::find_by_id(export.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let file = app
        .settings
        .files_dir
        .join(row.storage_key.as_deref().unwrap());
    assert!(file.exists());

    // The sweep of stored files that no route refers to keeps a live export's archive, however
    // old the file.
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3 * 3600))
        .unwrap();
    housekeeping(&app).await;
    assert!(file.exists(), "a live export's archive was swept");
    download(&first, export.id).await;

    // Past its time: 410 with the reason, then the housekeeping deletes it with its file.
    personal_export::Entity::update_many()
        .col_expr(
            personal_export::Column::ExpiresAt,
            Expr::value(api::db::now() - chrono::Duration::minutes(1)),
        )
        .filter(personal_export::Column::Id.eq(export.id))
        .exec(&app.db)
        .await
        .unwrap();
    for path in [
        format!("{EXPORT}/{}", export.id),
        format!("{EXPORT}/{}/download", export.id),
    ] {
        let res = first.get(&path).send().await.unwrap();
        let p = problem(res, StatusCode::GONE).await;
        assert_eq!(p.code, "export_expired");
        assert!(p.detail.unwrap().contains("Запустите выгрузку снова"));
    }
    let res = first.get(EXPORT).send().await.unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    housekeeping(&app).await;
    assert!(!file.exists(), "the expired archive stayed");
    assert!(
        personal_export::Entity::find_by_id(export.id)
            .one(&app.db)
            .await
            .unwrap()
            .is_none()
    );
    let res = first
        .get(&format!("{EXPORT}/{}", export.id))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn a_person_starts_at_most_five_exports_a_day() {
    let app = spawn().await;
    let first = app.as_user("teacher@iom.test").await;
    for _ in 0..api::services::privacy_export::MAX_PER_DAY {
        let export = start(&first).await;
        // Finished (here: given up), so the next start makes a new one.
        personal_export::Entity::update_many()
            .col_expr(personal_export::Column::Status, Expr::value("failed"))
            .filter(personal_export::Column::Id.eq(export.id))
            .exec(&app.db)
            .await
            .unwrap();
    }
    let res = first.post(EXPORT).send().await.unwrap();
    assert!(res.headers().contains_key("retry-after"));
    problem(res, StatusCode::TOO_MANY_REQUESTS).await;
}

/// Runs the housekeeping job now.
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

#[tokio::test]
async fn the_teacher_exports_their_data_from_the_profile_in_the_browser() {
    let Some(dist) = e2e::browser::built_spa() else {
        assert!(
            !e2e::browser::required(),
            "the SPA must be built (trunk build --release) for browser tests"
        );
        eprintln!("skipping a browser test: the SPA is not built");
        return;
    };
    let app = TestApp::spawn_with(e2e::Options {
        web_dir: Some(dist),
        configure: None,
    })
    .await;
    let Some(browser) = e2e::browser::Browser::start().await else {
        return;
    };
    crate::browser::sign_in(&browser, &app, "teacher@iom.test").await;
    browser.client.goto(&app.url("/profile")).await.unwrap();
    browser.wait_for_text("Выгрузить все мои данные").await;
    browser
        .wait_for("[data-testid=my-data-start]")
        .await
        .click()
        .await
        .unwrap();
    // Queued: the progress shows until the background job has run.
    browser
        .wait_for("[data-testid=my-data-status] progress")
        .await;
    app.run_jobs().await;
    browser.wait_for("[data-testid=my-data-download]").await;
    let status = browser
        .wait_for("[data-testid=my-data-status]")
        .await
        .text()
        .await
        .unwrap();
    assert!(status.starts_with("Готово"), "{status}");
    browser.screenshot("profile-my-data").await;
}

#[tokio::test]
async fn an_enrolment_with_its_certificate_is_exported_and_its_file_outlives_the_sweep() {
    let app = spawn().await;
    let muni = app.as_user("municipal@iom.test").await;
    let first = app.as_user("teacher@iom.test").await;
    let comps = crate::catalogue::competencies(&first).await;
    let starts = (chrono::Utc::now().date_naive() + chrono::Duration::days(7)).to_string();
    let e = crate::catalogue::publish(
        &muni,
        json!({
            "title": "Приёмы смыслового чтения", "kind": "seminar", "format": "online",
            "starts_on": starts, "hours": 2.0, "capacity": 30,
            "competency_ids": [comps[1].id],
        }),
    )
    .await;
    let enrolled: shared::dto::catalogue::EventDto = ok_json(
        first
            .post(&format!(
                "/api/v1/catalogue/events/{}/enrolment",
                e.summary.id
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let mine = enrolled.my_enrolment.unwrap();
    let res = first
        .post(&format!(
            "/api/v1/catalogue/enrolments/{}/certificate?name=Сертификат.pdf",
            mine.id
        ))
        .header("content-type", "application/pdf")
        .body("%PDF-1.4 my certificate")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let export = start(&first).await;
    run_until_done(&app, &first, export.id).await;
    let files = download(&first, export.id).await;
    let enrolments = json_of(&files, "enrolments.json");
    let entry = enrolments
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == json!(mine.id))
        .unwrap_or_else(|| panic!("{enrolments}"));
    assert_eq!(entry["event"]["title"], "Приёмы смыслового чтения");
    assert_eq!(entry["status"], "registered");
    assert_eq!(entry["certificate_file"]["name"], "Сертификат.pdf");

    // The participant's certificate is a stored file the sweep of orphans must keep, however
    // old.
    let row = api::db::entities::enrolment::Entity::find_by_id(mine.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let file = app
        .settings
        .files_dir
        .join(row.certificate_key.as_deref().unwrap());
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3 * 3600))
        .unwrap();
    housekeeping(&app).await;
    assert!(file.exists(), "an enrolment's certificate was swept");
}
