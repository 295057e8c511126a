//! «Кто видел мои данные»: a person reads who else opened their route, profile and results.

use std::time::{Duration, Instant};

use e2e::{TestApp, User, fixtures, problem};
use reqwest::StatusCode;
use serde_json::json;
use shared::dto::people::AccessLogEntry;
use shared::dto::{Page, PersonDto, RouteDto};

const LOG: &str = "/api/v1/me/access-log";

/// The person's access log once it holds what `enough` asks for (reads are written in
/// batches: the test writes the batch itself and looks again, within a deadline).
async fn log_until(
    app: &TestApp,
    user: &User<'_>,
    enough: impl Fn(&[AccessLogEntry]) -> bool,
) -> Page<AccessLogEntry> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        app.flush_reads().await;
        let page: Page<AccessLogEntry> = user.get_json(LOG).await;
        if enough(&page.items) || Instant::now() > deadline {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_teacher_reads_who_opened_their_route_and_profile_and_their_own_reads_are_not_listed() {
    let app = TestApp::spawn().await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let route = crate::routes::create(&teacher, "Маршрут").await;
    let path = format!("/api/v1/routes/{}", route.id);
    teacher.get_json::<RouteDto>(&path).await;
    let tutor = app.as_user("tutor@iom.test").await;
    tutor.get_json::<RouteDto>(&path).await;
    let manager = app.as_user("manager@iom.test").await;
    manager
        .get_json::<PersonDto>(&format!("/api/v1/people/{teacher_id}"))
        .await;

    let page = log_until(&app, &teacher, |items| {
        items.iter().any(|e| e.action == "route.read")
            && items.iter().any(|e| e.action == "person.read")
    })
    .await;
    let tutor_read = page
        .items
        .iter()
        .find(|e| e.action == "route.read")
        .unwrap_or_else(|| panic!("{page:#?}"));
    assert_eq!(tutor_read.actor_kind, "user");
    let tutor_me: shared::dto::MeResponse = tutor.get_json("/api/v1/me").await;
    assert_eq!(
        tutor_read.actor_name,
        shared::text::full_name(
            &tutor_me.person.surname,
            &tutor_me.person.first_name,
            tutor_me.person.patronymic.as_deref()
        )
    );
    assert_eq!(tutor_read.basis, ["tutor"]);
    assert_eq!(tutor_read.entity_id, Some(route.id));
    let manager_read = page
        .items
        .iter()
        .find(|e| e.action == "person.read")
        .unwrap();
    assert_eq!(manager_read.basis, ["regional_manager"]);
    assert_eq!(manager_read.entity_id, Some(teacher_id));
    // Only the two reads by others: the teacher's own read of the route is not an access.
    assert_eq!(page.total, 2, "{page:#?}");
    // Newest first.
    assert!(page.items[0].at >= page.items[1].at);
    assert_eq!(shared::privacy::action_label(&tutor_read.action), "маршрут");
}

#[tokio::test]
async fn the_log_is_only_ever_the_callers_own_whatever_they_add_to_the_request() {
    let app = TestApp::spawn().await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let route = crate::routes::create(&teacher, "Маршрут").await;
    let tutor = app.as_user("tutor@iom.test").await;
    tutor
        .get_json::<RouteDto>(&format!("/api/v1/routes/{}", route.id))
        .await;
    log_until(&app, &teacher, |items| !items.is_empty()).await;

    // The tutor (who made the read) and a stranger see nothing of the teacher's log, even when
    // they name the teacher in the query.
    for email in ["tutor@iom.test", "expert@iom.test"] {
        let other = app.as_user(email).await;
        let page: Page<AccessLogEntry> = other
            .get_json(&format!(
                "{LOG}?person_id={teacher_id}&subject_id={teacher_id}"
            ))
            .await;
        assert!(
            page.items.iter().all(|e| e.entity_id != Some(route.id)),
            "{email}: {page:#?}"
        );
    }
    // Without signing in: 401.
    let res = app.get(LOG).send().await.unwrap();
    problem(res, StatusCode::UNAUTHORIZED).await;
    // Paging stays inside its documented bounds.
    let res = teacher
        .get(&format!("{LOG}?limit=100000"))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::BAD_REQUEST).await;
    let page: Page<AccessLogEntry> = teacher
        .get_json(&format!("{LOG}?limit={}", api::services::privacy::MAX_PAGE))
        .await;
    assert_eq!(page.limit, api::services::privacy::MAX_PAGE);
}

#[tokio::test]
async fn an_integration_clients_reads_appear_under_the_clients_name() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let route = crate::routes::create(&teacher, "Маршрут").await;
    let manager = app.as_user("manager@iom.test").await;
    let client = crate::integration::register(
        &manager,
        app.demo.region,
        &["read_routes"],
        json!({ "name": "Региональная система ИОМ" }),
    )
    .await;
    let res = app
        .get(&format!("/api/v1/sync/routes/{}", route.id))
        .bearer_auth(&client.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = log_until(&app, &teacher, |items| {
        items.iter().any(|e| e.actor_kind == "client")
    })
    .await;
    let read = page
        .items
        .iter()
        .find(|e| e.actor_kind == "client")
        .unwrap_or_else(|| panic!("{page:#?}"));
    assert_eq!(read.actor_name, "Региональная система ИОМ");
    assert_eq!(read.basis, ["read_routes"]);
}
