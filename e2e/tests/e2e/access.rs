//! Who sees whom: every demo role against people in and out of its scope.

use std::time::{Duration, Instant};

use e2e::{TestApp, fixtures, ok_json};
use reqwest::StatusCode;
use serde_json::json;
use shared::Role;
use shared::dto::*;

#[tokio::test]
async fn people_are_visible_exactly_within_each_roles_scope() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let d = app.demo.clone();
    let teacher = fixtures::id_of(&app, "teacher@iom.test").await;
    let tutor = fixtures::id_of(&app, "tutor@iom.test").await;
    let no_consent = fixtures::person(db, "nc@iom.test", Role::Teacher, Some(d.school)).await;
    fixtures::assign(db, AssignmentKind::Tutor, tutor, no_consent, false).await;
    let school_2 = fixtures::person(db, "s2@iom.test", Role::Teacher, Some(d.school_2)).await;
    let muni_b = fixtures::person(db, "mb@iom.test", Role::Teacher, Some(d.school_b)).await;
    let other_school = fixtures::other_region_school(db).await;
    let other_region = fixtures::person(db, "or@iom.test", Role::Teacher, Some(other_school)).await;

    let targets = [
        ("педагог ОО", teacher),
        ("без согласия", no_consent),
        ("другая ОО", school_2),
        ("другой МО", muni_b),
        ("другой регион", other_region),
    ];
    // true = visible (200), false = 404.
    let expected: &[(&str, [bool; 5])] = &[
        ("teacher@iom.test", [true, false, false, false, false]),
        // A tutor sees a tutee only once the tutee consents (regulation 3.1.3).
        ("tutor@iom.test", [true, false, false, false, false]),
        ("methodist@iom.test", [true, false, false, false, false]),
        ("coordinator@iom.test", [true, true, false, false, false]),
        ("deputy@iom.test", [true, true, false, false, false]),
        ("director@iom.test", [true, true, false, false, false]),
        ("municipal@iom.test", [true, true, true, false, false]),
        ("manager@iom.test", [true, true, true, true, false]),
        ("expert@iom.test", [false, false, false, false, false]),
        ("admin@iom.test", [true, true, true, true, true]),
    ];

    let mut table = format!("{:<22}", "GET /people/{id}");
    for (name, _) in &targets {
        table.push_str(&format!("{name:>15}"));
    }
    table.push('\n');
    let mut wrong = Vec::new();
    for (email, row) in expected {
        let user = app.as_user(email).await;
        table.push_str(&format!("{email:<22}"));
        for ((name, id), want) in targets.iter().zip(row) {
            let res = user
                .get(&format!("/api/v1/people/{id}"))
                .send()
                .await
                .unwrap();
            let got = match res.status() {
                StatusCode::OK => true,
                StatusCode::NOT_FOUND => false,
                other => panic!("{email} → {name}: unexpected {other}"),
            };
            table.push_str(&format!("{:>15}", if got { "200" } else { "404" }));
            if got != *want {
                wrong.push(format!("{email} → {name}: got {got}, want {want}"));
            }
        }
        table.push('\n');
    }
    println!("{table}");
    assert!(wrong.is_empty(), "{table}\n{wrong:#?}");
}

