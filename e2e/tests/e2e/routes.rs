//! The route over HTTP: its whole lifecycle with every role doing its part, concurrency,
//! scope, lists and files.

use e2e::{TestApp, User, fixtures, ok_json, problem};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::dto::*;
use shared::workflow::{Outcome, RouteAction};
use shared::{DeficitState, Role, RouteStatus, Stage};

pub async fn framework(user: &User<'_>, route: &RouteDto) -> FrameworkDto {
    user.get_json(&format!(
        "/api/v1/frameworks/{}",
        route.framework_id.unwrap()
    ))
    .await
}

pub async fn create(user: &User<'_>, title: &str) -> RouteDto {
    let res = user
        .post("/api/v1/routes")
        .json(&json!({ "title": title, "period_start": "2026-09-01", "period_end": "2027-05-31" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    ok_json(res).await
}

pub async fn send(user: &User<'_>, method: Method, path: &str, body: Value) -> reqwest::Response {
    user.request(method, path).json(&body).send().await.unwrap()
}

pub async fn write(user: &User<'_>, method: Method, path: &str, body: Value) -> RouteDto {
    ok_json(send(user, method, path, body).await).await
}

pub async fn step(
    user: &User<'_>,
    route: &RouteDto,
    action: RouteAction,
    extra: Value,
) -> reqwest::Response {
    let mut body = json!({ "action": action, "version": route.version });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    send(
        user,
        Method::POST,
        &format!("/api/v1/routes/{}/transitions", route.id),
        body,
    )
    .await
}

pub async fn step_ok(
    user: &User<'_>,
    route: &RouteDto,
    action: RouteAction,
    extra: Value,
) -> RouteDto {
    ok_json(step(user, route, action, extra).await).await
}

/// Fills a draft with a diagnostic, two deficits, a task, two activities and a product.
pub async fn fill(user: &User<'_>, route: RouteDto) -> RouteDto {
    let fw = framework(user, &route).await;
    let comps: Vec<&CompetencyDto> = fw.competencies().collect();
    let base = format!("/api/v1/routes/{}", route.id);
    let r = write(
        user,
        Method::POST,
        &format!("{base}/diagnostics"),
        json!({
            "kind": "entry", "level": "regional", "name": "Региональная диагностика профессиональных дефицитов",
            "date": "2026-09-10",
            "results": [
                { "competency_id": comps[1].id, "level": "low", "score": 35.0 },
                { "competency_id": comps[4].id, "level": "low" },
                { "competency_id": comps[0].id, "level": "high" }
            ]
        }),
    )
    .await;
    assert_eq!(r.diagnostic.diagnostics[0].results.len(), 3);
    let r = write(
        user,
        Method::POST,
        &format!("{base}/deficits"),
        json!({ "title": "Формирование функциональной грамотности", "competency_id": comps[1].id }),
    )
    .await;
    let r2 = write(
        user,
        Method::POST,
        &format!("{base}/deficits"),
        json!({ "title": "Проектирование уроков по ФГОС", "competency_id": comps[4].id }),
    )
    .await;
    assert_eq!(r2.version, r.version + 1);
    let d: Vec<uuid::Uuid> = r2.diagnostic.deficits.iter().map(|d| d.id).collect();
    write(user, Method::POST, &format!("{base}/tasks"),
        json!({ "title": "Освоить приёмы формирования функциональной грамотности", "deficit_ids": [d[0], d[1]] })).await;
    write(
        user,
        Method::POST,
        &format!("{base}/activities"),
        json!({
            "name": "КПК «Функциональная грамотность: математическая грамотность»",
            "competency_ids": [comps[1].id], "deficit_ids": [d[0]], "level": "regional",
            "start_date": "2026-10-05", "end_date": "2026-10-16", "participation_form": "слушатель",
            "result": "удостоверение", "hours": 36.0
        }),
    )
    .await;
    write(
        user,
        Method::POST,
        &format!("{base}/activities"),
        json!({
            "name": "Открытый урок для методического объединения", "deficit_ids": [d[1]],
            "level": "institutional", "start_date": "2027-02-10", "participation_form": "докладчик"
        }),
    )
    .await;
    write(user, Method::POST, &format!("{base}/products"), json!({
        "title": "Сборник практико-ориентированных задач для 7 класса", "kind": "методическая разработка"
    })).await
}

#[tokio::test]
async fn a_route_goes_from_draft_to_completed_with_every_role_doing_its_part() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let deputy = app.as_user("deputy@iom.test").await;
    let director = app.as_user("director@iom.test").await;
    let methodist = app.as_user("methodist@iom.test").await;

    // Creating asks only for a title and a period; what is known is filled in.
    let route = create(&teacher, "Функциональная грамотность на уроках математики").await;
    assert_eq!(route.status, RouteStatus::Draft);
    assert_eq!(route.stage, Stage::Preparatory);
    assert_eq!(route.information.profile.surname, "Иванова");
    assert_eq!(
        route.information.profile.qualification_category.as_deref(),
        Some("Первая")
    );
    assert!(
        route
            .information
            .profile
            .workplace
            .as_deref()
            .unwrap()
            .contains("Гимназия")
    );
    assert_eq!(route.school.id, app.demo.school);
    assert_eq!(route.tutors[0].email, "tutor@iom.test");
    assert_eq!(route.mentors[0].email, "methodist@iom.test");
    assert_eq!(
        route.permissions.actions,
        [RouteAction::Submit, RouteAction::Withdraw]
    );

    // An empty route cannot go for agreement: the reasons are listed per field.
    let p = problem(
        step(&teacher, &route, RouteAction::Submit, json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p.errors.contains_key("target.tasks") && p.errors.contains_key("activity.activities"),
        "{p:?}"
    );

    let route = fill(&teacher, route).await;
    assert_eq!(route.stage, Stage::Design);
    assert_eq!(route.activity.activities.len(), 2);
    assert_eq!(route.target.tasks[0].deficit_ids.len(), 2);

    // An activity outside the period is refused with a Russian message.
    let res = send(
        &teacher,
        Method::POST,
        &format!("/api/v1/routes/{}/activities", route.id),
        json!({ "name": "Летняя школа", "start_date": "2027-07-01" }),
    )
    .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(p.errors["start_date"][0].contains("в пределах срока маршрута"));

    let route = step_ok(&teacher, &route, RouteAction::Submit, json!({})).await;
    assert_eq!(route.status, RouteStatus::Submitted);
    // While it is being agreed the plan holds still.
    let res = send(
        &teacher,
        Method::POST,
        &format!("/api/v1/routes/{}/products", route.id),
        json!({ "title": "Ещё" }),
    )
    .await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "route_locked"
    );

    // The tutor returns it with comments; returning without a comment is refused.
    let p = problem(
        step(&tutor, &route, RouteAction::Return, json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p.errors.contains_key("comment"));
    let route = step_ok(
        &tutor,
        &route,
        RouteAction::Return,
        json!({ "comment": "Уточните результат открытого урока" }),
    )
    .await;
    assert_eq!(route.status, RouteStatus::Returned);
    let r = &route.activity.activities[1];
    let route = write(&teacher, Method::PUT, &format!("/api/v1/routes/{}/activities/{}", route.id, r.id), json!({
        "version": r.version, "name": r.name, "deficit_ids": r.deficit_ids, "level": "institutional",
        "start_date": "2027-02-10", "participation_form": "докладчик", "result": "технологическая карта урока"
    })).await;
    let route = step_ok(&teacher, &route, RouteAction::Submit, json!({})).await;

    // The chain: tutor, then deputy («СОГЛАСОВАНО»), then director («УТВЕРЖДАЮ»); out of order is 409,
    // the wrong person is 403.
    assert_eq!(
        step(&director, &route, RouteAction::Approve, json!({}))
            .await
            .status(),
        StatusCode::CONFLICT
    );
    let route = step_ok(&tutor, &route, RouteAction::TutorAgree, json!({})).await;
    assert_eq!(
        step(&tutor, &route, RouteAction::Agree, json!({}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let route = step_ok(&deputy, &route, RouteAction::Agree, json!({})).await;
    let p = problem(
        step(&deputy, &route, RouteAction::Approve, json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(p.detail.unwrap().contains("Утвердить"));
    let route = step_ok(&director, &route, RouteAction::Approve, json!({})).await;
    assert_eq!(route.status, RouteStatus::Approved);
    assert_eq!(route.approved_version, Some(route.version));
    let signed: Vec<RouteAction> = route.approvals.iter().map(|a| a.action).collect();
    assert_eq!(
        signed,
        [
            RouteAction::TutorAgree,
            RouteAction::Agree,
            RouteAction::Approve
        ]
    );
    assert_eq!(route.approvals[2].person.email, "director@iom.test");
    assert_eq!(route.approvals[2].role_title, "Директор");

    let route = step_ok(&teacher, &route, RouteAction::Start, json!({})).await;
    assert_eq!(
        (route.status, route.stage),
        (RouteStatus::InProgress, Stage::Implementation)
    );

    // Doing the roadmap: an activity is done, with a reflection and evidence; a progress record.
    let a = route.activity.activities[0].clone();
    let route = write(&teacher, Method::PUT, &format!("/api/v1/routes/{}/activities/{}", route.id, a.id), json!({
        "version": a.version, "name": a.name, "competency_ids": a.competencies.iter().map(|c| c.id).collect::<Vec<_>>(),
        "deficit_ids": a.deficit_ids, "level": "regional", "start_date": "2026-10-05", "end_date": "2026-10-16",
        "participation_form": "слушатель", "result": "удостоверение о повышении квалификации", "status": "done",
        "reflection": "Освоила приёмы работы с контекстными задачами", "hours": 36.0
    })).await;
    let pdf = b"%PDF-1.4\n% certificate\n".to_vec();
    let res = teacher
        .post(&format!(
            "/api/v1/routes/{}/files?activity_id={}&name={}",
            route.id, a.id, "Удостоверение КПК.pdf"
        ))
        .header("content-type", "application/pdf")
        .body(pdf.clone())
        .send()
        .await
        .unwrap();
    let route: RouteDto = ok_json(res).await;
    let file = route.activity.activities[0].files[0].clone();
    assert_eq!(file.name, "Удостоверение КПК.pdf");
    let download = tutor.get(&file.url).send().await.unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    assert_eq!(download.bytes().await.unwrap().to_vec(), pdf);
    let route = write(
        &teacher,
        Method::POST,
        &format!("/api/v1/routes/{}/progress", route.id),
        json!({ "period_kind": "month", "period": "2026-10", "task_id": route.target.tasks[0].id,
                "text": "Прошла курсы, применила три контекстные задачи на уроках в 7 классе" }),
    )
    .await;
    assert_eq!(route.activity.progress[0].author.email, "teacher@iom.test");

    // A change of tasks after approval calls for agreement again; the product waits for it.
    let t = route.target.tasks[0].clone();
    let route = write(&teacher, Method::PUT, &format!("/api/v1/routes/{}/tasks/{}", route.id, t.id), json!({
        "version": t.version, "title": "Освоить и применить приёмы формирования функциональной грамотности",
        "deficit_ids": t.deficit_ids
    })).await;
    assert!(route.needs_reapproval);
    let p = problem(
        step(&teacher, &route, RouteAction::SubmitProduct, json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(p.code, "workflow_rule");
    let approved_before = route.approved_version.unwrap();
    let route = step_ok(&teacher, &route, RouteAction::Submit, json!({})).await;
    // The director sees exactly what changed since the version they approved.
    let changes: RouteHistory = director
        .get_json(&format!(
            "/api/v1/routes/{}/history?since_version={approved_before}",
            route.id
        ))
        .await;
    assert!(
        changes
            .changes
            .iter()
            .any(|c| c.entity == "task" && c.field == "title" && c.material)
    );
    assert!(changes.changes.iter().all(|c| c.version > approved_before));
    let route = step_ok(&tutor, &route, RouteAction::TutorAgree, json!({})).await;
    let route = step_ok(&deputy, &route, RouteAction::Agree, json!({})).await;
    let route = step_ok(&director, &route, RouteAction::Approve, json!({})).await;
    assert_eq!(
        route.status,
        RouteStatus::InProgress,
        "a started route goes straight back to work"
    );
    assert!(!route.needs_reapproval);

    // One extension of at most six months, with a reason; it is approved again.
    let p = problem(
        step(
            &teacher,
            &route,
            RouteAction::Extend,
            json!({ "new_end": "2027-12-31", "comment": "болезнь" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p.errors.contains_key("new_end"));
    let route = step_ok(
        &teacher,
        &route,
        RouteAction::Extend,
        json!({ "new_end": "2027-08-31", "comment": "Курсы перенесены организатором" }),
    )
    .await;
    assert_eq!(
        (route.status, route.period_end.to_string().as_str()),
        (RouteStatus::Submitted, "2027-08-31")
    );
    assert_eq!(route.original_end.unwrap().to_string(), "2027-05-31");
    let route = step_ok(&tutor, &route, RouteAction::TutorAgree, json!({})).await;
    let route = step_ok(&deputy, &route, RouteAction::Agree, json!({})).await;
    let route = step_ok(&director, &route, RouteAction::Approve, json!({})).await;
    let p = problem(
        step(
            &teacher,
            &route,
            RouteAction::Extend,
            json!({ "new_end": "2027-09-30", "comment": "ещё" }),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(p.detail.unwrap().contains("один раз"));

    // The final public event is held; the product goes to the expert.
    let route = write(&teacher, Method::PUT, &format!("/api/v1/routes/{}/final-event", route.id), json!({
        "version": route.version,
        "final_event": { "name": "Мастер-класс на муниципальном методическом объединении", "level": "municipal",
                         "start_date": "2027-04-20", "participation_form": "ведущий", "done": true }
    })).await;
    let expert_id = fixtures::id_of(&app, "expert@iom.test").await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    fixtures::assign(
        &app.db,
        AssignmentKind::Expert,
        expert_id,
        teacher_id,
        false,
    )
    .await;
    let expert = app.as_user("expert@iom.test").await;
    assert_eq!(
        expert
            .get(&format!("/api/v1/routes/{}", route.id))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND,
        "an expert sees a route only once its product is submitted"
    );
    let route = step_ok(&teacher, &route, RouteAction::SubmitProduct, json!({})).await;
    let seen: RouteDto = expert
        .get_json(&format!("/api/v1/routes/{}", route.id))
        .await;
    assert_eq!(
        seen.permissions.actions,
        [RouteAction::ReturnProduct, RouteAction::Evaluate]
    );
    let d = &route.diagnostic.deficits;
    let p = problem(
        step(
            &expert,
            &route,
            RouteAction::Evaluate,
            json!({ "verdicts": [{ "deficit_id": d[0].id, "eliminated": true }] }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p.errors.contains_key("verdicts"));
    let route = step_ok(&expert, &route, RouteAction::Evaluate, json!({
        "verdicts": [{ "deficit_id": d[0].id, "eliminated": true }, { "deficit_id": d[1].id, "eliminated": false }],
        "comment": "Продукт соответствует задаче; проектирование уроков требует доработки"
    })).await;
    assert_eq!(route.status, RouteStatus::Evaluated);
    assert_eq!(route.diagnostic.deficits[0].state, DeficitState::Eliminated);
    assert_eq!(
        route.diagnostic.deficits[1].state,
        DeficitState::NotEliminated
    );
    assert_eq!(
        route.reflective.evaluation.as_ref().unwrap().expert.email,
        "expert@iom.test"
    );

    // The conclusion comes first; then the route completes and freezes.
    assert_eq!(
        step(&tutor, &route, RouteAction::Complete, json!({}))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // The expert found a deficit not eliminated: the criteria (1.12) suggest «не достигнута»
    // and refuse completing the route as achieved.
    let dynamics: RouteDynamicsDto = tutor
        .get_json(&format!("/api/v1/routes/{}/dynamics", route.id))
        .await;
    assert_eq!(dynamics.criteria_evaluation, Some(false));
    assert_eq!(dynamics.suggested_outcome, Some(Outcome::NotAchieved));
    let route = write(
        &tutor,
        Method::PUT,
        &format!("/api/v1/routes/{}/conclusion", route.id),
        json!({
            "version": route.version,
            "conclusion": { "findings": "Задача достигнута", "outcome": "achieved" }
        }),
    )
    .await;
    let p = problem(
        step(&tutor, &route, RouteAction::Complete, json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let why = &p.errors["reflective.conclusion.outcome"];
    assert!(format!("{why:?}").contains("эксперт"), "{p:?}");
    let route = write(&tutor, Method::PUT, &format!("/api/v1/routes/{}/conclusion", route.id), json!({
        "version": route.version,
        "conclusion": { "findings": "Задача достигнута частично", "results": "Разработан сборник задач",
                        "recommendations": "Продолжить работу над проектированием уроков", "outcome": "not_achieved" }
    })).await;
    assert_eq!(
        route.reflective.conclusion_by.as_ref().unwrap().email,
        "tutor@iom.test"
    );
    let route = step_ok(&tutor, &route, RouteAction::Complete, json!({})).await;
    assert_eq!(
        (route.status, route.stage),
        (RouteStatus::Completed, Stage::ReflectiveAnalytical)
    );
    assert!(route.completed_at.is_some());
    assert!(!route.permissions.can_edit);
    let res = send(
        &teacher,
        Method::POST,
        &format!("/api/v1/routes/{}/progress", route.id),
        json!({ "period_kind": "month", "period": "2027-05", "text": "поздно" }),
    )
    .await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "route_locked"
    );

    // The whole history, in order, with who and a comment where one was given.
    let history: RouteHistory = methodist
        .get_json(&format!("/api/v1/routes/{}/history", route.id))
        .await;
    let steps: Vec<&str> = history
        .transitions
        .iter()
        .map(|t| t.action.as_str())
        .collect();
    assert_eq!(
        steps,
        [
            "submit",
            "return",
            "submit",
            "tutor_agree",
            "agree",
            "approve",
            "start",
            "submit",
            "tutor_agree",
            "agree",
            "approve",
            "extend",
            "tutor_agree",
            "agree",
            "approve",
            "submit_product",
            "evaluate",
            "complete",
        ]
    );
    assert_eq!(
        history.transitions[1].comment.as_deref(),
        Some("Уточните результат открытого урока")
    );
    assert!(history.changes.len() > 10);

    // Not achieved: the next route is drafted from this one, with the deficit still open.
    let next: RouteDto = ok_json(
        teacher
            .post(&format!("/api/v1/routes/{}/next", route.id))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(next.status, RouteStatus::Draft);
    assert_eq!(next.previous_route_id, Some(route.id));
    assert_eq!(next.diagnostic.deficits.len(), 1);
    assert_eq!(
        next.diagnostic.deficits[0].title,
        "Проектирование уроков по ФГОС"
    );
    assert_eq!(next.target.tasks.len(), 1);
    assert!(next.period_start > route.period_end);
}

#[tokio::test]
async fn a_stale_version_is_refused_and_concurrent_edits_lose_nothing() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let route = fill(&teacher, create(&teacher, "Маршрут").await).await;
    let a = route.activity.activities[0].clone();
    let body =
        |name: &str| json!({ "version": a.version, "name": name, "deficit_ids": a.deficit_ids });
    let path = format!("/api/v1/routes/{}/activities/{}", route.id, a.id);

    // Two people save the same version at once: exactly one wins, the other gets 412.
    let (r1, r2) = tokio::join!(
        send(&teacher, Method::PUT, &path, body("Вариант педагога")),
        send(&tutor, Method::PUT, &path, body("Вариант тьютора")),
    );
    let mut statuses = [r1.status(), r2.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::PRECONDITION_FAILED]);
    let loser = if r1.status() == StatusCode::OK {
        r2
    } else {
        r1
    };
    let p = problem(loser, StatusCode::PRECONDITION_FAILED).await;
    assert_eq!(p.code, "stale_version");

    // The route's own fields are guarded by the route's version the same way.
    let stale = send(
        &teacher,
        Method::PUT,
        &format!("/api/v1/routes/{}", route.id),
        json!({
            "version": route.version, "title": "Новое название", "track": null,
            "period_start": "2026-09-01", "period_end": "2027-05-31", "educational_request": null
        }),
    )
    .await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    // A workflow step on a stale version too.
    assert_eq!(
        step(&teacher, &route, RouteAction::Submit, json!({}))
            .await
            .status(),
        StatusCode::PRECONDITION_FAILED
    );
    // An update without a version is a 422, not a silent overwrite.
    let res = send(
        &teacher,
        Method::PUT,
        &path,
        json!({ "name": "без версии" }),
    )
    .await;
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY)
            .await
            .errors
            .keys()
            .next()
            .unwrap(),
        "version"
    );
}

#[tokio::test]
async fn the_whole_route_carries_an_etag_and_answers_304_when_unchanged() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let route = create(&teacher, "Маршрут").await;
    let path = format!("/api/v1/routes/{}", route.id);
    let res = teacher.get(&path).send().await.unwrap();
    let tag = res.headers()["etag"].to_str().unwrap().to_owned();
    assert!(tag.starts_with(&format!("\"v{}-", route.version)), "{tag}");
    let res = teacher
        .get(&path)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    let section: TargetSection = teacher.get_json(&format!("{path}/sections/target")).await;
    assert!(section.tasks.is_empty());
    problem(
        teacher
            .get(&format!("{path}/sections/nonsense"))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn each_role_sees_routes_exactly_within_its_scope() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let d = app.demo.clone();
    let tutor_id = fixtures::id_of(&app, "tutor@iom.test").await;
    let expert_id = fixtures::id_of(&app, "expert@iom.test").await;
    // Routes of: the demo teacher (tutor consented), a colleague whose tutor has no consent, a
    // teacher of another school, of another municipality.
    let nc = fixtures::person(db, "nc@iom.test", Role::Teacher, Some(d.school)).await;
    fixtures::assign(db, AssignmentKind::Tutor, tutor_id, nc, false).await;
    fixtures::assign(db, AssignmentKind::Expert, expert_id, nc, false).await;
    fixtures::person(db, "s2@iom.test", Role::Teacher, Some(d.school_2)).await;
    fixtures::person(db, "mb@iom.test", Role::Teacher, Some(d.school_b)).await;
    let mut ids = Vec::new();
    for email in [
        "teacher@iom.test",
        "nc@iom.test",
        "s2@iom.test",
        "mb@iom.test",
    ] {
        let u = app.as_user(email).await;
        ids.push(create(&u, &format!("Маршрут {email}")).await.id);
    }
    let expected: &[(&str, [bool; 4])] = &[
        ("teacher@iom.test", [true, false, false, false]),
        ("tutor@iom.test", [true, false, false, false]),
        ("methodist@iom.test", [true, false, false, false]),
        ("coordinator@iom.test", [true, true, false, false]),
        ("deputy@iom.test", [true, true, false, false]),
        ("director@iom.test", [true, true, false, false]),
        ("municipal@iom.test", [true, true, true, false]),
        ("manager@iom.test", [true, true, true, true]),
        ("expert@iom.test", [false, false, false, false]),
        ("admin@iom.test", [false, false, false, false]),
    ];
    let mut table =
        String::from("GET /routes/{id}      педагог  без согл.  др.ОО  др.МО  | list\n");
    let mut wrong = Vec::new();
    for (email, row) in expected {
        let u = app.as_user(email).await;
        table.push_str(&format!("{email:<22}"));
        for (id, want) in ids.iter().zip(row) {
            let got = u
                .get(&format!("/api/v1/routes/{id}"))
                .send()
                .await
                .unwrap()
                .status();
            table.push_str(&format!("{:>8}", got.as_u16()));
            if (got == StatusCode::OK) != *want
                || !(got == StatusCode::OK || got == StatusCode::NOT_FOUND)
            {
                wrong.push(format!("{email} → {id}: {got}"));
            }
            // Writes are refused the same way for those who cannot even read.
            if !want {
                let res = send(
                    &u,
                    Method::POST,
                    &format!("/api/v1/routes/{id}/tasks"),
                    json!({ "title": "x", "deficit_ids": [uuid::Uuid::new_v4()] }),
                )
                .await;
                if res.status() != StatusCode::NOT_FOUND {
                    wrong.push(format!("{email} wrote to {id}: {}", res.status()));
                }
            }
        }
        // The list shows exactly the readable ones.
        let page: Page<RouteSummary> = u.get_json("/api/v1/routes?limit=200").await;
        let listed: Vec<bool> = ids
            .iter()
            .map(|id| page.items.iter().any(|r| r.id == *id))
            .collect();
        table.push_str(&format!(
            "  | {}\n",
            listed
                .iter()
                .map(|b| if *b { "+" } else { "-" })
                .collect::<String>()
        ));
        if listed != row.to_vec() {
            wrong.push(format!("{email} lists {listed:?}, want {row:?}"));
        }
        assert_eq!(page.total as usize, page.items.len());
    }
    println!("{table}");
    assert!(wrong.is_empty(), "{table}\n{wrong:#?}");

    // Consent given: the tutor sees the colleague's route at once; withdrawn: at once no more.
    use api::db::entities::assignment;
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
    let row = assignment::Entity::find()
        .filter(assignment::Column::TeacherId.eq(nc))
        .filter(assignment::Column::Kind.eq("tutor"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut am = row.into_active_model();
    am.consent_at = Set(Some(api::db::now()));
    let row = am.update(db).await.unwrap();
    let tutor = app.as_user("tutor@iom.test").await;
    assert_eq!(
        tutor
            .get(&format!("/api/v1/routes/{}", ids[1]))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let mut am = row.into_active_model();
    am.consent_at = Set(None);
    am.update(db).await.unwrap();
    assert_eq!(
        tutor
            .get(&format!("/api/v1/routes/{}", ids[1]))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn lists_filter_by_status_text_and_queue() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let director = app.as_user("director@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let a = fill(
        &teacher,
        create(&teacher, "Цифровые инструменты на уроке").await,
    )
    .await;
    create(&teacher, "Ёмкие задания по геометрии").await;
    let a = step_ok(&teacher, &a, RouteAction::Submit, json!({})).await;

    let page: Page<RouteSummary> = director.get_json("/api/v1/routes?status=submitted").await;
    assert_eq!(page.items.iter().map(|r| r.id).collect::<Vec<_>>(), [a.id]);
    assert_eq!(page.items[0].activities_total, 2);
    // Text search ignores case and «ё».
    let page: Page<RouteSummary> = director
        .get_json("/api/v1/routes?q=%D0%B5%D0%BC%D0%BA%D0%B8%D0%B5")
        .await;
    assert_eq!(page.items.len(), 1, "«емкие» finds «Ёмкие»");
    let page: Page<RouteSummary> = director
        .get_json("/api/v1/routes?q=%D0%B8%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2%D0%B0")
        .await;
    assert_eq!(page.total, 2, "«иванова» finds the teacher's routes");

    // Queues: the tutor has the submitted route to agree; the director nothing yet.
    let q: Page<RouteSummary> = tutor.get_json("/api/v1/routes?actionable=true").await;
    assert_eq!(q.items.iter().map(|r| r.id).collect::<Vec<_>>(), [a.id]);
    let q: Page<RouteSummary> = director.get_json("/api/v1/routes?actionable=true").await;
    assert!(q.items.is_empty());
    let a = step_ok(&tutor, &a, RouteAction::TutorAgree, json!({})).await;
    step_ok(
        &app.as_user("deputy@iom.test").await,
        &a,
        RouteAction::Agree,
        json!({}),
    )
    .await;
    let q: Page<RouteSummary> = director.get_json("/api/v1/routes?actionable=true").await;
    assert_eq!(q.total, 1);
    let mine: Page<RouteSummary> = director.get_json("/api/v1/routes?mine=true").await;
    assert_eq!(mine.total, 0);
    problem(
        director
            .get("/api/v1/routes?status=bogus")
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[tokio::test]
async fn a_teacher_withdraws_at_any_time_and_the_school_reopens_with_a_reason() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let director = app.as_user("director@iom.test").await;
    let route = fill(&teacher, create(&teacher, "Маршрут").await).await;
    let route = step_ok(&teacher, &route, RouteAction::Submit, json!({})).await;
    assert_eq!(
        step(&director, &route, RouteAction::Withdraw, json!({}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let route = step_ok(
        &teacher,
        &route,
        RouteAction::Withdraw,
        json!({ "comment": "Перехожу в другую школу" }),
    )
    .await;
    assert_eq!(route.status, RouteStatus::Withdrawn);
    assert_eq!(
        step(&teacher, &route, RouteAction::Submit, json!({}))
            .await
            .status(),
        StatusCode::CONFLICT
    );
    let p = problem(
        step(&director, &route, RouteAction::Reopen, json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p.errors.contains_key("comment"));
    let route = step_ok(
        &director,
        &route,
        RouteAction::Reopen,
        json!({ "comment": "Педагог остаётся" }),
    )
    .await;
    assert_eq!(route.status, RouteStatus::Draft);
}

#[tokio::test]
async fn only_a_never_submitted_draft_can_be_deleted() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let draft = create(&teacher, "Черновик").await;
    let res = teacher
        .request(
            Method::DELETE,
            &format!("/api/v1/routes/{}?version={}", draft.id, draft.version),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        teacher
            .get(&format!("/api/v1/routes/{}", draft.id))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    let route = fill(&teacher, create(&teacher, "Маршрут").await).await;
    let route = step_ok(&teacher, &route, RouteAction::Submit, json!({})).await;
    let route = step_ok(
        &app.as_user("tutor@iom.test").await,
        &route,
        RouteAction::Return,
        json!({ "comment": "доработать" }),
    )
    .await;
    let res = teacher
        .request(
            Method::DELETE,
            &format!("/api/v1/routes/{}?version={}", route.id, route.version),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "route_not_draft"
    );
}

#[tokio::test]
async fn files_are_checked_and_only_those_in_scope_download_them() {
    let app = TestApp::spawn_with(e2e::Options {
        configure: Some(Box::new(|s| s.max_upload_bytes = 64 * 1024)),
        ..Default::default()
    })
    .await;
    let teacher = app.as_user("teacher@iom.test").await;
    let route = fill(&teacher, create(&teacher, "Маршрут").await).await;
    let a = &route.activity.activities[0];
    let url = |name: &str| {
        format!(
            "/api/v1/routes/{}/files?activity_id={}&name={name}",
            route.id, a.id
        )
    };

    let res = teacher
        .post(&url("script.pdf"))
        .header("content-type", "application/pdf")
        .body("<script>alert(1)</script>")
        .send()
        .await
        .unwrap();
    assert!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.errors["file"][0]
            .contains("не соответствует")
    );
    let res = teacher
        .post(&url("tool.exe"))
        .header("content-type", "application/octet-stream")
        .body("MZ....")
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = teacher
        .post(&url("big.pdf"))
        .header("content-type", "application/pdf")
        .body(vec![b'%'; 65 * 1024])
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::PAYLOAD_TOO_LARGE).await;
    let res = teacher
        .post(&format!("/api/v1/routes/{}/files?name=x.pdf", route.id))
        .header("content-type", "application/pdf")
        .body("%PDF-1.4")
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;

    let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];
    let route: RouteDto = ok_json(
        teacher
            .post(&url("фото.png"))
            .header("content-type", "image/png")
            .body(png.to_vec())
            .send()
            .await
            .unwrap(),
    )
    .await;
    let file = route.activity.activities[0].files[0].clone();
    let other = fixtures::person(
        &app.db,
        "c2@iom.test",
        Role::SchoolCoordinator,
        Some(app.demo.school_2),
    )
    .await;
    let _ = other;
    let stranger = app.as_user("c2@iom.test").await;
    problem(
        stranger.get(&file.url).send().await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        stranger
            .request(Method::DELETE, &file.url)
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    let res = app
        .as_user("director@iom.test")
        .await
        .get(&file.url)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.bytes().await.unwrap().to_vec(), png.to_vec());
    let route: RouteDto = ok_json(
        teacher
            .request(Method::DELETE, &file.url)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(route.activity.activities[0].files.is_empty());
    problem(
        teacher.get(&file.url).send().await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn comments_form_a_thread_visible_to_those_who_read_the_route() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let methodist = app.as_user("methodist@iom.test").await;
    let route = create(&teacher, "Маршрут").await;
    let path = format!("/api/v1/routes/{}/comments", route.id);
    let res = send(
        &methodist,
        Method::POST,
        &path,
        json!({ "section": "target", "text": "Сформулируйте задачу измеримо" }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    send(
        &teacher,
        Method::POST,
        &path,
        json!({ "text": "Спасибо, исправлю" }),
    )
    .await;
    let thread: Vec<CommentDto> = teacher.get_json(&path).await;
    assert_eq!(thread.len(), 2);
    assert_eq!(thread[0].author.email, "methodist@iom.test");
    let outsider = app.as_user("expert@iom.test").await;
    problem(
        send(&outsider, Method::POST, &path, json!({ "text": "?" })).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        send(&teacher, Method::POST, &path, json!({ "text": "   " })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

#[tokio::test]
async fn unknown_enum_values_in_a_body_are_a_422() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let route = create(&teacher, "Маршрут").await;
    let res = send(
        &teacher,
        Method::POST,
        &format!("/api/v1/routes/{}/transitions", route.id),
        json!({ "action": "teleport", "version": route.version }),
    )
    .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.code, "invalid_body");
    assert!(p.detail.unwrap().contains("teleport"));
}

#[tokio::test]
async fn a_period_longer_than_the_regions_maximum_is_refused() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let res = send(
        &teacher,
        Method::POST,
        "/api/v1/routes",
        json!({ "title": "Долгий", "period_start": "2026-09-01", "period_end": "2028-01-01" }),
    )
    .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(p.errors["period_end"][0].contains("12"));
    // A region that allows five years.
    use sea_orm::{ActiveModelTrait, Set};
    api::db::entities::region_policy::ActiveModel {
        region_id: Set(app.demo.region),
        max_route_months: Set(60),
        max_extension_months: Set(6),
        remind_before_days: Set(3),
        escalate_after_days: Set(7),
        updated_at: Set(api::db::now()),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let res = send(
        &teacher,
        Method::POST,
        "/api/v1/routes",
        json!({ "title": "Долгий", "period_start": "2026-09-01", "period_end": "2028-01-01" }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

/// Statements the server runs for one request (nothing else runs meanwhile in a test).
async fn statements_for(app: &TestApp, req: reqwest::RequestBuilder) -> (u64, reqwest::Response) {
    let before = app.statements.get();
    let res = req.send().await.unwrap();
    (app.statements.get() - before, res)
}

/// Reading a whole route runs the same fixed number of statements whether it has 2 activities
/// or 30 (every section is loaded in one query, never one per item), and a 304 for an unchanged
/// route runs only the few that decide who may read it.
#[tokio::test]
async fn a_route_read_runs_a_fixed_handful_of_statements_whatever_its_size() {
    const WHOLE_ROUTE: u64 = 19;
    const NOT_MODIFIED: u64 = 4;
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let route = fill(&teacher, create(&teacher, "Маршрут").await).await;
    let path = format!("/api/v1/routes/{}", route.id);
    // The first read loads the reader's grants; the cache serves the next ones.
    teacher.get_json::<RouteDto>(&path).await;
    let (small, res) = statements_for(&app, teacher.get(&path)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(ok_json::<RouteDto>(res).await.activity.activities.len(), 2);

    let fw = framework(&teacher, &route).await;
    let comps: Vec<uuid::Uuid> = fw.competencies().map(|c| c.id).collect();
    for i in 0..28 {
        write(
            &teacher,
            Method::POST,
            &format!("{path}/activities"),
            json!({
                "name": format!("Мероприятие № {i}"), "competency_ids": [comps[i % comps.len()]],
                "level": "municipal", "start_date": "2026-11-01"
            }),
        )
        .await;
    }
    teacher.get_json::<RouteDto>(&path).await;
    let (large, res) = statements_for(&app, teacher.get(&path)).await;
    let tag = res.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(ok_json::<RouteDto>(res).await.activity.activities.len(), 30);
    assert_eq!(small, large, "statements grow with the activities");
    assert!(large <= WHOLE_ROUTE, "{large} statements for a route read");

    let (n, res) = statements_for(&app, teacher.get(&path).header("if-none-match", &tag)).await;
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert!(n <= NOT_MODIFIED, "{n} statements for a 304");
}

/// The route's entity tag includes what the viewer may do: the school's director (who may not
/// edit) never gets a 304 for the owner's tag, and gets their own.
#[tokio::test]
async fn the_route_etag_differs_by_what_the_viewer_may_do() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let director = app.as_user("director@iom.test").await;
    let route = create(&teacher, "Маршрут").await;
    let path = format!("/api/v1/routes/{}", route.id);
    let res = teacher.get(&path).send().await.unwrap();
    let owners = res.headers()["etag"].to_str().unwrap().to_owned();
    let res = director
        .get(&path)
        .header("if-none-match", &owners)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let theirs = res.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(owners, theirs);
    let dto: RouteDto = ok_json(res).await;
    assert!(!dto.permissions.can_edit);
    let res = director
        .get(&path)
        .header("if-none-match", &theirs)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
}
