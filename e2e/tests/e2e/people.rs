//! Organisations, people and access: units, people, roles, assignments and consent,
//! invitations and passwords by e-mail, staff import.

use e2e::smtp::SmtpSink;
use e2e::{Options, TestApp, fixtures, ok_json, problem};
use reqwest::{Method, StatusCode};
use serde_json::json;
use shared::dto::*;
use shared::{Role, UnitKind};

use crate::routes::{create, send};

/// The token of the last link in a message body.
fn link_token(body: &str, kind: &str) -> String {
    let start = body.rfind(&format!("/{kind}/")).expect("a link") + kind.len() + 2;
    body[start..].split_whitespace().next().unwrap().to_owned()
}

async fn new_teacher(app: &TestApp, by: &str, email: &str, invite: bool) -> PersonDetail {
    let u = app.as_user(by).await;
    let res = send(
        &u,
        Method::POST,
        "/api/v1/people",
        json!({
            "email": email, "surname": "Петрова", "first_name": "Анна", "patronymic": "Сергеевна",
            "position": "Учитель русского языка", "workplace_id": app.demo.school,
            "roles": [{ "role": "teacher", "unit_id": app.demo.school }], "invite": invite
        }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    ok_json(res).await
}

/// A server that delivers mail to a test SMTP sink.
async fn with_smtp() -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::spawn_with(Options {
        configure: Some(Box::new(move |s| s.smtp_url = Some(url.into()))),
        ..Default::default()
    })
    .await;
    (app, sink)
}

#[tokio::test]
async fn an_invited_teacher_sets_a_password_from_the_mailed_link_and_signs_in() {
    let (app, mut sink) = with_smtp().await;
    let created = new_teacher(&app, "manager@iom.test", "petrova@school1.ru", true).await;
    assert_eq!(created.invitation.state, InvitationState::Pending);
    assert!(created.roles.iter().any(|r| r.role == Role::Teacher));
    assert_eq!(app.run_jobs().await, 1);
    let mail = sink.inbox.recv().await.unwrap();
    assert_eq!(mail.to, ["petrova@school1.ru"]);
    assert!(
        !mail.text().contains("demo12345"),
        "never a password in the mail"
    );
    let token = link_token(&mail.text(), "invite");

    let info: TokenInfo = ok_json(
        app.get(&format!("/api/v1/auth/links/{token}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (info.purpose, info.full_name.as_str()),
        (TokenPurpose::Invitation, "Петрова Анна Сергеевна")
    );
    // Weak passwords are refused with a reason; the link still works after that.
    let res = app
        .post("/api/v1/auth/set-password")
        .json(&json!({ "token": token, "password": "12345678" }))
        .send()
        .await
        .unwrap();
    assert!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.errors["password"][0]
            .contains("распространён")
    );
    let res = app
        .post("/api/v1/auth/set-password")
        .json(&json!({ "token": token, "password": "зелёный чайник на окне" }))
        .send()
        .await
        .unwrap();
    let session: TokenResponse = ok_json(res).await;
    let me = app
        .get("/api/v1/me")
        .bearer_auth(&session.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(
        app.login_response("petrova@school1.ru", "зелёный чайник на окне")
            .await
            .status(),
        StatusCode::OK
    );
    // The link works once.
    problem(
        app.get(&format!("/api/v1/auth/links/{token}"))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    let res = app
        .post("/api/v1/auth/set-password")
        .json(&json!({ "token": token, "password": "другой длинный пароль" }))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    let card: PersonDetail = app
        .as_user("manager@iom.test")
        .await
        .get_json(&format!("/api/v1/people/{}/card", created.person.id))
        .await;
    assert_eq!(card.invitation.state, InvitationState::Accepted);
}

/// Every stored letter, straight from the table.
async fn stored_letters(app: &TestApp) -> Vec<api::db::entities::mail_message::Model> {
    use sea_orm::EntityTrait;
    api::db::entities::mail_message::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_outbox_never_shows_a_live_link_and_sent_letters_keep_no_token() {
    // Without SMTP the letter stays in the outbox: the administrator sees it, not its link.
    let app = TestApp::spawn().await;
    let created = new_teacher(&app, "manager@iom.test", "petrova@school1.ru", true).await;
    assert_eq!(app.run_jobs().await, 1);
    let admin = app.as_user("admin@iom.test").await;
    let outbox: Page<MailMessageDto> = admin.get_json("/api/v1/admin/outbox").await;
    let msg = outbox
        .items
        .iter()
        .find(|m| m.to == "petrova@school1.ru")
        .unwrap();
    assert_eq!(msg.status, MailStatus::Stored);
    assert!(msg.body.contains("/invite/[скрыто]"), "{}", msg.body);
    // What the outbox shows does not open anything.
    let shown = link_token(&msg.body, "invite");
    for res in [
        app.get(&format!("/api/v1/auth/links/{shown}"))
            .send()
            .await
            .unwrap(),
        app.post("/api/v1/auth/set-password")
            .json(&json!({ "token": shown, "password": "зелёный чайник на окне" }))
            .send()
            .await
            .unwrap(),
    ] {
        assert!(
            res.status() == StatusCode::NOT_FOUND
                || res.status() == StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            res.status()
        );
    }
    problem(
        app.as_user("manager@iom.test")
            .await
            .get("/api/v1/admin/outbox")
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    // Nothing will send that letter, so no secret is kept for it.
    assert!(
        stored_letters(&app)
            .await
            .iter()
            .all(|m| m.secret.is_none())
    );
    let card: PersonDetail = app
        .as_user("manager@iom.test")
        .await
        .get_json(&format!("/api/v1/people/{}/card", created.person.id))
        .await;
    assert_eq!(card.invitation.state, InvitationState::Pending);

    // With SMTP the real link leaves, and neither the table nor the outbox keeps it.
    let (app, mut sink) = with_smtp().await;
    new_teacher(&app, "manager@iom.test", "orlova@school1.ru", true).await;
    let before_sending = stored_letters(&app).await;
    assert!(before_sending.iter().all(|m| m.secret.is_some()));
    app.run_jobs().await;
    let token = link_token(&sink.inbox.recv().await.unwrap().text(), "invite");
    for m in stored_letters(&app).await {
        assert!(m.secret.is_none());
        assert!(!m.body.contains(&token));
    }
    for m in before_sending {
        assert!(!m.body.contains(&token), "the stored text never had it");
    }
    let outbox: Page<MailMessageDto> = app
        .as_user("admin@iom.test")
        .await
        .get_json("/api/v1/admin/outbox")
        .await;
    assert!(outbox.items.iter().all(|m| !m.body.contains(&token)));
    assert_eq!(outbox.items[0].status, MailStatus::Sent);
}

#[tokio::test]
async fn invitations_and_resets_are_delivered_over_smtp() {
    let (app, mut sink) = with_smtp().await;
    new_teacher(&app, "coordinator@iom.test", "orlova@school1.ru", true).await;
    app.run_jobs().await;
    let mail = sink.inbox.recv().await.unwrap();
    assert_eq!(mail.to, ["orlova@school1.ru"]);
    assert!(mail.text().contains("/invite/"), "{}", mail.text());

    // Reset: an unknown address gets the same 202 and no mail; a known one gets a link.
    let res = app
        .post("/api/v1/auth/password-reset")
        .json(&json!({ "email": "nobody@iom.test" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let res = app
        .post("/api/v1/auth/password-reset")
        .json(&json!({ "email": "Teacher@iom.test" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let old_session = app.as_user("teacher@iom.test").await;
    app.run_jobs().await;
    let mail = sink.inbox.recv().await.unwrap();
    assert_eq!(mail.to, ["teacher@iom.test"]);
    assert!(
        sink.inbox.try_recv().is_err(),
        "only one message: none for the unknown address"
    );
    let token = link_token(&mail.text(), "reset");
    let res = app
        .post("/api/v1/auth/set-password")
        .json(&json!({ "token": token, "password": "новый надёжный пароль" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.login_response("teacher@iom.test", "demo12345")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_response("teacher@iom.test", "новый надёжный пароль")
            .await
            .status(),
        StatusCode::OK
    );
    // The reset ends every sign-in at once: access tokens already issued too.
    assert_eq!(
        old_session.get("/api/v1/me").send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_failing_smtp_server_leaves_the_message_queued_for_retry() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = TestApp::spawn_with(Options {
        configure: Some(Box::new(move |s| {
            s.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into())
        })),
        ..Default::default()
    })
    .await;
    new_teacher(&app, "manager@iom.test", "a@b.ru", true).await;
    assert_eq!(app.run_jobs().await, 1, "one attempt, then the retry waits");
    let outbox: Page<MailMessageDto> = app
        .as_user("admin@iom.test")
        .await
        .get_json("/api/v1/admin/outbox")
        .await;
    assert_eq!(outbox.items[0].status, MailStatus::Queued);
    assert_eq!(outbox.items[0].attempts, 1);
    assert!(outbox.items[0].last_error.is_some());
}

#[tokio::test]
async fn a_deactivated_person_cannot_sign_in_but_their_routes_stay() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let route = create(&teacher, "Маршрут").await;
    let id = fixtures::id_of(&app, "teacher@iom.test").await;
    let director = app.as_user("director@iom.test").await;
    let card: PersonDetail = ok_json(
        director
            .post(&format!("/api/v1/people/{id}/deactivate"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(!card.person.active);
    assert_eq!(
        teacher.get("/api/v1/me").send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_response("teacher@iom.test", "demo12345")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        director
            .get(&format!("/api/v1/routes/{}", route.id))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    // A teacher of another school cannot be deactivated by this director; nor can one's self.
    let other = fixtures::person(
        &app.db,
        "x@iom.test",
        Role::Teacher,
        Some(app.demo.school_2),
    )
    .await;
    problem(
        director
            .post(&format!("/api/v1/people/{other}/deactivate"))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    let me = fixtures::id_of(&app, "director@iom.test").await;
    problem(
        director
            .post(&format!("/api/v1/people/{me}/deactivate"))
            .send()
            .await
            .unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    ok_json::<PersonDetail>(
        director
            .post(&format!("/api/v1/people/{id}/activate"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        app.login_response("teacher@iom.test", "demo12345")
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn who_may_appoint_whom_is_scoped_and_audited() {
    let app = TestApp::spawn().await;
    let d = app.demo.clone();
    let target = fixtures::person(&app.db, "t@iom.test", Role::Teacher, Some(d.school)).await;
    let coordinator = app.as_user("coordinator@iom.test").await;
    let grant = |role: &str, unit: uuid::Uuid| json!({ "role": role, "unit_id": unit });
    let path = format!("/api/v1/people/{target}/roles");
    let card: PersonDetail =
        ok_json(send(&coordinator, Method::POST, &path, grant("tutor", d.school)).await).await;
    assert!(card.roles.iter().any(|r| r.role == Role::Tutor));
    problem(
        send(&coordinator, Method::POST, &path, grant("tutor", d.school)).await,
        StatusCode::CONFLICT,
    )
    .await;
    problem(
        send(
            &coordinator,
            Method::POST,
            &path,
            grant("director", d.school),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        send(
            &coordinator,
            Method::POST,
            &path,
            grant("tutor", d.school_2),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let p = problem(
        send(
            &coordinator,
            Method::POST,
            &path,
            grant("tutor", d.municipality_a),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p.errors["roles"][0].contains("не назначается"));
    // Revoking is scoped the same way.
    let tutor_grant = card
        .roles
        .iter()
        .find(|r| r.role == Role::Tutor)
        .unwrap()
        .id;
    let outsider = fixtures::person(
        &app.db,
        "c2@iom.test",
        Role::SchoolCoordinator,
        Some(d.school_2),
    )
    .await;
    let _ = outsider;
    problem(
        app.as_user("c2@iom.test")
            .await
            .request(
                Method::DELETE,
                &format!("/api/v1/role-grants/{tutor_grant}"),
            )
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    let card: PersonDetail = ok_json(
        coordinator
            .request(
                Method::DELETE,
                &format!("/api/v1/role-grants/{tutor_grant}"),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(!card.roles.iter().any(|r| r.role == Role::Tutor));
    let municipal = app.as_user("municipal@iom.test").await;
    ok_json::<PersonDetail>(
        send(
            &municipal,
            Method::POST,
            &path,
            grant("school_coordinator", d.school),
        )
        .await,
    )
    .await;
    problem(
        send(
            &municipal,
            Method::POST,
            &path,
            grant("regional_manager", d.region),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // Now a coordinator of the school, the person is no longer the coordinator's to manage.
    problem(
        send(&coordinator, Method::POST, &path, grant("tutor", d.school)).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let actions: Vec<String> = api::db::entities::audit_log::Entity::find()
        .filter(api::db::entities::audit_log::Column::EntityId.eq(target))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert!(
        actions.contains(&"role.granted".to_owned())
            && actions.contains(&"role.revoked".to_owned()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn a_teacher_consents_and_the_tutor_sees_the_route_and_withdrawing_works_at_once() {
    let app = TestApp::spawn().await;
    let d = app.demo.clone();
    let teacher_id = fixtures::person(&app.db, "new@iom.test", Role::Teacher, Some(d.school)).await;
    let teacher = app.as_user("new@iom.test").await;
    let route = create(&teacher, "Маршрут").await;
    let tutor_id = fixtures::id_of(&app, "tutor@iom.test").await;
    let coordinator = app.as_user("coordinator@iom.test").await;
    let assignment: AssignmentDto = ok_json(
        send(
            &coordinator,
            Method::POST,
            "/api/v1/assignments",
            json!({ "kind": "tutor", "staff_id": tutor_id, "teacher_id": teacher_id }),
        )
        .await,
    )
    .await;
    problem(
        send(
            &coordinator,
            Method::POST,
            "/api/v1/assignments",
            json!({ "kind": "tutor", "staff_id": tutor_id, "teacher_id": teacher_id }),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    // The expert role is needed for an expert assignment.
    problem(
        send(
            &coordinator,
            Method::POST,
            "/api/v1/assignments",
            json!({ "kind": "expert", "staff_id": tutor_id, "teacher_id": teacher_id }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    let tutor = app.as_user("tutor@iom.test").await;
    let path = format!("/api/v1/routes/{}", route.id);
    assert_eq!(
        tutor.get(&path).send().await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "no consent yet"
    );
    let consent = format!("/api/v1/me/assignments/{}/consent", assignment.id);
    problem(
        send(&tutor, Method::PUT, &consent, json!({ "given": true })).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let a: AssignmentDto =
        ok_json(send(&teacher, Method::PUT, &consent, json!({ "given": true })).await).await;
    assert!(a.consent_at.is_some());
    assert_eq!(
        tutor.get(&path).send().await.unwrap().status(),
        StatusCode::OK
    );
    ok_json::<AssignmentDto>(
        send(&teacher, Method::PUT, &consent, json!({ "given": false })).await,
    )
    .await;
    assert_eq!(
        tutor.get(&path).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

fn staff_csv() -> String {
    [
        "Фамилия;Имя;Отчество;Электронная почта;Должность;ОО;Роль;Стаж педагогический;Квалификационная категория;Дата категории",
        "Орлова;Нина;Павловна;orlova@school1.ru;Учитель биологии;Гимназия № 1;педагог;15;Высшая;12.03.2022",
        "Соколов;Игорь;;sokolov@school1.ru;Учитель физики;Гимназия № 1;тьютор;7;;",
        "Иванова;Мария;Петровна;teacher@iom.test;Учитель математики;Гимназия № 1;педагог;13;Первая;14.04.2023",
    ]
    .join("\n")
}

async fn upload(user: &e2e::User<'_>, bytes: Vec<u8>, query: &str) -> reqwest::Response {
    user.post(&format!("/api/v1/people/imports?name=staff.csv{query}"))
        .body(bytes)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn staff_are_imported_from_csv_all_or_nothing_with_updates_not_duplicates() {
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let preview: ImportPreview =
        ok_json(upload(&manager, staff_csv().into_bytes(), "&invite=true").await).await;
    assert_eq!(
        (
            preview.total,
            preview.to_create,
            preview.to_update,
            preview.errors
        ),
        (3, 2, 1, 0),
        "{preview:#?}"
    );
    assert_eq!(preview.rows[1].role, Some(Role::Tutor));
    let result: ImportResult = ok_json(
        manager
            .post(&format!("/api/v1/people/imports/{}/commit", preview.id))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((result.created, result.updated, result.invited), (2, 1, 2));
    problem(
        manager
            .post(&format!("/api/v1/people/imports/{}/commit", preview.id))
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    let page: Page<PersonSummary> = manager
        .get_json("/api/v1/people?q=%D0%BE%D1%80%D0%BB%D0%BE%D0%B2%D0%B0")
        .await;
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].invitation, InvitationState::Pending);
    let card: PersonDetail = manager
        .get_json(&format!("/api/v1/people/{}/card", page.items[0].id))
        .await;
    assert_eq!(card.person.teaching_experience_years, Some(15));
    assert_eq!(
        card.person.qualification_date.unwrap().to_string(),
        "2022-03-12"
    );
    // The existing teacher was updated, not doubled.
    let ivanova: Page<PersonSummary> = manager
        .get_json("/api/v1/people?q=teacher%40iom.test")
        .await;
    assert_eq!(ivanova.total, 1);
    assert_eq!(app.run_jobs().await, 2, "two invitations queued");
}

#[tokio::test]
async fn a_file_with_errors_is_explained_row_by_row_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let csv = [
        "Фамилия;Имя;Email;ОО;Роль",
        "Орлова;Нина;orlova@school1.ru;Гимназия № 1;педагог",
        "Соколов;;not-an-email;Школа № 999;волшебник",
        "Орлова;Нина;ORLOVA@school1.ru;Гимназия № 1;педагог",
    ]
    .join("\n");
    let preview: ImportPreview = ok_json(upload(&manager, csv.into_bytes(), "").await).await;
    assert_eq!(preview.errors, 2);
    let bad = &preview.rows[1];
    assert_eq!(bad.row, 3);
    let columns: Vec<&str> = bad.errors.iter().map(|e| e.column.as_str()).collect();
    assert!(
        columns.contains(&"Email")
            && columns.contains(&"Имя")
            && columns.contains(&"ОО")
            && columns.contains(&"Роль"),
        "{bad:?}"
    );
    assert!(preview.rows[2].errors[0].message.contains("строке 2"));
    let p = problem(
        manager
            .post(&format!("/api/v1/people/imports/{}/commit", preview.id))
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(p.code, "import_has_errors");
    let page: Page<PersonSummary> = manager.get_json("/api/v1/people?q=orlova").await;
    assert_eq!(page.total, 0, "nothing was written");

    // Files that are not staff lists at all.
    let p = problem(
        upload(&manager, b"PK\x03\x04broken".to_vec(), "").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p.errors["file"][0].contains("повреждён"));
    let p = problem(
        upload(&manager, "Должность\nУчитель\n".as_bytes().to_vec(), "").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p.errors["file"].len(), 2);
    // A teacher may not import at all.
    problem(
        upload(
            &app.as_user("teacher@iom.test").await,
            staff_csv().into_bytes(),
            "",
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

#[tokio::test]
async fn windows_1251_csv_and_xlsx_files_are_read() {
    let app = TestApp::spawn().await;
    let coordinator = app.as_user("coordinator@iom.test").await;
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251
        .encode("ФИО,E-mail,Должность\nЁлкина Вера Ивановна,elkina@school1.ru,Учитель химии\n");
    let preview: ImportPreview = ok_json(
        upload(
            &coordinator,
            cp1251.into_owned(),
            &format!("&unit_id={}", app.demo.school),
        )
        .await,
    )
    .await;
    assert_eq!(preview.rows[0].full_name, "Ёлкина Вера Ивановна");
    assert_eq!(preview.errors, 0, "{preview:#?}");

    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Фамилия", "Имя", "Email", "Роль", "Стаж педагогический"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (s, n, e)) in [
        ("Белова", "Ольга", "belova@school1.ru"),
        ("Котов", "Антон", "kotov@school1.ru"),
    ]
    .iter()
    .enumerate()
    {
        let row = r as u32 + 1;
        sheet.write_string(row, 0, *s).unwrap();
        sheet.write_string(row, 1, *n).unwrap();
        sheet.write_string(row, 2, *e).unwrap();
        sheet.write_string(row, 3, "педагог").unwrap();
        sheet.write_number(row, 4, 10.0).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let preview: ImportPreview = ok_json(
        upload(
            &coordinator,
            bytes,
            &format!("&unit_id={}", app.demo.school),
        )
        .await,
    )
    .await;
    assert_eq!((preview.to_create, preview.errors), (2, 0), "{preview:#?}");
    let result: ImportResult = ok_json(
        coordinator
            .post(&format!("/api/v1/people/imports/{}/commit", preview.id))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(result.created, 2);
    // A coordinator cannot import into another school.
    let preview: ImportPreview = ok_json(
        upload(
            &coordinator,
            "Фамилия;Имя;Email\nА;Б;ab@x.ru\n".as_bytes().to_vec(),
            &format!("&unit_id={}", app.demo.school_2),
        )
        .await,
    )
    .await;
    assert_eq!(preview.errors, 1);
}

#[tokio::test]
async fn people_lists_are_scoped_searchable_and_paged() {
    let app = TestApp::spawn().await;
    let d = app.demo.clone();
    for i in 0..5 {
        fixtures::person(
            &app.db,
            &format!("p{i}@iom.test"),
            Role::Teacher,
            Some(d.school_2),
        )
        .await;
    }
    let director = app.as_user("director@iom.test").await;
    let page: Page<PersonSummary> = director.get_json("/api/v1/people").await;
    assert!(
        page.items
            .iter()
            .all(|p| p.workplace.as_ref().is_some_and(|w| w.id == d.school)),
        "{page:#?}"
    );
    let municipal = app.as_user("municipal@iom.test").await;
    let page: Page<PersonSummary> = municipal
        .get_json(&format!("/api/v1/people?unit_id={}&limit=2", d.school_2))
        .await;
    assert_eq!((page.total, page.items.len()), (5, 2));
    let teacher = app.as_user("teacher@iom.test").await;
    let page: Page<PersonSummary> = teacher.get_json("/api/v1/people").await;
    assert_eq!(page.items.len(), 1, "a teacher sees only themselves");
    let manager = app.as_user("manager@iom.test").await;
    let page: Page<PersonSummary> = manager.get_json("/api/v1/people?role=tutor").await;
    assert_eq!(page.items[0].email, "tutor@iom.test");
}

#[tokio::test]
async fn units_are_created_renamed_archived_by_the_level_above() {
    let app = TestApp::spawn().await;
    let d = app.demo.clone();
    let municipal = app.as_user("municipal@iom.test").await;
    let school: UnitDto = ok_json(
        send(
            &municipal,
            Method::POST,
            "/api/v1/units",
            json!({ "kind": "school", "name": "МБОУ «СОШ № 3»", "parent_id": d.municipality_a }),
        )
        .await,
    )
    .await;
    assert_eq!(school.path.municipality, Some(d.municipality_a));
    problem(
        send(
            &municipal,
            Method::POST,
            "/api/v1/units",
            json!({ "kind": "school", "name": "Чужая", "parent_id": d.municipality_b }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        send(
            &municipal,
            Method::POST,
            "/api/v1/units",
            json!({ "kind": "school", "name": "Не туда", "parent_id": d.region }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let renamed: UnitDto = ok_json(
        send(
            &municipal,
            Method::PUT,
            &format!("/api/v1/units/{}", school.id),
            json!({ "name": "МБОУ «Средняя школа № 3»" }),
        )
        .await,
    )
    .await;
    assert_eq!(renamed.name, "МБОУ «Средняя школа № 3»");
    let manager = app.as_user("manager@iom.test").await;
    problem(
        manager
            .post(&format!("/api/v1/units/{}/archive", d.municipality_a))
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    let archived: UnitDto = ok_json(
        municipal
            .post(&format!("/api/v1/units/{}/archive", school.id))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(archived.archived);
    let admin = app.as_user("admin@iom.test").await;
    let region: UnitDto = ok_json(
        send(
            &admin,
            Method::POST,
            "/api/v1/units",
            json!({ "kind": "region", "name": "Новая область" }),
        )
        .await,
    )
    .await;
    assert_eq!(region.kind, UnitKind::Region);
    problem(
        send(
            &manager,
            Method::POST,
            "/api/v1/units",
            json!({ "kind": "region", "name": "Ещё" }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // The region's policy: the manager allows two-year routes.
    let policy: RegionPolicyDto = ok_json(
        send(
            &manager,
            Method::PUT,
            &format!("/api/v1/units/{}/policy", d.region),
            json!({ "max_route_months": 24, "max_extension_months": 6 }),
        )
        .await,
    )
    .await;
    assert_eq!(policy.max_route_months, 24);
    problem(
        send(
            &municipal,
            Method::PUT,
            &format!("/api/v1/units/{}/policy", d.region),
            json!({ "max_route_months": 60, "max_extension_months": 6 }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let teacher = app.as_user("teacher@iom.test").await;
    let res = send(
        &teacher,
        Method::POST,
        "/api/v1/routes",
        json!({ "title": "Два года", "period_start": "2026-09-01", "period_end": "2028-08-31" }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_person_edits_their_own_profile_and_changes_their_password() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let id = fixtures::id_of(&app, "teacher@iom.test").await;
    let card: PersonDetail = ok_json(send(&teacher, Method::PUT, &format!("/api/v1/people/{id}"), json!({
        "surname": "Иванова", "first_name": "Мария", "patronymic": "Петровна", "phone": "+7 901 111-22-33",
        "position": "Учитель математики и информатики", "teaching_experience_years": 13,
        "position_experience_years": 9, "qualification_category": "Высшая", "qualification_date": "2026-03-01",
        "email": "hijack@iom.test", "workplace_id": app.demo.school_b
    })).await).await;
    assert_eq!(
        card.person.qualification_category.as_deref(),
        Some("Высшая")
    );
    assert_eq!(
        card.person.email, "teacher@iom.test",
        "a new address waits for its confirmation"
    );
    assert_eq!(
        card.pending_email.map(|p| p.email).as_deref(),
        Some("hijack@iom.test")
    );
    let me: MeResponse = teacher.get_json("/api/v1/me").await;
    assert_eq!(
        me.pending_email.map(|p| p.email).as_deref(),
        Some("hijack@iom.test")
    );
    assert_eq!(
        card.person.workplace.unwrap().id,
        app.demo.school,
        "one's own workplace is managed by the school"
    );
    let res = send(
        &teacher,
        Method::POST,
        "/api/v1/me/password",
        json!({ "current_password": "wrong", "new_password": "новый надёжный пароль" }),
    )
    .await;
    assert!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY)
            .await
            .errors
            .contains_key("current_password")
    );
    let res = send(
        &teacher,
        Method::POST,
        "/api/v1/me/password",
        json!({ "current_password": "demo12345", "new_password": "новый надёжный пароль" }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.login_response("teacher@iom.test", "новый надёжный пароль")
            .await
            .status(),
        StatusCode::OK
    );
}

/// A profile body for `PUT /people/{id}` that re-addresses the person.
fn readdress(email: &str) -> serde_json::Value {
    json!({ "surname": "Захваченная", "first_name": "Учётная", "email": email })
}

#[tokio::test]
async fn a_coordinator_cannot_take_over_the_director_through_a_new_e_mail() {
    let app = TestApp::spawn().await;
    let director = fixtures::id_of(&app, "director@iom.test").await;
    let coordinator = app.as_user("coordinator@iom.test").await;
    let person = format!("/api/v1/people/{director}");
    // Each step of the attack that used to succeed.
    let p = problem(
        send(
            &coordinator,
            Method::PUT,
            &person,
            readdress("attacker@evil.test"),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(p.detail.unwrap_or_default().contains("роли"));
    for (method, path) in [
        (Method::POST, format!("{person}/invitation")),
        (Method::DELETE, format!("{person}/invitation")),
        (Method::POST, format!("{person}/deactivate")),
        (Method::POST, format!("{person}/activate")),
    ] {
        problem(
            coordinator.request(method, &path).send().await.unwrap(),
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    problem(
        send(
            &coordinator,
            Method::POST,
            &format!("{person}/roles"),
            json!({ "role": "tutor", "unit_id": app.demo.school }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let card: PersonDetail = coordinator.get_json(&format!("{person}/card")).await;
    assert!(!card.can_manage);
    assert_eq!(card.person.email, "director@iom.test");
    assert_ne!(card.person.surname, "Захваченная");
    assert!(card.pending_email.is_none());
    assert_eq!(
        app.login_response("director@iom.test", "demo12345")
            .await
            .status(),
        StatusCode::OK
    );
    // A teacher of the school stays the coordinator's to manage.
    let teacher = fixtures::id_of(&app, "teacher@iom.test").await;
    let card: PersonDetail = coordinator
        .get_json(&format!("/api/v1/people/{teacher}/card"))
        .await;
    assert!(card.can_manage);
}

#[tokio::test]
async fn a_regional_manager_manages_neither_another_manager_nor_an_administrator_with_a_workplace()
{
    let app = TestApp::spawn().await;
    let d = app.demo.clone();
    let other_manager = fixtures::person(
        &app.db,
        "manager2@iom.test",
        Role::RegionalManager,
        Some(d.region),
    )
    .await;
    let admin_at_school =
        fixtures::person(&app.db, "admin2@iom.test", Role::Teacher, Some(d.school)).await;
    api::db::grants::insert(&app.db, admin_at_school, Role::Admin, None, None)
        .await
        .unwrap();
    let manager = app.as_user("manager@iom.test").await;
    for target in [other_manager, admin_at_school] {
        let person = format!("/api/v1/people/{target}");
        problem(
            send(&manager, Method::PUT, &person, readdress("x@evil.test")).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        problem(
            manager
                .post(&format!("{person}/deactivate"))
                .send()
                .await
                .unwrap(),
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    // Nor appoints another manager.
    let teacher = fixtures::id_of(&app, "teacher@iom.test").await;
    problem(
        send(
            &manager,
            Method::POST,
            &format!("/api/v1/people/{teacher}/roles"),
            json!({ "role": "regional_manager", "unit_id": d.region }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // The administrator manages both.
    let admin = app.as_user("admin@iom.test").await;
    let card: PersonDetail = ok_json(
        admin
            .post(&format!("/api/v1/people/{other_manager}/deactivate"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(!card.person.active);
}

#[tokio::test]
async fn nobody_grants_roles_to_themselves_not_even_the_administrator() {
    let app = TestApp::spawn().await;
    for (email, role, unit) in [
        ("admin@iom.test", "regional_manager", app.demo.region),
        ("coordinator@iom.test", "tutor", app.demo.school),
        ("manager@iom.test", "expert", app.demo.region),
    ] {
        let me = fixtures::id_of(&app, email).await;
        let user = app.as_user(email).await;
        problem(
            send(
                &user,
                Method::POST,
                &format!("/api/v1/people/{me}/roles"),
                json!({ "role": role, "unit_id": unit }),
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await;
        let me: MeResponse = user.get_json("/api/v1/me").await;
        assert!(!me.roles.iter().any(|r| r.role.as_str() == role), "{email}");
    }
}

#[tokio::test]
async fn an_e_mail_change_takes_effect_only_once_the_new_address_confirms_it() {
    let (app, mut sink) = with_smtp().await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let coordinator = app.as_user("coordinator@iom.test").await;
    let card: PersonDetail = ok_json(
        send(
            &coordinator,
            Method::PUT,
            &format!("/api/v1/people/{teacher_id}"),
            json!({ "surname": "Иванова", "first_name": "Мария", "patronymic": "Петровна",
                    "email": "Maria.Ivanova@school1.ru" }),
        )
        .await,
    )
    .await;
    assert_eq!(card.person.email, "teacher@iom.test", "not yet");
    let pending = card.pending_email.unwrap();
    assert_eq!(pending.email, "maria.ivanova@school1.ru");
    // Until confirmed, the old address signs in and the new one does not.
    assert_eq!(
        app.login_response("teacher@iom.test", "demo12345")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.login_response("maria.ivanova@school1.ru", "demo12345")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // A link goes to the new address; the old one is told, without the full new address.
    app.run_jobs().await;
    let mut letters = [
        sink.inbox.recv().await.unwrap(),
        sink.inbox.recv().await.unwrap(),
    ];
    letters.sort_by_key(|m| m.to.clone());
    let (confirm, notice) = (&letters[0], &letters[1]);
    assert_eq!(confirm.to, ["maria.ivanova@school1.ru"]);
    assert_eq!(notice.to, ["teacher@iom.test"]);
    assert!(
        notice.text().contains("m•••@school1.ru"),
        "{}",
        notice.text()
    );
    assert!(!notice.text().contains("/confirm-email/"));
    let token = link_token(&confirm.text(), "confirm-email");
    let info: TokenInfo = ok_json(
        app.get(&format!("/api/v1/auth/links/{token}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(info.purpose, TokenPurpose::EmailChange);
    assert_eq!(info.new_email.as_deref(), Some("maria.ivanova@school1.ru"));
    // The link is not a password link.
    problem(
        app.post("/api/v1/auth/set-password")
            .json(&json!({ "token": token, "password": "зелёный чайник на окне" }))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        teacher.get("/api/v1/me").send().await.unwrap().status(),
        StatusCode::OK
    );
    let confirmed: EmailConfirmed = ok_json(
        app.post("/api/v1/auth/confirm-email")
            .json(&json!({ "token": token }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(confirmed.email, "maria.ivanova@school1.ru");
    // Every sign-in ended: the access token at once, the refresh cookie too.
    assert_eq!(
        teacher.get("/api/v1/me").send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post("/api/v1/auth/refresh")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_response("teacher@iom.test", "demo12345")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_response("maria.ivanova@school1.ru", "demo12345")
            .await
            .status(),
        StatusCode::OK
    );
    // Once.
    problem(
        app.post("/api/v1/auth/confirm-email")
            .json(&json!({ "token": token }))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    let card: PersonDetail = coordinator
        .get_json(&format!("/api/v1/people/{teacher_id}/card"))
        .await;
    assert_eq!(card.person.email, "maria.ivanova@school1.ru");
    assert!(card.pending_email.is_none());
}

#[tokio::test]
async fn a_new_address_already_taken_is_refused_and_a_made_up_link_confirms_nothing() {
    let app = TestApp::spawn().await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let coordinator = app.as_user("coordinator@iom.test").await;
    let p = problem(
        send(
            &coordinator,
            Method::PUT,
            &format!("/api/v1/people/{teacher_id}"),
            readdress("tutor@iom.test"),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(p.code, "email_taken");
    for token in [
        "not-a-real-token-at-all",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ] {
        problem(
            app.post("/api/v1/auth/confirm-email")
                .json(&json!({ "token": token }))
                .send()
                .await
                .unwrap(),
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    // An invitation's token is not an e-mail confirmation.
    let (app, mut sink) = with_smtp().await;
    new_teacher(&app, "manager@iom.test", "petrova@school1.ru", true).await;
    app.run_jobs().await;
    let token = link_token(&sink.inbox.recv().await.unwrap().text(), "invite");
    problem(
        app.post("/api/v1/auth/confirm-email")
            .json(&json!({ "token": token }))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn an_invitation_is_only_for_an_account_without_a_password() {
    let app = TestApp::spawn().await;
    let teacher = fixtures::id_of(&app, "teacher@iom.test").await;
    let manager = app.as_user("manager@iom.test").await;
    let p = problem(
        manager
            .post(&format!("/api/v1/people/{teacher}/invitation"))
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(p.code, "already_has_password");
    let fresh = new_teacher(&app, "manager@iom.test", "petrova@school1.ru", false).await;
    let status: InvitationStatus = ok_json(
        manager
            .post(&format!("/api/v1/people/{}/invitation", fresh.person.id))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status.state, InvitationState::Pending);
}

#[tokio::test]
async fn revoking_a_role_ends_the_assignments_it_gave_and_the_access_with_them() {
    let app = TestApp::spawn().await;
    let d = app.demo.clone();
    let teacher = app.as_user("teacher@iom.test").await;
    let route = create(&teacher, "Маршрут").await;
    let path = format!("/api/v1/routes/{}", route.id);
    let tutor = app.as_user("tutor@iom.test").await;
    assert_eq!(
        tutor.get(&path).send().await.unwrap().status(),
        StatusCode::OK
    );
    let tutor_id = fixtures::id_of(&app, "tutor@iom.test").await;
    let coordinator = app.as_user("coordinator@iom.test").await;
    let card: PersonDetail = coordinator
        .get_json(&format!("/api/v1/people/{tutor_id}/card"))
        .await;
    assert!(!card.teachers.is_empty());
    let grant = card
        .roles
        .iter()
        .find(|r| r.role == Role::Tutor)
        .unwrap()
        .id;
    let card: PersonDetail = ok_json(
        coordinator
            .request(Method::DELETE, &format!("/api/v1/role-grants/{grant}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(card.teachers.is_empty(), "{:?}", card.teachers);
    let tutor = app.as_user("tutor@iom.test").await;
    assert_eq!(
        tutor.get(&path).send().await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "the former tutor reads the tutee's route no more"
    );
    // The mentor's assignment ends with the methodist role.
    let methodist_id = fixtures::id_of(&app, "methodist@iom.test").await;
    let methodist = app.as_user("methodist@iom.test").await;
    assert_eq!(
        methodist.get(&path).send().await.unwrap().status(),
        StatusCode::OK
    );
    let manager = app.as_user("manager@iom.test").await;
    let card: PersonDetail = manager
        .get_json(&format!("/api/v1/people/{methodist_id}/card"))
        .await;
    let grant = card
        .roles
        .iter()
        .find(|r| r.role == Role::Methodist)
        .unwrap()
        .id;
    ok_json::<PersonDetail>(
        manager
            .request(Method::DELETE, &format!("/api/v1/role-grants/{grant}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let methodist = app.as_user("methodist@iom.test").await;
    assert_eq!(
        methodist.get(&path).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // A tutor at two schools keeps the tutees of the school still theirs.
    let two = fixtures::person(&app.db, "two@iom.test", Role::Tutor, Some(d.school)).await;
    api::db::grants::insert(&app.db, two, Role::Tutor, Some(d.school_2), None)
        .await
        .unwrap();
    let here = fixtures::person(&app.db, "here@iom.test", Role::Teacher, Some(d.school)).await;
    let there = fixtures::person(&app.db, "there@iom.test", Role::Teacher, Some(d.school_2)).await;
    fixtures::assign(&app.db, AssignmentKind::Tutor, two, here, true).await;
    fixtures::assign(&app.db, AssignmentKind::Tutor, two, there, true).await;
    let card: PersonDetail = manager
        .get_json(&format!("/api/v1/people/{two}/card"))
        .await;
    let at_school = card
        .roles
        .iter()
        .find(|r| r.unit.as_ref().is_some_and(|u| u.id == d.school))
        .unwrap()
        .id;
    // (The school's coordinator may not: the tutor also works at another school.)
    problem(
        coordinator
            .request(Method::DELETE, &format!("/api/v1/role-grants/{at_school}"))
            .send()
            .await
            .unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    let municipal = app.as_user("municipal@iom.test").await;
    let card: PersonDetail = ok_json(
        municipal
            .request(Method::DELETE, &format!("/api/v1/role-grants/{at_school}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let tutees: Vec<uuid::Uuid> = card.teachers.iter().map(|a| a.person.id).collect();
    assert_eq!(tutees, [there]);
}

#[tokio::test]
async fn a_methodist_mentor_is_chosen_by_the_regional_manager_only() {
    let app = TestApp::spawn().await;
    let d = app.demo.clone();
    let teacher = fixtures::person(&app.db, "new@iom.test", Role::Teacher, Some(d.school)).await;
    let methodist = fixtures::id_of(&app, "methodist@iom.test").await;
    let body = json!({ "kind": "mentor", "staff_id": methodist, "teacher_id": teacher });
    for email in [
        "coordinator@iom.test",
        "director@iom.test",
        "municipal@iom.test",
    ] {
        problem(
            send(
                &app.as_user(email).await,
                Method::POST,
                "/api/v1/assignments",
                body.clone(),
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let res = send(
        &app.as_user("manager@iom.test").await,
        Method::POST,
        "/api/v1/assignments",
        body,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn re_addressing_someone_not_yet_signed_in_stops_the_old_invitation_and_invites_the_new_address()
 {
    let (app, mut sink) = with_smtp().await;
    let created = new_teacher(&app, "manager@iom.test", "petrova@scool1.ru", true).await;
    app.run_jobs().await;
    let typo = sink.inbox.recv().await.unwrap();
    assert_eq!(typo.to, ["petrova@scool1.ru"]);
    let old_link = link_token(&typo.text(), "invite");
    let manager = app.as_user("manager@iom.test").await;
    ok_json::<PersonDetail>(
        send(
            &manager,
            Method::PUT,
            &format!("/api/v1/people/{}", created.person.id),
            json!({ "surname": "Петрова", "first_name": "Анна", "email": "petrova@school1.ru" }),
        )
        .await,
    )
    .await;
    // Whoever owns the mistyped mailbox can no longer get in.
    problem(
        app.get(&format!("/api/v1/auth/links/{old_link}"))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    app.run_jobs().await;
    let mut token = None;
    for _ in 0..2 {
        let mail = sink.inbox.recv().await.unwrap();
        if mail.to == ["petrova@school1.ru"] {
            token = Some(link_token(&mail.text(), "confirm-email"));
        }
    }
    let res = app
        .post("/api/v1/auth/confirm-email")
        .json(&json!({ "token": token.unwrap() }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    app.run_jobs().await;
    let invitation = sink.inbox.recv().await.unwrap();
    assert_eq!(invitation.to, ["petrova@school1.ru"]);
    assert!(invitation.text().contains("/invite/"));
}
