use e2e::{TestApp, ok_json};
use reqwest::StatusCode;

#[tokio::test]
async fn the_meta_endpoint_says_whether_demo_data_is_on() {
    let app = TestApp::spawn().await;
    let meta: serde_json::Value = ok_json(app.get("/api/v1/meta").send().await.unwrap()).await;
    assert_eq!(meta["demo"], true);
    assert!(meta["version"].is_string());
}

#[tokio::test]
async fn health_and_readiness_answer_ok() {
    let app = TestApp::spawn().await;
    let health: serde_json::Value = ok_json(app.get("/healthz").send().await.unwrap()).await;
    assert_eq!(health["status"], "ok");
    let ready: serde_json::Value = ok_json(app.get("/readyz").send().await.unwrap()).await;
    assert_eq!(ready["status"], "ok");
}

#[tokio::test]
async fn readiness_fails_with_a_problem_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.db.clone().close().await.unwrap();
    let res = app.get("/readyz").send().await.unwrap();
    let p = e2e::problem(res, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(p.code, "database_unavailable");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::spawn().await;
    app.get("/healthz").send().await.unwrap();
    app.get("/api/v1/me").send().await.unwrap();
    let text = app
        .get("/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(r#"iom_http_requests_total{method="GET",route="/healthz",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"iom_http_requests_total{method="GET",route="/api/v1/me",status="401"} 1"#),
        "{text}"
    );
    assert!(text.contains("iom_http_request_duration_seconds_bucket"));
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_keeps_a_sensible_incoming_one() {
    let app = TestApp::spawn().await;
    let res = app.get("/healthz").send().await.unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 32);
    let res = app
        .get("/api/v1/me")
        .header("x-request-id", "balancer-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "balancer-123");
    let p = e2e::problem(res, StatusCode::UNAUTHORIZED).await;
    assert_eq!(p.request_id.as_deref(), Some("balancer-123"));
}

#[tokio::test]
async fn the_openapi_document_and_the_offline_docs_ui_are_served() {
    let app = TestApp::spawn().await;
    let spec: serde_json::Value = ok_json(app.get("/api/openapi.json").send().await.unwrap()).await;
    assert!(spec["paths"]["/api/v1/auth/login"]["post"].is_object());
    assert_eq!(spec, api::openapi::spec_value().unwrap());

    let res = app.get("/api/docs").send().await.unwrap();
    assert!(res.status().is_redirection());
    let page = app.get("/api/docs/").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    // Everything the page loads comes from this server: no CDN.
    assert!(
        !html.contains("https://"),
        "the docs page links outside: {html}"
    );
    let bundle = app
        .get("/api/docs/swagger-ui-bundle.js")
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), StatusCode::OK);
}

#[tokio::test]
async fn without_a_built_spa_the_root_says_how_to_build_it() {
    let app = TestApp::spawn().await;
    let res = app.get("/").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("trunk build"));
}

#[tokio::test]
async fn a_built_spa_is_served_with_client_side_routes_falling_back_to_index() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>SPA</title>",
    )
    .unwrap();
    std::fs::write(dir.path().join("app.js"), "console.log(1)").unwrap();
    let app = TestApp::spawn_with(e2e::Options {
        web_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    })
    .await;
    for path in ["/", "/login", "/routes/123/edit"] {
        let res = app.get(path).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(res.text().await.unwrap().contains("SPA"), "{path}");
    }
    let js = app.get("/app.js").send().await.unwrap();
    assert_eq!(js.status(), StatusCode::OK);
    // A missing asset is a 404, not the page; the API never falls back to the page.
    let missing = app.get("/missing.js").send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let api = app.get("/api/v1/nothing-here").send().await.unwrap();
    e2e::problem(api, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn recurring_housekeeping_is_enqueued_once_per_slot_and_clears_what_expired() {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let app = TestApp::spawn().await;
    let now = api::db::now();
    // Several instances asking for the same hour's slot make one job.
    for _ in 0..3 {
        api::jobs::schedule_recurring(
            &app.db,
            api::jobs::HOUSEKEEPING,
            chrono::Duration::hours(1),
            now,
        )
        .await
        .unwrap();
    }
    let jobs = api::db::entities::job::Entity::find()
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(jobs, 1);
    // An expired refresh token and an orphan file an hour old.
    let teacher = e2e::fixtures::id_of(&app, "teacher@iom.test").await;
    api::db::tokens::insert(
        &app.db,
        teacher,
        uuid::Uuid::new_v4(),
        "h".into(),
        now - chrono::Duration::days(3),
        now - chrono::Duration::days(17),
    )
    .await
    .unwrap();
    std::fs::create_dir_all(&app.settings.files_dir).unwrap();
    let orphan = app.settings.files_dir.join("0123456789abcdef");
    std::fs::write(&orphan, b"left over").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&orphan)
        .unwrap()
        .set_modified(old)
        .unwrap();
    assert_eq!(app.run_jobs().await, 1);
    assert_eq!(
        api::db::entities::refresh_token::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        0
    );
    assert!(!orphan.exists(), "an orphan file is swept");
    let done = api::db::entities::job::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.state, "done");
}
