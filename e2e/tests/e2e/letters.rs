//! Notices by e-mail: per-person settings, letters queued once per event and recipient through
//! the outbox, and the signed one-click unsubscription every letter carries.

use e2e::smtp::{Received, SmtpSink};
use e2e::{Options, TestApp, User, fixtures, ok_json, problem};
use reqwest::{Method, StatusCode};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use shared::dto::*;
use shared::events::{NoticeChannel, NoticeKind};
use shared::workflow::RouteAction;
use uuid::Uuid;

use crate::routes::{create, fill, send, step_ok};

use api::db::entities::{job, mail_message, notification, user};

const PUBLIC: &str = "http://iom.school.test";

async fn with_smtp() -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::spawn_with(Options {
        configure: Some(Box::new(move |s| {
            s.smtp_url = Some(url.into());
            s.public_url = Some(PUBLIC.into());
        })),
        ..Default::default()
    })
    .await;
    (app, sink)
}

async fn submit(app: &TestApp, teacher: &User<'_>, title: &str) -> RouteDto {
    let route = create(teacher, title).await;
    let route = fill(teacher, route).await;
    let route = step_ok(teacher, &route, RouteAction::Submit, json!({})).await;
    app.run_jobs().await;
    route
}

async fn letters_to(app: &TestApp, id: Uuid) -> Vec<mail_message::Model> {
    mail_message::Entity::find()
        .filter(mail_message::Column::UserId.eq(id))
        .filter(mail_message::Column::Kind.eq("notification"))
        .all(&app.db)
        .await
        .unwrap()
}

async fn platform_notices(app: &TestApp, id: Uuid, route: Uuid) -> u64 {
    notification::Entity::find()
        .filter(notification::Column::RecipientId.eq(id))
        .filter(notification::Column::RouteId.eq(route))
        .filter(notification::Column::Channel.eq("platform"))
        .count(&app.db)
        .await
        .unwrap()
}

/// The token of the unsubscribe link in a letter.
fn unsubscribe_token(text: &str) -> String {
    let start = text.rfind("/unsubscribe/").expect("an unsubscribe link") + "/unsubscribe/".len();
    text[start..].split_whitespace().next().unwrap().to_owned()
}

/// The message's headers with folded lines joined.
fn headers(mail: &Received) -> String {
    let (h, _) = mail.data.split_once("\r\n\r\n").unwrap_or_default();
    h.replace("\r\n ", " ").replace("\r\n\t", " ")
}

async fn settings(u: &User<'_>) -> NotificationSettings {
    u.get_json("/api/v1/me/notification-settings").await
}

fn channel_of(s: &NotificationSettings, kind: NoticeKind) -> NoticeChannel {
    s.items
        .iter()
        .find(|i| i.kind == kind)
        .map(|i| i.channel)
        .expect("every kind is listed")
}