#[tokio::test]
async fn units_are_visible_within_the_region_and_to_the_administrator() {
    let app = TestApp::spawn().await;
    let other_school = fixtures::other_region_school(&app.db).await;
    for email in ["teacher@iom.test", "manager@iom.test", "expert@iom.test"] {
        let user = app.as_user(email).await;
        let res = user
            .get(&format!("/api/v1/units/{}", app.demo.school_b))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{email}");
        let res = user
            .get(&format!("/api/v1/units/{other_school}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{email}");
        let list: Vec<shared::dto::UnitDto> = user.get_json("/api/v1/units").await;
        assert_eq!(list.len(), 7, "{email}: the demo region's seven units");
        assert!(list.iter().all(|u| u.path.region == app.demo.region));
    }
    let admin = app.as_user("admin@iom.test").await;
    let res = admin
        .get(&format!("/api/v1/units/{other_school}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let all: Vec<shared::dto::UnitDto> = admin.get_json("/api/v1/units").await;
    assert_eq!(all.len(), 10);
}

#[tokio::test]
async fn units_are_listed_in_russian_alphabetical_order() {
    let app = TestApp::spawn().await;
    let list: Vec<shared::dto::UnitDto> = app
        .as_user("manager@iom.test")
        .await
        .get_json("/api/v1/units")
        .await;
    let names: Vec<String> = list.iter().map(|u| u.name.clone()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| shared::text::sort_key(&[n]));
    assert_eq!(names, sorted);
    // «Город…» before «Демонстрационная…» before «Озёрный…»: Cyrillic, not byte order of capitals.
    let pos = |prefix: &str| names.iter().position(|n| n.starts_with(prefix)).unwrap();
    assert!(pos("Город") < pos("Демонстрационная"));
    assert!(pos("Демонстрационная") < pos("Озёрный"));
}

/// A campaign of the demo region with the person's results entered by the manager.
async fn results_of(app: &TestApp, person: uuid::Uuid) -> uuid::Uuid {
    let manager = app.as_user("manager@iom.test").await;
    let c: CampaignDto = ok_json(
        manager
            .post("/api/v1/diagnostics/campaigns")
            .json(&json!({ "name": "Входная диагностика", "level": "regional", "kind": "entry",
                "framework_id": api::services::frameworks::default_id(), "organiser_id": app.demo.region }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let fw: FrameworkDto = manager
        .get_json(&format!(
            "/api/v1/frameworks/{}",
            api::services::frameworks::default_id()
        ))
        .await;
    let comp = fw.competencies().next().unwrap().id;
    let res = manager
        .request(
            reqwest::Method::PUT,
            &format!("/api/v1/diagnostics/campaigns/{}/people/{person}", c.id),
        )
        .json(&json!({ "results": [{ "competency_id": comp, "level": "low" }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    c.id
}

#[tokio::test]
async fn a_tutor_without_the_teachers_consent_reads_nothing_of_the_teacher() {
    let app = TestApp::spawn().await;
    let d = app.demo.clone();
    let id = fixtures::person(&app.db, "nc@iom.test", Role::Teacher, Some(d.school)).await;
    let teacher = app.as_user("nc@iom.test").await;
    crate::routes::create(&teacher, "Маршрут").await;
    let campaign = results_of(&app, id).await;
    let tutor = fixtures::id_of(&app, "tutor@iom.test").await;
    let methodist = fixtures::id_of(&app, "methodist@iom.test").await;
    fixtures::assign(&app.db, AssignmentKind::Tutor, tutor, id, false).await;
    fixtures::assign(&app.db, AssignmentKind::Mentor, methodist, id, false).await;
    let reads = [
        format!("/api/v1/catalogue/recommendations?teacher_id={id}"),
        format!("/api/v1/people/{id}"),
        format!("/api/v1/people/{id}/card"),
        format!("/api/v1/diagnostics/campaigns/{campaign}/people/{id}"),
    ];
    let tutor = app.as_user("tutor@iom.test").await;
    for path in &reads {
        assert_eq!(
            tutor.get(path).send().await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let list: Page<PersonSummary> = tutor.get_json("/api/v1/people?limit=200").await;
    assert!(list.items.iter().all(|p| p.id != id), "nor in the list");
    // The methodist-mentor reads by assignment: chosen by the region, audited.
    let mentor = app.as_user("methodist@iom.test").await;
    for path in &reads {
        assert_eq!(
            mentor.get(path).send().await.unwrap().status(),
            StatusCode::OK,
            "{path}"
        );
    }
    // Once the teacher consents, the tutor reads.
    let me: MeResponse = teacher.get_json("/api/v1/me").await;
    let a = me
        .my_staff
        .iter()
        .find(|a| a.kind == AssignmentKind::Tutor)
        .unwrap();
    let res = teacher
        .request(
            reqwest::Method::PUT,
            &format!("/api/v1/me/assignments/{}/consent", a.id),
        )
        .json(&json!({ "given": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    for path in &reads {
        assert_eq!(
            tutor.get(path).send().await.unwrap().status(),
            StatusCode::OK,
            "{path}"
        );
    }
}

/// Audit entries of reads about `subject`, once the buffer has written them (it writes every
/// second): waits until `enough` holds or a deadline passes.
async fn reads_about(
    app: &TestApp,
    subject: uuid::Uuid,
    enough: impl Fn(&[api::db::entities::audit_log::Model]) -> bool,
) -> Vec<api::db::entities::audit_log::Model> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let rows = api::db::entities::audit_log::Entity::find()
            .filter(api::db::entities::audit_log::Column::SubjectId.eq(subject))
            .all(&app.db)
            .await
            .unwrap();
        if enough(&rows) || Instant::now() > deadline {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn reads_of_someone_elses_route_card_files_and_results_are_audited_and_the_owners_are_not() {
    let app = TestApp::spawn().await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let tutor_id = fixtures::id_of(&app, "tutor@iom.test").await;
    let manager_id = fixtures::id_of(&app, "manager@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let route =
        crate::routes::fill(&teacher, crate::routes::create(&teacher, "Маршрут").await).await;
    let path = format!("/api/v1/routes/{}", route.id);
    teacher.get_json::<RouteDto>(&path).await;
    let tutor = app.as_user("tutor@iom.test").await;
    tutor.get_json::<RouteDto>(&path).await;
    let manager = app.as_user("manager@iom.test").await;
    manager.get_json::<RouteDto>(&path).await;
    let card = manager
        .get(&format!("{path}/card.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(card.status(), StatusCode::OK);
    manager
        .get_json::<PersonDto>(&format!("/api/v1/people/{teacher_id}"))
        .await;

    let rows = reads_about(&app, teacher_id, |rows| {
        let by = |actor, action: &str| {
            rows.iter()
                .any(|r| r.actor_id == Some(actor) && r.action == action)
        };
        by(tutor_id, "route.read")
            && by(manager_id, "route.read")
            && by(manager_id, "route.card_pdf_read")
            && by(manager_id, "person.read")
    })
    .await;
    let route_reads: Vec<_> = rows.iter().filter(|r| r.action == "route.read").collect();
    let tutor_read = route_reads
        .iter()
        .find(|r| r.actor_id == Some(tutor_id))
        .expect("the tutor's read");
    assert_eq!(tutor_read.entity_id, Some(route.id));
    assert_eq!(tutor_read.actor_kind, "user");
    assert!(
        tutor_read.details.contains("tutor"),
        "{}",
        tutor_read.details
    );
    assert!(tutor_read.request_id.is_some());
    let manager_read = route_reads
        .iter()
        .find(|r| r.actor_id == Some(manager_id))
        .expect("the manager's read");
    assert!(
        manager_read.details.contains("regional_manager"),
        "{}",
        manager_read.details
    );
    assert!(
        !rows
            .iter()
            .any(|r| r.actor_id == Some(teacher_id) && r.action == "route.read"),
        "the owner's own read is not recorded: {rows:#?}"
    );
    assert!(rows.iter().any(|r| r.action == "route.card_pdf_read"));
}

#[tokio::test]
async fn an_integration_clients_reads_are_recorded_with_the_clients_id() {
    let app = TestApp::spawn().await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let route = crate::routes::create(&teacher, "Маршрут").await;
    let manager = app.as_user("manager@iom.test").await;
    let client = crate::integration::register(
        &manager,
        app.demo.region,
        &["read_routes", "read_people"],
        json!({}),
    )
    .await;
    let res = app
        .get(&format!("/api/v1/sync/routes/{}", route.id))
        .bearer_auth(&client.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    crate::integration::pull_all(&app, &client.api_key, "people", None, 100).await;
    let rows = reads_about(&app, teacher_id, |rows| {
        rows.iter().any(|r| r.action == "route.read")
            && rows.iter().any(|r| r.action == "person.read")
    })
    .await;
    for action in ["route.read", "person.read"] {
        let r = rows
            .iter()
            .find(|r| r.action == action)
            .unwrap_or_else(|| panic!("{action}: {rows:#?}"));
        assert_eq!(r.actor_kind, "client");
        assert_eq!(r.actor_id, Some(client.client_id));
    }
}
