//! The integration API as a regional platform uses it: credentials, full and incremental sync,
//! scope, rotation and revocation, rate limits, webhooks signed, retried, disabled.

use std::collections::{HashMap, HashSet};

use e2e::receiver::Receiver;
use e2e::{TestApp, User, fixtures, ok_json, problem};
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;
use shared::Role;
use shared::dto::*;
use shared::workflow::RouteAction;
use uuid::Uuid;

use crate::routes::{create, fill, send, step_ok};

pub async fn register(
    user: &User<'_>,
    unit: Uuid,
    scopes: &[&str],
    extra: Value,
) -> IssuedCredentials {
    let mut body = json!({ "name": "Региональная платформа", "unit_id": unit, "scopes": scopes });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let res = send(user, Method::POST, "/api/v1/integrations", body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    ok_json(res).await
}

pub async fn pull(
    app: &TestApp,
    key: &str,
    feed: &str,
    since: Option<&str>,
    limit: u64,
) -> SyncPage<Value> {
    let mut url = format!("/api/v1/sync/{feed}?limit={limit}");
    if let Some(s) = since {
        url.push_str(&format!("&since={s}"));
    }
    ok_json(app.get(&url).bearer_auth(key).send().await.unwrap()).await
}

/// Pulls until nothing more is waiting; returns the items and the last cursor.
pub async fn pull_all(
    app: &TestApp,
    key: &str,
    feed: &str,
    since: Option<String>,
    limit: u64,
) -> (Vec<SyncItem<Value>>, String) {
    let mut cursor = since;
    let mut items = Vec::new();
    loop {
        let page = pull(app, key, feed, cursor.as_deref(), limit).await;
        items.extend(page.items);
        cursor = Some(page.next_cursor);
        if !page.has_more {
            return (items, cursor.unwrap());
        }
    }
}

#[tokio::test]
async fn a_regional_platform_gets_credentials_and_pulls_everything_then_only_changes() {
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let issued = register(
        &manager,
        app.demo.region,
        &["read_routes", "read_people"],
        json!({}),
    )
    .await;
    assert!(issued.api_key.starts_with("iomk_"));
    // The secret is never shown again.
    let card: ClientDto = manager
        .get_json(&format!("/api/v1/integrations/{}", issued.client_id))
        .await;
    assert!(
        !serde_json::to_string(&card)
            .unwrap()
            .contains(&issued.client_secret)
    );

    // OAuth 2.0 client credentials, as a form.
    let res = app
        .post("/api/v1/oauth/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            issued.client_id, issued.client_secret
        ))
        .send()
        .await
        .unwrap();
    let token: OAuthTokenResponse = ok_json(res).await;
    assert_eq!(token.scope, "read_routes read_people");
    let bad = app.post("/api/v1/oauth/token").json(&json!({ "grant_type": "client_credentials", "client_id": issued.client_id, "client_secret": "x.y" })).send().await.unwrap();
    assert_eq!(
        problem(bad, StatusCode::UNAUTHORIZED).await.code,
        "invalid_client"
    );
    // Client tokens and personal tokens never stand in for each other.
    assert_eq!(
        app.get("/api/v1/me")
            .bearer_auth(&token.access_token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        teacher
            .get("/api/v1/sync/routes")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // The full export: the ten demo people and the routes.
    let route = fill(&teacher, create(&teacher, "Маршрут для выгрузки").await).await;
    let (people, _) = pull_all(&app, &token.access_token, "people", None, 3).await;
    assert_eq!(
        people.len(),
        9,
        "every demo person with a workplace in the region"
    );
    let (routes, cursor) = pull_all(&app, &issued.api_key, "routes", None, 100).await;
    assert_eq!(routes.len(), 1);
    let summary: RouteStatusSummary =
        serde_json::from_value(routes[0].data.clone().unwrap()).unwrap();
    assert_eq!(summary.teacher.full_name, "Иванова Мария Петровна");
    assert_eq!(
        (
            summary.tasks,
            summary.activities_planned,
            summary.deficits.len()
        ),
        (1, 2, 2)
    );

    // Nothing changed: nothing comes.
    let page = pull(&app, &issued.api_key, "routes", Some(&cursor), 100).await;
    assert!(page.items.is_empty() && !page.has_more);
    assert_eq!(page.next_cursor, cursor);
    // One route changes and another is created: exactly those two come.
    let route = step_ok(&teacher, &route, RouteAction::Submit, json!({})).await;
    let other = create(&teacher, "Второй маршрут").await;
    let (changed, cursor) = pull_all(&app, &issued.api_key, "routes", Some(cursor), 100).await;
    let ids: HashSet<Uuid> = changed.iter().map(|i| i.id).collect();
    assert_eq!(ids, HashSet::from([route.id, other.id]));
    // A deleted draft comes as a tombstone; a withdrawn route too.
    teacher
        .request(
            Method::DELETE,
            &format!("/api/v1/routes/{}?version={}", other.id, other.version),
        )
        .send()
        .await
        .unwrap();
    step_ok(&teacher, &route, RouteAction::Withdraw, json!({})).await;
    let (gone, _) = pull_all(&app, &issued.api_key, "routes", Some(cursor), 100).await;
    assert_eq!(gone.len(), 2);
    assert!(gone.iter().all(|i| i.tombstone && i.data.is_none()));

    // A garbled cursor is a clear 400.
    let res = app
        .get("/api/v1/sync/routes?since=garbage")
        .bearer_auth(&issued.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(res, StatusCode::BAD_REQUEST).await.code,
        "invalid_cursor"
    );
    // Every call is audited with the client's identity.
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let calls = api::db::entities::audit_log::Entity::find()
        .filter(api::db::entities::audit_log::Column::ActorId.eq(issued.client_id))
        .filter(api::db::entities::audit_log::Column::ActorKind.eq("client"))
        .count(&app.db)
        .await
        .unwrap();
    assert!(calls >= 8, "{calls}");
}

#[tokio::test]
async fn a_client_sees_only_its_municipality_and_region_and_only_with_its_scopes() {
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let d = app.demo.clone();
    let mb = fixtures::person(&app.db, "mb@iom.test", Role::Teacher, Some(d.school_b)).await;
    let _ = mb;
    let ours = create(
        &app.as_user("teacher@iom.test").await,
        "Маршрут муниципалитета А",
    )
    .await;
    let theirs = create(
        &app.as_user("mb@iom.test").await,
        "Маршрут муниципалитета Б",
    )
    .await;
    let muni_a = register(&manager, d.municipality_a, &["read_routes"], json!({})).await;
    let (items, _) = pull_all(&app, &muni_a.api_key, "routes", None, 100).await;
    assert_eq!(items.iter().map(|i| i.id).collect::<Vec<_>>(), [ours.id]);
    let res = app
        .get(&format!("/api/v1/sync/routes/{}", theirs.id))
        .bearer_auth(&muni_a.api_key)
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    // No people scope: 403.
    let res = app
        .get("/api/v1/sync/people")
        .bearer_auth(&muni_a.api_key)
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::FORBIDDEN).await;

    // A client of another region sees nothing of this one; its manager cannot see our client.
    let other_school = fixtures::other_region_school(&app.db).await;
    let unit = api::db::units::find(&app.db, other_school)
        .await
        .unwrap()
        .unwrap();
    fixtures::person(
        &app.db,
        "om@iom.test",
        Role::RegionalManager,
        Some(unit.region_id),
    )
    .await;
    let other_manager = app.as_user("om@iom.test").await;
    let foreign = register(
        &other_manager,
        unit.region_id,
        &["read_routes", "read_people"],
        json!({}),
    )
    .await;
    let (items, _) = pull_all(&app, &foreign.api_key, "routes", None, 100).await;
    assert!(items.is_empty());
    let (people, _) = pull_all(&app, &foreign.api_key, "people", None, 100).await;
    assert!(
        people
            .iter()
            .all(|p| p.data.as_ref().unwrap()["email"] == "om@iom.test")
    );
    problem(
        other_manager
            .get(&format!("/api/v1/integrations/{}", muni_a.client_id))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    // Only managers register clients, and only for their own region.
    let res = send(
        &app.as_user("director@iom.test").await,
        Method::POST,
        "/api/v1/integrations",
        json!({ "name": "x", "unit_id": d.region, "scopes": ["read_routes"] }),
    )
    .await;
    problem(res, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn credentials_rotate_with_an_overlap_and_revocation_is_immediate() {
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let first = register(&manager, app.demo.region, &["read_routes"], json!({})).await;
    let call = |key: String| {
        let app = &app;
        async move {
            app.get("/api/v1/integration/me")
                .bearer_auth(key)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let second: IssuedCredentials = ok_json(
        send(
            &manager,
            Method::POST,
            &format!("/api/v1/integrations/{}/rotate", first.client_id),
            json!({ "overlap_hours": 24 }),
        )
        .await,
    )
    .await;
    assert_eq!(
        call(first.api_key.clone()).await,
        StatusCode::OK,
        "the old key works during the overlap"
    );
    assert_eq!(call(second.api_key.clone()).await, StatusCode::OK);
    let third: IssuedCredentials = ok_json(
        send(
            &manager,
            Method::POST,
            &format!("/api/v1/integrations/{}/rotate", first.client_id),
            json!({ "overlap_hours": 0 }),
        )
        .await,
    )
    .await;
    assert_eq!(
        call(second.api_key.clone()).await,
        StatusCode::UNAUTHORIZED,
        "no overlap: the old key stops at once"
    );
    assert_eq!(call(third.api_key.clone()).await, StatusCode::OK);
    let token: OAuthTokenResponse = ok_json(
        app.post("/api/v1/oauth/token")
            .basic_auth(third.client_id, Some(&third.client_secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(call(token.access_token.clone()).await, StatusCode::OK);
    let revoked: ClientDto = ok_json(
        manager
            .post(&format!("/api/v1/integrations/{}/revoke", first.client_id))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(revoked.revoked);
    assert_eq!(call(third.api_key).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        call(token.access_token).await,
        StatusCode::UNAUTHORIZED,
        "tokens already issued stop too"
    );
}

#[tokio::test]
async fn calls_are_rate_limited_per_client_with_ratelimit_headers_and_addresses_can_be_restricted()
{
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let limited = register(
        &manager,
        app.demo.region,
        &["read_routes"],
        json!({ "rate_limit_per_minute": 3 }),
    )
    .await;
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let res = app
            .get("/api/v1/integration/me")
            .bearer_auth(&limited.api_key)
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["ratelimit-limit"], "3");
        remaining.push(
            res.headers()["ratelimit-remaining"]
                .to_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let res = app
        .get("/api/v1/integration/me")
        .bearer_auth(&limited.api_key)
        .send()
        .await
        .unwrap();
    assert!(res.headers().contains_key("retry-after"));
    problem(res, StatusCode::TOO_MANY_REQUESTS).await;

    let fenced = register(
        &manager,
        app.demo.region,
        &["read_routes"],
        json!({ "ip_allowlist": ["10.0.0.0/8"] }),
    )
    .await;
    let res = app
        .get("/api/v1/integration/me")
        .bearer_auth(&fenced.api_key)
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::FORBIDDEN).await;
    let res = send(&manager, Method::POST, "/api/v1/integrations", json!({ "name": "x", "unit_id": app.demo.region, "scopes": ["read_routes"], "ip_allowlist": ["not-a-network"] })).await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
}

#[tokio::test]
async fn a_single_route_status_has_an_etag() {
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let client = register(&manager, app.demo.region, &["read_routes"], json!({})).await;
    let route = create(&app.as_user("teacher@iom.test").await, "Маршрут").await;
    let url = format!("/api/v1/sync/routes/{}", route.id);
    let res = app
        .get(&url)
        .bearer_auth(&client.api_key)
        .send()
        .await
        .unwrap();
    let tag = res.headers()["etag"].to_str().unwrap().to_owned();
    let res = app
        .get(&url)
        .bearer_auth(&client.api_key)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    let res = app
        .get(&url)
        .bearer_auth(&client.api_key)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// Many writers change routes while a client pages through the feed with a small page: at the
/// end it has seen every route in its final version, and no (route, version) twice.
#[tokio::test]
async fn the_cursor_never_loses_or_repeats_a_change_under_concurrent_writes() {
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let client = register(&manager, app.demo.region, &["read_routes"], json!({})).await;
    let teacher = app.as_user("teacher@iom.test").await;
    let mut routes = Vec::new();
    for i in 0..12 {
        routes.push(create(&teacher, &format!("Маршрут {i}")).await);
    }
    let writers = async {
        for round in 0..4 {
            let mut batch = Vec::new();
            for r in &routes {
                let teacher = &teacher;
                let id = r.id;
                batch.push(async move {
                    send(
                        teacher,
                        Method::POST,
                        &format!("/api/v1/routes/{id}/deficits"),
                        json!({ "title": format!("Дефицит {round}") }),
                    )
                    .await
                });
            }
            for res in futures_join_all(batch).await {
                assert_eq!(res.status(), StatusCode::OK);
            }
        }
    };
    let reader = async {
        let mut seen: Vec<(Uuid, i64)> = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..40 {
            let page = pull(&app, &client.api_key, "routes", cursor.as_deref(), 5).await;
            for item in &page.items {
                seen.push((
                    item.id,
                    item.data.as_ref().unwrap()["version"].as_i64().unwrap(),
                ));
            }
            cursor = Some(page.next_cursor);
        }
        (seen, cursor)
    };
    let ((), (mut seen, cursor)) = tokio::join!(writers, reader);
    let (rest, _) = pull_all(&app, &client.api_key, "routes", cursor, 5).await;
    seen.extend(
        rest.iter()
            .map(|i| (i.id, i.data.as_ref().unwrap()["version"].as_i64().unwrap())),
    );
    let unique: HashSet<(Uuid, i64)> = seen.iter().copied().collect();
    assert_eq!(
        unique.len(),
        seen.len(),
        "a change was delivered twice: {seen:?}"
    );
    let mut last: HashMap<Uuid, i64> = HashMap::new();
    for (id, v) in &seen {
        let e = last.entry(*id).or_default();
        *e = (*e).max(*v);
    }
    for r in &routes {
        let now: RouteDto = teacher.get_json(&format!("/api/v1/routes/{}", r.id)).await;
        assert_eq!(
            last.get(&r.id).copied(),
            Some(i64::from(now.version)),
            "route {} ended unseen at its last version",
            r.id
        );
    }
}

async fn futures_join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut out = Vec::new();
    let handles: Vec<_> = futures.into_iter().collect();
    // Run them together on this task.
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = handles.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if results[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => results[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.extend(results.into_iter().flatten());
    out
}

fn verify(secret: &str, header: &str, body: &str) -> bool {
    let mut t = "";
    let mut v1 = "";
    for part in header.split(',') {
        if let Some(x) = part.strip_prefix("t=") {
            t = x;
        } else if let Some(x) = part.strip_prefix("v1=") {
            v1 = x;
        }
    }
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    hex == v1
}

#[tokio::test]
async fn approvals_and_completions_arrive_as_signed_webhooks_and_nothing_from_another_region() {
    let app = TestApp::spawn_with_loopback_webhooks().await;
    let receiver = Receiver::start().await;
    let manager = app.as_user("manager@iom.test").await;
    let client = register(&manager, app.demo.region, &["read_routes"], json!({})).await;
    let hook: WebhookDto = ok_json(
        send(
            &manager,
            Method::POST,
            &format!("/api/v1/integrations/{}/webhooks", client.client_id),
            json!({ "url": receiver.url, "events": ["route.approved", "route.completed"] }),
        )
        .await,
    )
    .await;
    let secret = hook.secret.clone().unwrap();
    // Another region's client subscribed to everything hears nothing of ours.
    let other_receiver = Receiver::start().await;
    let other_school = fixtures::other_region_school(&app.db).await;
    let unit = api::db::units::find(&app.db, other_school)
        .await
        .unwrap()
        .unwrap();
    fixtures::person(
        &app.db,
        "om@iom.test",
        Role::RegionalManager,
        Some(unit.region_id),
    )
    .await;
    let om = app.as_user("om@iom.test").await;
    let foreign = register(&om, unit.region_id, &["read_routes"], json!({})).await;
    send(&om, Method::POST, &format!("/api/v1/integrations/{}/webhooks", foreign.client_id),
        json!({ "url": other_receiver.url, "events": ["route.submitted", "route.approved", "route.completed"] })).await;

    let teacher = app.as_user("teacher@iom.test").await;
    let route = fill(&teacher, create(&teacher, "Маршрут").await).await;
    let route = step_ok(&teacher, &route, RouteAction::Submit, json!({})).await;
    let route = step_ok(
        &app.as_user("tutor@iom.test").await,
        &route,
        RouteAction::TutorAgree,
        json!({}),
    )
    .await;
    let route = step_ok(
        &app.as_user("deputy@iom.test").await,
        &route,
        RouteAction::Agree,
        json!({}),
    )
    .await;
    step_ok(
        &app.as_user("director@iom.test").await,
        &route,
        RouteAction::Approve,
        json!({}),
    )
    .await;
    app.run_jobs().await;
    let hits = receiver.hits();
    assert_eq!(hits.len(), 1, "only the subscribed event");
    let hit = &hits[0];
    assert_eq!(hit.header("iom-event"), Some("route.approved"));
    assert!(
        verify(&secret, hit.header("iom-signature").unwrap(), &hit.body),
        "a valid HMAC-SHA256 signature"
    );
    assert!(!verify(
        "wrong",
        hit.header("iom-signature").unwrap(),
        &hit.body
    ));
    let body: Value = serde_json::from_str(&hit.body).unwrap();
    assert_eq!(body["type"], "route.approved");
    assert_eq!(body["data"]["route"]["status"], "approved");
    assert!(other_receiver.hits().is_empty());
    let log: Vec<DeliveryDto> = manager
        .get_json(&format!("/api/v1/webhooks/{}/deliveries", hook.id))
        .await;
    assert_eq!(
        (log[0].status, log[0].last_status_code),
        (DeliveryStatus::Delivered, Some(200))
    );
}

#[tokio::test]
async fn failing_receivers_are_retried_with_backoff_then_given_up_and_disabled() {
    let app = TestApp::spawn_with_loopback_webhooks().await;
    let receiver = Receiver::start().await;
    receiver.answer(500);
    let manager = app.as_user("manager@iom.test").await;
    let client = register(&manager, app.demo.region, &["read_routes"], json!({})).await;
    let hook: WebhookDto = ok_json(
        send(
            &manager,
            Method::POST,
            &format!("/api/v1/integrations/{}/webhooks", client.client_id),
            json!({ "url": receiver.url, "events": ["route.submitted", "route.withdrawn"] }),
        )
        .await,
    )
    .await;
    let teacher = app.as_user("teacher@iom.test").await;
    let mut routes = Vec::new();
    for i in 0..api::services::integration::webhooks::DISABLE_AFTER {
        let r = fill(&teacher, create(&teacher, &format!("Маршрут {i}")).await).await;
        routes.push(step_ok(&teacher, &r, RouteAction::Submit, json!({})).await);
    }
    // The first attempt fails; the retry waits for its back-off. (Each submission's notices,
    // and the letter to the tutor they queue, are jobs of their own, done in the same run.)
    assert_eq!(
        app.run_jobs().await as i32,
        3 * api::services::integration::webhooks::DISABLE_AFTER
    );
    assert_eq!(
        app.run_jobs().await,
        0,
        "nothing is due before the back-off"
    );
    for _ in 1..api::services::integration::webhooks::MAX_ATTEMPTS {
        app.skip_backoff().await;
        app.run_jobs().await;
    }
    let expected = (api::services::integration::webhooks::MAX_ATTEMPTS
        * api::services::integration::webhooks::DISABLE_AFTER) as usize;
    assert_eq!(receiver.hits().len(), expected);
    let log: Vec<DeliveryDto> = manager
        .get_json(&format!("/api/v1/webhooks/{}/deliveries", hook.id))
        .await;
    assert!(
        log.iter()
            .all(|d| d.status == DeliveryStatus::Failed && d.last_status_code == Some(500)),
        "{log:#?}"
    );
    let hooks: Vec<WebhookDto> = manager
        .get_json(&format!(
            "/api/v1/integrations/{}/webhooks",
            client.client_id
        ))
        .await;
    assert!(
        !hooks[0].active && hooks[0].disabled_at.is_some(),
        "disabled after persistent failure"
    );
    // While disabled nothing is sent; fixed and re-enabled, a delivery can be sent again by hand.
    step_ok(&teacher, &routes[0], RouteAction::Withdraw, json!({})).await;
    app.run_jobs().await;
    assert_eq!(receiver.hits().len(), expected);
    receiver.answer(204);
    ok_json::<WebhookDto>(
        manager
            .post(&format!("/api/v1/webhooks/{}/enable", hook.id))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let again: DeliveryDto = ok_json(
        manager
            .post(&format!(
                "/api/v1/webhook-deliveries/{}/redeliver",
                log[0].id
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(again.status, DeliveryStatus::Pending);
    app.run_jobs().await;
    let log: Vec<DeliveryDto> = manager
        .get_json(&format!("/api/v1/webhooks/{}/deliveries", hook.id))
        .await;
    assert_eq!(
        log.iter()
            .filter(|d| d.status == DeliveryStatus::Delivered)
            .count(),
        1
    );
}

/// Two workers share the queue: every delivery is sent exactly once.
#[tokio::test]
async fn two_workers_never_send_a_delivery_twice() {
    let app = TestApp::spawn_with_loopback_webhooks().await;
    let receiver = Receiver::start().await;
    let manager = app.as_user("manager@iom.test").await;
    let client = register(&manager, app.demo.region, &["read_routes"], json!({})).await;
    send(
        &manager,
        Method::POST,
        &format!("/api/v1/integrations/{}/webhooks", client.client_id),
        json!({ "url": receiver.url, "events": ["route.submitted", "route.withdrawn"] }),
    )
    .await;
    let teacher = app.as_user("teacher@iom.test").await;
    for i in 0..15 {
        let r = fill(&teacher, create(&teacher, &format!("Маршрут {i}")).await).await;
        let r = step_ok(&teacher, &r, RouteAction::Submit, json!({})).await;
        step_ok(&teacher, &r, RouteAction::Withdraw, json!({})).await;
    }
    // Only deliveries: the events' notices are jobs of their own.
    let registry = api::jobs::Registry::default().register(
        api::services::integration::webhooks::DELIVER,
        |db, payload| api::services::integration::webhooks::deliver_job(db, true, payload),
    );
    let worker = |name: &'static str| {
        let db = app.db.clone();
        let registry = registry.clone();
        async move {
            let mut n = 0;
            while api::jobs::run_once(&db, &registry, name).await.unwrap() {
                n += 1;
            }
            n
        }
    };
    let (a, b) = tokio::join!(worker("worker-a"), worker("worker-b"));
    assert_eq!(
        a + b,
        30,
        "each delivery claimed once between the two ({a} + {b})"
    );
    let ids: Vec<String> = receiver
        .hits()
        .iter()
        .map(|h| h.header("iom-delivery-id").unwrap().to_owned())
        .collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!((ids.len(), unique.len()), (30, 30));
}