#[tokio::test]
async fn the_tutor_gets_a_letter_with_a_working_unsubscribe_link_and_after_it_only_the_platform_notice()
 {
    let (app, mut sink) = with_smtp().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let tutor_id = fixtures::id_of(&app, "tutor@iom.test").await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;

    let route = submit(&app, &teacher, "Смысловое чтение на уроках истории").await;
    // The letter is in the outbox, its link's token hidden there.
    let stored = letters_to(&app, tutor_id).await;
    assert_eq!(stored.len(), 1);
    assert!(
        stored[0]
            .subject
            .contains("«Смысловое чтение на уроках истории»")
    );
    assert!(
        stored[0]
            .body
            .contains(&format!("{PUBLIC}/routes/{}", route.id))
    );
    assert!(!stored[0].body.contains(&tutor_id.simple().to_string()));
    // The teacher, who acted, gets none.
    assert!(letters_to(&app, teacher_id).await.is_empty());

    let mail = sink.inbox.recv().await.unwrap();
    assert_eq!(mail.to, ["tutor@iom.test"]);
    let text = mail.text();
    assert!(text.contains("Иванова"), "{text}");
    assert!(
        text.contains(&format!("Открыть: {PUBLIC}/routes/{}", route.id)),
        "{text}"
    );
    assert!(text.contains(&format!("{PUBLIC}/unsubscribe/")), "{text}");
    let token = unsubscribe_token(&text);
    let h = headers(&mail);
    assert!(
        h.contains(&format!(
            "List-Unsubscribe: <{PUBLIC}/api/v1/unsubscribe/{token}>"
        )),
        "{h}"
    );
    assert!(
        h.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{h}"
    );

    // Until now the tutor has the default: a route waiting for their step comes by e-mail.
    assert_eq!(
        channel_of(&settings(&tutor).await, NoticeKind::AwaitingStep),
        NoticeChannel::Email
    );
    // One click, without signing in.
    let done: Unsubscribed = ok_json(
        app.post(&format!("/api/v1/unsubscribe/{token}"))
            .body("List-Unsubscribe=One-Click")
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(done.kind, Some(NoticeKind::AwaitingStep));
    assert_eq!(done.kinds, vec![NoticeKind::AwaitingStep]);
    assert_eq!(done.title, NoticeKind::AwaitingStep.title_ru());
    let now = settings(&tutor).await;
    assert_eq!(
        channel_of(&now, NoticeKind::AwaitingStep),
        NoticeChannel::Platform
    );
    assert_eq!(channel_of(&now, NoticeKind::Returned), NoticeChannel::Email);
    // Again: the same answer, nothing more changes.
    let again = app
        .post(&format!("/api/v1/unsubscribe/{token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);

    // The next submission reaches the tutor in the platform only.
    let second = submit(&app, &teacher, "Формирующее оценивание на уроках химии").await;
    assert_eq!(platform_notices(&app, tutor_id, second.id).await, 1);
    assert_eq!(letters_to(&app, tutor_id).await.len(), 1);
    assert!(sink.inbox.try_recv().is_err(), "no second letter");

    // Re-running every notice job (a worker that died before marking them done) sends no
    // letter twice.
    job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value("pending"))
        .col_expr(job::Column::RunAt, Expr::value(api::db::now()))
        .filter(job::Column::Kind.eq(api::services::events::NOTIFY))
        .exec(&app.db)
        .await
        .unwrap();
    assert!(app.run_jobs().await >= 2);
    assert_eq!(letters_to(&app, tutor_id).await.len(), 1);
    assert!(sink.inbox.try_recv().is_err(), "no repeated letter");
    assert_eq!(platform_notices(&app, tutor_id, route.id).await, 1);
}

#[tokio::test]
async fn a_rerun_of_the_notice_job_queues_no_second_letter() {
    let (app, _sink) = with_smtp().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let tutor_id = fixtures::id_of(&app, "tutor@iom.test").await;
    submit(&app, &teacher, "Проектная деятельность на уроках физики").await;
    assert_eq!(letters_to(&app, tutor_id).await.len(), 1);
    job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value("pending"))
        .col_expr(job::Column::RunAt, Expr::value(api::db::now()))
        .filter(job::Column::Kind.eq(api::services::events::NOTIFY))
        .exec(&app.db)
        .await
        .unwrap();
    app.run_jobs().await;
    assert_eq!(letters_to(&app, tutor_id).await.len(), 1);
    let email_rows = notification::Entity::find()
        .filter(notification::Column::RecipientId.eq(tutor_id))
        .filter(notification::Column::Channel.eq("email"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(email_rows, 1);
}

#[tokio::test]
async fn a_deactivated_person_gets_no_letter() {
    let (app, mut sink) = with_smtp().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let tutor_id = fixtures::id_of(&app, "tutor@iom.test").await;
    user::Entity::update_many()
        .col_expr(user::Column::Active, Expr::value(false))
        .filter(user::Column::Id.eq(tutor_id))
        .exec(&app.db)
        .await
        .unwrap();
    submit(&app, &teacher, "Смысловое чтение на уроках истории").await;
    assert!(letters_to(&app, tutor_id).await.is_empty());
    // The school coordinator is asked instead, and is written to.
    let coordinator_id = fixtures::id_of(&app, "coordinator@iom.test").await;
    assert_eq!(letters_to(&app, coordinator_id).await.len(), 1);
    let mail = sink.inbox.recv().await.unwrap();
    assert_eq!(mail.to, ["coordinator@iom.test"]);
}

#[tokio::test]
async fn a_person_chooses_a_channel_per_kind_and_unknown_kinds_are_refused() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let before = settings(&teacher).await;
    assert_eq!(before.items.len(), NoticeKind::ALL.len());
    assert!(before.items.iter().all(|i| !i.title.is_empty()));
    assert_eq!(
        channel_of(&before, NoticeKind::Returned),
        NoticeChannel::Email
    );
    assert_eq!(
        channel_of(&before, NoticeKind::Comment),
        NoticeChannel::Platform
    );

    let after: NotificationSettings = ok_json(
        send(
            &teacher,
            Method::PUT,
            "/api/v1/me/notification-settings",
            json!({ "items": [
                { "kind": "comment", "channel": "email" },
                { "kind": "returned", "channel": "platform" }
            ] }),
        )
        .await,
    )
    .await;
    assert_eq!(
        channel_of(&after, NoticeKind::Comment),
        NoticeChannel::Email
    );
    assert_eq!(
        channel_of(&after, NoticeKind::Returned),
        NoticeChannel::Platform
    );
    assert_eq!(
        channel_of(&after, NoticeKind::AwaitingStep),
        NoticeChannel::Email
    );
    assert_eq!(settings(&teacher).await, after);
    // Someone else's settings are untouched.
    let tutor = app.as_user("tutor@iom.test").await;
    assert_eq!(
        channel_of(&settings(&tutor).await, NoticeKind::Comment),
        NoticeChannel::Platform
    );

    for bad in [
        json!({ "items": [{ "kind": "route.submitted", "channel": "email" }] }),
        json!({ "items": [{ "kind": "comment", "channel": "sms" }] }),
        json!({ "items": "all" }),
    ] {
        let res = send(
            &teacher,
            Method::PUT,
            "/api/v1/me/notification-settings",
            bad,
        )
        .await;
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    assert_eq!(settings(&teacher).await, after);
    let anonymous = app
        .request(Method::PUT, "/api/v1/me/notification-settings")
        .json(&json!({ "items": [] }))
        .send()
        .await
        .unwrap();
    problem(anonymous, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn a_tampered_or_foreign_token_changes_nobody_elses_setting() {
    let (app, mut sink) = with_smtp().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    submit(&app, &teacher, "Смысловое чтение на уроках истории").await;
    let token = unsubscribe_token(&sink.inbox.recv().await.unwrap().text());
    let (person, rest) = token.split_once('-').unwrap();
    let (_kind, sig) = rest.split_once('-').unwrap();

    let attempts = [
        // The tutor's signature on the teacher's name, or on another kind.
        format!("{}-route_step-{sig}", teacher_id.simple()),
        format!("{person}-returned-{sig}"),
        format!("{person}-comment-{sig}"),
        // A changed signature, a cut one, junk.
        format!("{person}-route_step-{}", "0".repeat(64)),
        token[..token.len() - 2].to_owned(),
        "x".to_owned(),
        format!("{person}-route_step"),
    ];
    for bad in &attempts {
        let res = app
            .post(&format!("/api/v1/unsubscribe/{bad}"))
            .send()
            .await
            .unwrap();
        problem(res, StatusCode::NOT_FOUND).await;
    }
    for u in [&teacher, &tutor] {
        let s = settings(u).await;
        for kind in NoticeKind::ALL {
            assert_eq!(channel_of(&s, *kind), kind.default_channel(), "{kind}");
        }
    }
}

/// The digest's letters to a person.
async fn digests_to(app: &TestApp, id: Uuid) -> Vec<mail_message::Model> {
    mail_message::Entity::find()
        .filter(mail_message::Column::UserId.eq(id))
        .filter(mail_message::Column::Kind.eq(api::services::digest::LETTER))
        .all(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_digest_gathers_a_days_unread_notices_into_one_letter_once_and_its_link_stops_it() {
    let (app, mut sink) = with_smtp().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let tutor_id = fixtures::id_of(&app, "tutor@iom.test").await;
    let letters = api::services::events::LetterSettings {
        base_url: PUBLIC.into(),
        secret: None,
    };
    // The tutor wants routes waiting for their step in the morning digest, not at once.
    let res = tutor
        .request(Method::PUT, "/api/v1/me/notification-settings")
        .json(&json!({ "items": [{ "kind": "route_step", "channel": "digest" }] }))
        .send()
        .await
        .unwrap();
    let chosen: NotificationSettings = ok_json(res).await;
    assert_eq!(
        channel_of(&chosen, NoticeKind::AwaitingStep),
        NoticeChannel::Digest
    );

    // A route submitted and already read in the platform; then two more.
    let read = submit(&app, &teacher, "Смысловое чтение на уроках истории").await;
    let res = tutor
        .post("/api/v1/me/notifications/read-all")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let first = submit(&app, &teacher, "Формирующее оценивание на уроках химии").await;
    let second = submit(&app, &teacher, "Проектная деятельность на уроках физики").await;
    assert!(
        letters_to(&app, tutor_id).await.is_empty(),
        "no letter at once"
    );

    // The morning: one letter with the two unread, each with its link; none for the read one.
    let sent = api::services::digest::daily(&app.db, &letters, api::db::now())
        .await
        .unwrap();
    assert_eq!(sent, 1);
    let stored = digests_to(&app, tutor_id).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].subject, "ИОМ: сводка уведомлений за день (2)");
    for r in [&first, &second] {
        assert!(
            stored[0]
                .body
                .contains(&format!("{PUBLIC}/routes/{}", r.id))
        );
    }
    assert!(!stored[0].body.contains(&read.id.to_string()));
    assert!(
        !stored[0].body.contains(&tutor_id.simple().to_string()),
        "token hidden"
    );
    // A second run (another instance, a retry) sends nothing more.
    let again = api::services::digest::daily(&app.db, &letters, api::db::now())
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(digests_to(&app, tutor_id).await.len(), 1);
    // The notices stay unread in the platform.
    let page: NotificationPage = tutor.get_json("/api/v1/me/notifications?limit=100").await;
    assert_eq!(page.unread, 2, "{page:#?}");

    app.run_jobs().await;
    let mail = sink.inbox.recv().await.unwrap();
    assert_eq!(mail.to, ["tutor@iom.test"]);
    let text = mail.text();
    let token = unsubscribe_token(&text);
    assert!(headers(&mail).contains(&format!("{PUBLIC}/api/v1/unsubscribe/{token}")));
    // Someone else's person in the same token is refused and changes nothing.
    let forged = format!("{}{}", Uuid::new_v4().simple(), &token[32..]);
    let res = app
        .post(&format!("/api/v1/unsubscribe/{forged}"))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    let done: Unsubscribed = ok_json(
        app.post(&format!("/api/v1/unsubscribe/{token}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(done.kind, None);
    assert_eq!(done.kinds, vec![NoticeKind::AwaitingStep]);
    assert_eq!(
        channel_of(&settings(&tutor).await, NoticeKind::AwaitingStep),
        NoticeChannel::Platform
    );
    // No digest is put together for a person who has none chosen.
    submit(&app, &teacher, "Цифровые инструменты на уроках географии").await;
    let after = api::services::digest::daily(&app.db, &letters, api::db::now())
        .await
        .unwrap();
    assert_eq!(after, 0);
    assert!(letters_to(&app, tutor_id).await.is_empty());
}

#[tokio::test]
async fn a_letter_due_in_quiet_hours_waits_until_they_end_and_nonsense_hours_are_refused() {
    use chrono::Timelike;
    let (app, mut sink) = with_smtp().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let tutor_id = fixtures::id_of(&app, "tutor@iom.test").await;
    // Quiet from this hour for two hours, in UTC: now is inside.
    let now = api::db::now();
    let from = i32::try_from(now.hour()).unwrap();
    let to = (from + 2) % 24;
    let put = |body: serde_json::Value| {
        tutor
            .request(Method::PUT, "/api/v1/me/notification-settings")
            .json(&body)
            .send()
    };
    for bad in [
        json!({ "from_hour": 24, "to_hour": 8, "utc_offset_minutes": 0 }),
        json!({ "from_hour": 22, "to_hour": -1, "utc_offset_minutes": 0 }),
        json!({ "from_hour": 22, "to_hour": 8, "utc_offset_minutes": 900 }),
    ] {
        let res = put(json!({ "items": [], "quiet_hours": bad }))
            .await
            .unwrap();
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    assert_eq!(settings(&tutor).await.quiet_hours, None, "nothing stored");
    let res = put(json!({ "items": [], "quiet_hours": { "from_hour": from, "to_hour": to, "utc_offset_minutes": 0 } }))
        .await
        .unwrap();
    let saved: NotificationSettings = ok_json(res).await;
    assert_eq!(
        saved.quiet_hours.map(|q| (q.from_hour, q.to_hour)),
        Some((from, to))
    );

    // The submission's letter is queued, but its sending waits for the end of the hours.
    submit(&app, &teacher, "Смысловое чтение на уроках истории").await;
    let stored = letters_to(&app, tutor_id).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].status, "queued");
    let send = job::Entity::find()
        .filter(job::Column::Kind.eq(api::services::mail::SEND))
        .filter(job::Column::Payload.contains(stored[0].id.to_string()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let end = now
        .date_naive()
        .and_hms_opt(u32::try_from(to).unwrap(), 0, 0)
        .unwrap()
        .and_utc();
    let end = if end <= now {
        end + chrono::Duration::days(1)
    } else {
        end
    };
    assert_eq!(send.run_at, end);
    assert!(
        sink.inbox.try_recv().is_err(),
        "nothing sent in quiet hours"
    );

    // An empty window turns them off: the next letter goes at once.
    let res = put(json!({ "items": [], "quiet_hours": { "from_hour": 0, "to_hour": 0, "utc_offset_minutes": 0 } }))
        .await
        .unwrap();
    let off: NotificationSettings = ok_json(res).await;
    assert_eq!(off.quiet_hours, None);
    submit(&app, &teacher, "Формирующее оценивание на уроках химии").await;
    let mail = sink.inbox.recv().await.unwrap();
    assert!(
        mail.text().contains("Формирующее оценивание"),
        "{}",
        mail.text()
    );
}
