use e2e::{Options, TestApp, ok_json, problem};
use reqwest::StatusCode;
use shared::Role;
use shared::dto::{MeResponse, TokenResponse};

#[tokio::test]
async fn every_demo_person_signs_in_and_sees_their_roles() {
    let app = TestApp::spawn().await;
    for (email, role, name) in api::services::demo::LOGINS {
        let user = app.as_user(email).await;
        let me: MeResponse = user.get_json("/api/v1/me").await;
        assert_eq!(me.person.email, *email);
        assert_eq!(me.person.full_name(), *name);
        assert!(me.has_role(*role), "{email} should hold {role}");
    }
}

#[tokio::test]
async fn the_demo_teacher_sees_a_consenting_tutor_and_a_mentor() {
    let app = TestApp::spawn().await;
    let me: MeResponse = app
        .as_user("teacher@iom.test")
        .await
        .get_json("/api/v1/me")
        .await;
    let tutor = me
        .my_staff
        .iter()
        .find(|a| a.person.email == "tutor@iom.test")
        .unwrap();
    assert!(tutor.consent_at.is_some());
    assert!(
        me.my_staff
            .iter()
            .any(|a| a.person.email == "methodist@iom.test")
    );
    assert_eq!(me.person.workplace.unwrap().id, app.demo.school);
    assert_eq!(me.person.teaching_experience_years, Some(12));

    let tutor: MeResponse = app
        .as_user("tutor@iom.test")
        .await
        .get_json("/api/v1/me")
        .await;
    assert_eq!(tutor.my_teachers.len(), 1);
    assert_eq!(tutor.my_teachers[0].person.email, "teacher@iom.test");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let wrong = problem(
        app.login_response("teacher@iom.test", "nope-nope").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let unknown = problem(
        app.login_response("nobody@iom.test", "nope-nope").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(wrong.code, "invalid_credentials");
    assert_eq!(wrong.code, unknown.code);
    assert_eq!(wrong.detail, unknown.detail);
    assert!(wrong.detail.unwrap().contains("Неверный"));
}

#[tokio::test]
async fn e_mail_is_matched_without_regard_to_case_or_spaces() {
    let app = TestApp::spawn().await;
    let res = app.login_response("  Teacher@IOM.test ", "demo12345").await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn repeated_failures_for_an_account_are_slowed_down() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        let res = app.login_response("director@iom.test", "wrong-one").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // The sixth failure starts a pause: from now on even the right password waits.
    let res = app.login_response("director@iom.test", "wrong-one").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app.login_response("director@iom.test", "demo12345").await;
    let retry_after: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry_after));
    let p = problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(p.code, "too_many_requests");
    // Another account from the same address is not affected.
    assert_eq!(
        app.login_response("deputy@iom.test", "demo12345")
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_refresh_cookie_is_http_only_strict_and_scoped_to_auth() {
    let app = TestApp::spawn().await;
    let res = app.login_response("teacher@iom.test", "demo12345").await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("iom_refresh="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Strict"));
    assert!(cookie.contains("Path=/api/v1/auth"));
    assert!(
        !cookie.contains("Secure"),
        "served over plain http on a loopback host (development): {cookie}"
    );
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        body.get("refresh_token").is_none(),
        "the refresh token never reaches scripts"
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
}

#[tokio::test]
async fn a_refresh_rotates_the_token_and_a_reused_one_ends_the_sign_in() {
    let app = TestApp::spawn().await;
    let first = app.login_response("teacher@iom.test", "demo12345").await;
    let cookie = first.headers()["set-cookie"].to_str().unwrap().to_owned();
    let original = cookie.split(';').next().unwrap().to_owned();

    // The client's cookie store now holds the token: a refresh gives a working access token.
    let refreshed: TokenResponse =
        ok_json(app.post("/api/v1/auth/refresh").send().await.unwrap()).await;
    let me = app
        .get("/api/v1/me")
        .bearer_auth(&refreshed.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);

    // Someone replays the original (already rotated) token: it is refused…
    let replay = e2e::client()
        .post(app.url("/api/v1/auth/refresh"))
        .header("cookie", &original)
        .send()
        .await
        .unwrap();
    let p = problem(replay, StatusCode::UNAUTHORIZED).await;
    assert_eq!(p.code, "invalid_refresh_token");
    // …and the legitimate chain is revoked with it.
    let res = app.post("/api/v1/auth/refresh").send().await.unwrap();
    problem(res, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn signing_out_revokes_the_refresh_token_and_clears_the_cookie() {
    let app = TestApp::spawn().await;
    app.login_response("teacher@iom.test", "demo12345").await;
    let res = app.post("/api/v1/auth/logout").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let cleared = res.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cleared.starts_with("iom_refresh=;") || cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    let res = app.post("/api/v1/auth/refresh").send().await.unwrap();
    problem(res, StatusCode::UNAUTHORIZED).await;
    // Signing out again is harmless.
    let again = app.post("/api/v1/auth/logout").send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn missing_malformed_and_foreign_tokens_get_401() {
    let app = TestApp::spawn().await;
    let p = problem(
        app.get("/api/v1/me").send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(p.code, "unauthenticated");
    let p = problem(
        app.get("/api/v1/me")
            .bearer_auth("not.a.jwt")
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(p.code, "invalid_token");
    // Signed with another secret.
    let foreign = api::auth::jwt::JwtKeys::new(&secrecy::SecretString::from("other"))
        .issue(uuid::Uuid::new_v4(), "", api::auth::jwt::now_secs(), None)
        .unwrap();
    let res = app
        .get("/api/v1/me")
        .bearer_auth(foreign)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    problem(res, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn an_expired_access_token_gets_401() {
    let app = TestApp::spawn().await;
    let teacher = e2e::fixtures::id_of(&app, "teacher@iom.test").await;
    let valid = app.mint_token(teacher).await;
    let ok = app
        .get("/api/v1/me")
        .bearer_auth(valid)
        .send()
        .await
        .unwrap();
    assert_eq!(
        ok.status(),
        StatusCode::OK,
        "a token signed with the stored secret works"
    );
    let expired = app
        .mint_token_at(teacher, api::auth::jwt::now_secs() - 3600)
        .await;
    let p = problem(
        app.get("/api/v1/me")
            .bearer_auth(expired)
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(p.code, "invalid_token");
}

#[tokio::test]
async fn a_deactivated_person_is_locked_out_at_once() {
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
    let app = TestApp::spawn().await;
    let user = app.as_user("tutor@iom.test").await;
    let model = api::db::users::find_by_email(&app.db, "tutor@iom.test")
        .await
        .unwrap()
        .unwrap();
    let mut am = model.into_active_model();
    am.active = Set(false);
    am.update(&app.db).await.unwrap();
    // The access token issued before is worthless now…
    let p = problem(
        user.get("/api/v1/me").send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(p.code, "invalid_token");
    // …and signing in says the account is off.
    let p = problem(
        app.login_response("tutor@iom.test", "demo12345").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(p.code, "account_inactive");
}

#[tokio::test]
async fn sign_ins_and_reuse_are_in_the_audit_log() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = TestApp::spawn().await;
    app.token("teacher@iom.test").await;
    let teacher = e2e::fixtures::id_of(&app, "teacher@iom.test").await;
    let rows = api::db::entities::audit_log::Entity::find()
        .filter(api::db::entities::audit_log::Column::ActorId.eq(teacher))
        .all(&app.db)
        .await
        .unwrap();
    assert!(
        rows.iter()
            .any(|r| r.action == "auth.login" && r.request_id.is_some())
    );
}

/// The `Set-Cookie` of a sign-in on a server reached at `public_url`. Without demo data: the
/// server refuses the demo's published passwords behind an https address.
async fn sign_in_cookie(public_url: &str) -> String {
    e2e::init_process();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = e2e::fresh_settings(dir.path()).await;
    settings.public_url = Some(public_url.to_owned());
    let app = api::startup::Application::build(settings).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let db = app.db.clone();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    e2e::fixtures::person(&db, "cookie@iom.test", shared::Role::Teacher, None).await;
    let res = e2e::client()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({ "email": "cookie@iom.test", "password": api::services::demo::PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{public_url}");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    handle.stop(false).await;
    cookie
}

#[tokio::test]
async fn the_refresh_cookie_is_secure_unless_the_product_is_plain_http_on_a_loopback_host() {
    for url in ["https://iom.example", "http://iom.example"] {
        let cookie = sign_in_cookie(url).await;
        assert!(cookie.contains("; Secure"), "{url}: {cookie}");
    }
    let cookie = sign_in_cookie("http://localhost:8080").await;
    assert!(!cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn signing_out_ends_the_access_token_at_once_and_other_sign_ins_refresh() {
    let app = TestApp::spawn().await;
    // Another device, with its own cookie store.
    let phone = e2e::client();
    let phone_session: TokenResponse = ok_json(
        phone
            .post(app.url("/api/v1/auth/login"))
            .json(&serde_json::json!({ "email": "teacher@iom.test", "password": "demo12345" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let user = app.as_user("teacher@iom.test").await;
    assert_eq!(
        user.get("/api/v1/me").send().await.unwrap().status(),
        StatusCode::OK
    );
    let res = app.post("/api/v1/auth/logout").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let p = problem(
        user.get("/api/v1/me").send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(p.code, "invalid_token");
    // The other device's access token stops too, but its sign-in goes on: one refresh.
    let me = phone
        .get(app.url("/api/v1/me"))
        .bearer_auth(&phone_session.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    let refreshed: TokenResponse = ok_json(
        phone
            .post(app.url("/api/v1/auth/refresh"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let me = phone
        .get(app.url("/api/v1/me"))
        .bearer_auth(&refreshed.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_new_password_ends_every_access_token_issued_before() {
    let app = TestApp::spawn().await;
    let other_tab = app.as_user("teacher@iom.test").await;
    let user = app.as_user("teacher@iom.test").await;
    let res = user
        .post("/api/v1/me/password")
        .json(&serde_json::json!({ "current_password": "demo12345", "new_password": "новый надёжный пароль" }))
        .send()
        .await
        .unwrap();
    let session: TokenResponse = ok_json(res).await;
    for old in [&other_tab, &user] {
        assert_eq!(
            old.get("/api/v1/me").send().await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let me = app
        .get("/api/v1/me")
        .bearer_auth(&session.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK, "the new session works");
}

#[tokio::test]
async fn granting_or_revoking_a_role_renews_the_persons_access_tokens() {
    let app = TestApp::spawn().await;
    let id =
        e2e::fixtures::person(&app.db, "t@iom.test", Role::Teacher, Some(app.demo.school)).await;
    let person = app.as_user("t@iom.test").await;
    let coordinator = app.as_user("coordinator@iom.test").await;
    let card: shared::dto::PersonDetail = ok_json(
        coordinator
            .post(&format!("/api/v1/people/{id}/roles"))
            .json(&serde_json::json!({ "role": "tutor", "unit_id": app.demo.school }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        person.get("/api/v1/me").send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let person = app.as_user("t@iom.test").await;
    let grant = card
        .roles
        .iter()
        .find(|r| r.role == Role::Tutor)
        .unwrap()
        .id;
    let res = coordinator
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/role-grants/{grant}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        person.get("/api/v1/me").send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

/// Moves the start of every sign-in of a person back by `days`.
async fn age_sessions(app: &TestApp, email: &str, days: i64) {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let id = e2e::fixtures::id_of(app, email).await;
    api::db::entities::refresh_token::Entity::update_many()
        .col_expr(
            api::db::entities::refresh_token::Column::SessionStartedAt,
            Expr::value(api::db::now() - chrono::Duration::days(days)),
        )
        .filter(api::db::entities::refresh_token::Column::UserId.eq(id))
        .exec(&app.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_sign_in_ends_at_its_absolute_lifetime_however_often_it_is_refreshed() {
    let app = TestApp::spawn_with(Options {
        configure: Some(Box::new(|s| s.session_max_days = 2)),
        ..Default::default()
    })
    .await;
    let res = app.login_response("teacher@iom.test", "demo12345").await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    let max_age: i64 = cookie
        .split("; ")
        .find_map(|p| p.strip_prefix("Max-Age="))
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        max_age <= 2 * 86400 && max_age > 2 * 86400 - 60,
        "the cookie lives no longer than the sign-in: {max_age}"
    );
    // A day in, refreshing still works; the new cookie ends where the sign-in ends.
    age_sessions(&app, "teacher@iom.test", 1).await;
    let res = app.post("/api/v1/auth/refresh").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    let max_age: i64 = cookie
        .split("; ")
        .find_map(|p| p.strip_prefix("Max-Age="))
        .unwrap()
        .parse()
        .unwrap();
    assert!(max_age <= 86400, "{max_age}");
    let token: TokenResponse = res.json().await.unwrap();
    assert!(token.expires_in <= 900);
    // Past its lifetime, no refresh brings it back.
    age_sessions(&app, "teacher@iom.test", 3).await;
    let p = problem(
        app.post("/api/v1/auth/refresh").send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(p.code, "invalid_refresh_token");
}

#[tokio::test]
async fn failed_sign_ins_are_in_the_audit_log_without_the_password() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = TestApp::spawn().await;
    let wrong = app
        .login_response("teacher@iom.test", "guessed-password")
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let unknown = app
        .login_response("nobody@iom.test", "guessed-password")
        .await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let rows = api::db::entities::audit_log::Entity::find()
        .filter(api::db::entities::audit_log::Column::Action.eq("auth.login_failed"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2, "{rows:#?}");
    let teacher = e2e::fixtures::id_of(&app, "teacher@iom.test").await;
    let about_teacher = rows
        .iter()
        .find(|r| r.subject_id == Some(teacher))
        .expect("the failure on the teacher's account");
    assert!(about_teacher.details.contains("\"password\""));
    assert!(about_teacher.details.contains("127.0.0.1"));
    assert!(
        rows.iter()
            .any(|r| r.subject_id.is_none() && r.details.contains("unknown_account"))
    );
    assert!(rows.iter().all(|r| !r.details.contains("guessed")));
}

/// Two instances on one database, the second keeping signed-in people's grants for 300 ms:
/// a role revoked or a person deactivated on the first is refused by the second at once (every
/// request checks the person's security stamp), and a unit archived on the first stops
/// conferring its grants on the second within the cache's lifetime.
#[tokio::test]
async fn another_instance_honours_deactivation_revoked_roles_and_archived_units() {
    use std::time::{Duration, Instant};
    let app = TestApp::spawn().await;
    let ttl = Duration::from_millis(300);
    let other = app.spawn_sibling(|s| s.principal_cache_ttl = ttl).await;
    let admin = app.as_user("admin@iom.test").await;
    let me_on_other = |token: String| {
        let req = other.get("/api/v1/me").bearer_auth(token);
        async move { req.send().await.unwrap() }
    };

    // A revoked role: the tutor's token, cached on the other instance, is refused there next.
    let tutor = app.token("tutor@iom.test").await;
    let me: MeResponse = ok_json(me_on_other(tutor.clone()).await).await;
    let grant = me.roles.iter().find(|r| r.role == Role::Tutor).unwrap().id;
    let res = admin
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/role-grants/{grant}"),
        )
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let p = problem(me_on_other(tutor).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(p.code, "invalid_token");

    // Deactivation likewise.
    let methodist = app.token("methodist@iom.test").await;
    assert_eq!(
        me_on_other(methodist.clone()).await.status(),
        StatusCode::OK
    );
    let id = e2e::fixtures::id_of(&app, "methodist@iom.test").await;
    let res = admin
        .post(&format!("/api/v1/people/{id}/deactivate"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let p = problem(me_on_other(methodist).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(p.code, "invalid_token");

    // An archived school: the director's grant there is gone on the instance that archived it
    // at once, and on the other within the TTL.
    let director = app.token("director@iom.test").await;
    let me: MeResponse = ok_json(me_on_other(director.clone()).await).await;
    assert!(me.has_role(Role::Director));
    let res = admin
        .post(&format!("/api/v1/units/{}/archive", app.demo.school))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let archived = Instant::now();
    let here: MeResponse = app
        .get("/api/v1/me")
        .bearer_auth(&director)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!here.has_role(Role::Director));
    loop {
        let me: MeResponse = ok_json(me_on_other(director.clone()).await).await;
        if !me.has_role(Role::Director) {
            break;
        }
        assert!(
            archived.elapsed() < ttl + Duration::from_millis(500),
            "the other instance still confers the archived school's grant"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
