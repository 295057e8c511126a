//! The catalogue over HTTP: publishing, the calendar and its scope, recommendations with
//! reasons, enrolment under concurrency, the roadmap filled from an event and completed by
//! attendance, cohorts, and iCalendar feeds read by a real parser.

use chrono::{Duration, NaiveDate};
use e2e::{TestApp, User, fixtures, ok_json, problem};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::catalogue::{EnrolmentStatus, EventStatus, Proximity};
use shared::dto::catalogue::*;
use shared::dto::*;
use shared::{ActivityStatus, Role};
use uuid::Uuid;

pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

/// The default framework's competencies, in order.
pub async fn competencies(user: &User<'_>) -> Vec<CompetencyDto> {
    let list: Vec<FrameworkDto> = user.get_json("/api/v1/frameworks").await;
    let id = list[0].id;
    let fw: FrameworkDto = user.get_json(&format!("/api/v1/frameworks/{id}")).await;
    fw.competencies().cloned().collect()
}

/// Creates and publishes an event; returns it.
pub async fn publish(user: &User<'_>, body: Value) -> EventDto {
    let res = user
        .post("/api/v1/catalogue/events")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let e: EventDto = ok_json(res).await;
    assert_eq!(e.summary.status, EventStatus::Draft);
    ok_json(
        user.post(&format!(
            "/api/v1/catalogue/events/{}/publish",
            e.summary.id
        ))
        .json(&json!({ "version": e.summary.version }))
        .send()
        .await
        .unwrap(),
    )
    .await
}

fn seminar(title: &str, comp: Uuid, start: i64) -> Value {
    json!({
        "title": title, "kind": "seminar", "format": "onsite",
        "place": "Светлогорск, Дом учителя, ауд. 12",
        "starts_on": day(start), "schedule": "15:00–17:00",
        "hours": 2.0, "capacity": 30, "competency_ids": [comp],
        "audience_subjects": ["Математика"], "audience_levels": ["basic"]
    })
}

/// A route running from a week ago for ten months, with a confirmed deficit in `comp`.
pub async fn route_with_deficit(user: &User<'_>, comp: Uuid, title: &str) -> RouteDto {
    let res = user
        .post("/api/v1/routes")
        .json(&json!({ "title": "Маршрут", "period_start": day(-7), "period_end": day(300) }))
        .send()
        .await
        .unwrap();
    let r: RouteDto = ok_json(res).await;
    ok_json(
        user.post(&format!("/api/v1/routes/{}/deficits", r.id))
            .json(&json!({ "title": title, "competency_id": comp }))
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn event(user: &User<'_>, id: Uuid) -> EventDto {
    user.get_json(&format!("/api/v1/catalogue/events/{id}"))
        .await
}

#[tokio::test]
async fn a_municipal_seminar_is_recommended_enrolled_added_to_the_roadmap_and_done_on_attendance() {
    let app = TestApp::spawn().await;
    let muni = app.as_user("municipal@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let comps = competencies(&teacher).await;
    let route = route_with_deficit(
        &teacher,
        comps[1].id,
        "Формирование функциональной грамотности",
    )
    .await;
    let deficit = route.diagnostic.deficits[0].id;

    let e = publish(
        &muni,
        seminar(
            "Функциональная грамотность на уроках математики",
            comps[1].id,
            14,
        ),
    )
    .await;
    assert_eq!(e.summary.level, shared::EventLevel::Municipal);
    assert_eq!(e.summary.organiser.id, app.demo.municipality_a);
    // An unrelated event is not recommended.
    publish(
        &muni,
        seminar(
            "Воспитательная работа классного руководителя",
            comps[8].id,
            10,
        ),
    )
    .await;

    let recs: RecommendationsDto = teacher.get_json("/api/v1/catalogue/recommendations").await;
    // The demo calendar has events for this competency too; ours is among them, the unrelated
    // one is not, and the order is the ranking's.
    let top = recs
        .ranked
        .iter()
        .find(|r| r.event.id == e.summary.id)
        .unwrap_or_else(|| panic!("{recs:#?}"));
    assert!(
        recs.ranked
            .iter()
            .all(|r| r.covers.iter().any(|c| c.deficit_id == deficit))
    );
    assert!(recs.ranked.windows(2).all(|w| w[0].score >= w[1].score));
    assert_eq!(top.covers[0].deficit_id, deficit);
    assert_eq!(top.proximity, Proximity::Municipality);
    assert!(top.has_seats && top.in_period);
    assert!(
        top.reasons[0].contains("Формирование функциональной грамотности"),
        "{:?}",
        top.reasons
    );

    // Enrol, then add to the roadmap in one call: everything is prefilled.
    let enrolled: EventDto = ok_json(
        teacher
            .post(&format!(
                "/api/v1/catalogue/events/{}/enrolment",
                e.summary.id
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let mine = enrolled.my_enrolment.clone().unwrap();
    assert_eq!(mine.status, EnrolmentStatus::Registered);
    assert_eq!(enrolled.registered, 1);
    let again = teacher
        .post(&format!(
            "/api/v1/catalogue/events/{}/enrolment",
            e.summary.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(again, StatusCode::CONFLICT).await.code,
        "already_enrolled"
    );

    let r: RouteDto = ok_json(
        teacher
            .post(&format!(
                "/api/v1/catalogue/events/{}/roadmap",
                e.summary.id
            ))
            .json(&json!({ "route_id": route.id }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let act = r
        .activity
        .activities
        .iter()
        .find(|a| a.event_id == Some(e.summary.id))
        .unwrap()
        .clone();
    assert!(
        act.name
            .contains("Функциональная грамотность на уроках математики")
    );
    assert_eq!(act.start_date.map(|d| d.to_string()), Some(day(14)));
    assert_eq!(act.deficit_ids, vec![deficit]);
    assert_eq!(act.competencies[0].id, comps[1].id);
    assert_eq!(act.level, Some(shared::EventLevel::Municipal));
    assert_eq!(act.hours, Some(2.0));
    assert_eq!(act.status, ActivityStatus::Planned);

    // The organiser keeps the attendance sheet; attendance and a certificate finish the activity.
    let sheet: Vec<EnrolmentDto> = muni
        .get_json(&format!(
            "/api/v1/catalogue/events/{}/enrolments",
            e.summary.id
        ))
        .await;
    assert_eq!(sheet.len(), 1);
    assert_eq!(sheet[0].activity_id, Some(act.id));
    let marked: EnrolmentDto = ok_json(
        muni.request(
            Method::PUT,
            &format!("/api/v1/catalogue/enrolments/{}/attendance", sheet[0].id),
        )
        .json(&json!({ "attended": true }))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(marked.status, EnrolmentStatus::Attended);
    let res = muni
        .post(&format!(
            "/api/v1/catalogue/enrolments/{}/certificate?name=Сертификат.pdf",
            sheet[0].id
        ))
        .header("content-type", "application/pdf")
        .body("%PDF-1.4 certificate")
        .send()
        .await
        .unwrap();
    let with_cert: EnrolmentDto = ok_json(res).await;
    assert_eq!(
        with_cert.certificate_name.as_deref(),
        Some("Сертификат.pdf")
    );

    let after: RouteDto = teacher
        .get_json(&format!("/api/v1/routes/{}", route.id))
        .await;
    let done = after
        .activity
        .activities
        .iter()
        .find(|a| a.id == act.id)
        .unwrap();
    assert_eq!(done.status, ActivityStatus::Done);
    assert_eq!(done.files.len(), 1);
    assert_eq!(done.files[0].name, "Сертификат.pdf");
    assert!(after.version > r.version);
    let history: Value = teacher
        .get_json(&format!("/api/v1/routes/{}/history", route.id))
        .await;
    assert!(history.to_string().contains("Сертификат.pdf"), "{history}");

    // A person outside the organiser's staff cannot mark or read the sheet.
    let other = app.as_user("director@iom.test").await;
    let res = other
        .get(&format!(
            "/api/v1/catalogue/events/{}/enrolments",
            e.summary.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

/// Status of the route's activity made from `event`, and the names of its evidence files.
async fn activity_of(
    teacher: &User<'_>,
    route: Uuid,
    event: Uuid,
) -> (ActivityStatus, Vec<String>) {
    let r: RouteDto = teacher.get_json(&format!("/api/v1/routes/{route}")).await;
    let a = r
        .activity
        .activities
        .iter()
        .find(|a| a.event_id == Some(event))
        .unwrap_or_else(|| panic!("no activity for the event: {r:#?}"));
    (a.status, a.files.iter().map(|f| f.name.clone()).collect())
}

#[tokio::test]
async fn a_participant_uploads_their_own_certificate_and_the_organisers_mark_finishes_the_activity()
{
    let app = TestApp::spawn().await;
    let muni = app.as_user("municipal@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let comps = competencies(&teacher).await;
    let route = route_with_deficit(&teacher, comps[1].id, "Смысловое чтение").await;
    let e = publish(&muni, seminar("Приёмы смыслового чтения", comps[1].id, 7)).await;
    let id = e.summary.id;
    let enrolled: EventDto = ok_json(
        teacher
            .post(&format!("/api/v1/catalogue/events/{id}/enrolment"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let mine = enrolled.my_enrolment.unwrap();
    let _: RouteDto = ok_json(
        teacher
            .post(&format!("/api/v1/catalogue/events/{id}/roadmap"))
            .json(&json!({ "route_id": route.id }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let url = |name: &str| {
        format!(
            "/api/v1/catalogue/enrolments/{}/certificate?name={name}",
            mine.id
        )
    };

    // A file that is not what it claims to be is refused, with the field named.
    let res = teacher
        .post(&url("Сертификат.pdf"))
        .header("content-type", "application/pdf")
        .body("<html>not a pdf</html>")
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.code,
        "validation_failed"
    );

    // The participant attaches their own certificate: it is kept on the enrolment, but the
    // activity waits for the organiser's mark.
    let res = teacher
        .post(&url("Сертификат участника.pdf"))
        .header("content-type", "application/pdf")
        .body("%PDF-1.4 my certificate")
        .send()
        .await
        .unwrap();
    let uploaded: EnrolmentDto = ok_json(res).await;
    assert_eq!(
        uploaded.certificate_name.as_deref(),
        Some("Сертификат участника.pdf")
    );
    assert_eq!(uploaded.status, EnrolmentStatus::Registered);
    let seen = event(&teacher, id).await.my_enrolment.unwrap();
    assert_eq!(
        seen.certificate_name.as_deref(),
        Some("Сертификат участника.pdf")
    );
    assert_eq!(
        activity_of(&teacher, route.id, id).await,
        (ActivityStatus::Planned, vec![])
    );

    // Someone else's enrolment is not theirs to touch: out of scope is 404; and the
    // participant does not mark their own attendance.
    let director = app.as_user("director@iom.test").await;
    let res = director
        .post(&url("Чужой.pdf"))
        .header("content-type", "application/pdf")
        .body("%PDF-1.4 not mine")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = teacher
        .request(
            Method::PUT,
            &format!("/api/v1/catalogue/enrolments/{}/attendance", mine.id),
        )
        .json(&json!({ "attended": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The organiser marks attendance: the activity is done, the participant's certificate its
    // evidence.
    let marked: EnrolmentDto = ok_json(
        muni.request(
            Method::PUT,
            &format!("/api/v1/catalogue/enrolments/{}/attendance", mine.id),
        )
        .json(&json!({ "attended": true }))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(marked.status, EnrolmentStatus::Attended);
    assert_eq!(
        activity_of(&teacher, route.id, id).await,
        (
            ActivityStatus::Done,
            vec!["Сертификат участника.pdf".to_owned()]
        )
    );

    // A corrected certificate uploaded afterwards by the participant replaces it on the
    // enrolment and is attached to the (still done) activity as well.
    let res = teacher
        .post(&url("Сертификат (исправленный).pdf"))
        .header("content-type", "application/pdf")
        .body("%PDF-1.4 corrected")
        .send()
        .await
        .unwrap();
    let again: EnrolmentDto = ok_json(res).await;
    assert_eq!(again.status, EnrolmentStatus::Attended);
    assert_eq!(
        again.certificate_name.as_deref(),
        Some("Сертификат (исправленный).pdf")
    );
    let (status, files) = activity_of(&teacher, route.id, id).await;
    assert_eq!(status, ActivityStatus::Done);
    assert!(
        files.contains(&"Сертификат (исправленный).pdf".to_owned()),
        "{files:?}"
    );
}

#[tokio::test]
async fn twenty_people_registering_at_once_never_overbook_five_seats() {
    let app = TestApp::spawn().await;
    let muni = app.as_user("municipal@iom.test").await;
    let comps = competencies(&muni).await;
    let mut body = seminar("Мастер-класс «Смысловое чтение»", comps[2].id, 20);
    body["capacity"] = json!(5);
    let e = publish(&muni, body).await;
    let mut tokens = Vec::new();
    for i in 0..20 {
        let id = fixtures::person(
            &app.db,
            &format!("rush{i}@iom.test"),
            Role::Teacher,
            Some(if i % 2 == 0 {
                app.demo.school
            } else {
                app.demo.school_2
            }),
        )
        .await;
        tokens.push(app.mint_token(id).await);
    }
    let path = format!("/api/v1/catalogue/events/{}/enrolment", e.summary.id);
    let requests = tokens
        .iter()
        .map(|t| app.request(Method::POST, &path).bearer_auth(t).send());
    let answers = futures_join(requests).await;
    let mut statuses = Vec::new();
    for a in answers {
        let e: EventDto = ok_json(a.unwrap()).await;
        statuses.push(e.my_enrolment.unwrap().status);
    }
    let registered = statuses
        .iter()
        .filter(|s| **s == EnrolmentStatus::Registered)
        .count();
    assert_eq!(registered, 5, "{statuses:?}");
    assert_eq!(statuses.len(), 20);

    let sheet: Vec<EnrolmentDto> = muni
        .get_json(&format!(
            "/api/v1/catalogue/events/{}/enrolments",
            e.summary.id
        ))
        .await;
    let holding = sheet
        .iter()
        .filter(|x| x.status == EnrolmentStatus::Registered)
        .count();
    assert_eq!(holding, 5);
    let waiting: Vec<&EnrolmentDto> = sheet
        .iter()
        .filter(|x| x.status == EnrolmentStatus::Waitlisted)
        .collect();
    assert_eq!(waiting.len(), 15);
    assert_eq!(waiting[0].waitlist_position, Some(1));
    let ev = event(&muni, e.summary.id).await;
    assert_eq!(ev.summary.free_seats, Some(0));
    assert_eq!((ev.registered, ev.waitlisted), (5, 15));

    // A registered person cancels: the first on the waiting list gets the seat.
    let leaver = sheet
        .iter()
        .find(|x| x.status == EnrolmentStatus::Registered)
        .unwrap();
    let leaver_token = tokens[usize::try_from(
        (0..20)
            .find(|i| format!("rush{i}@iom.test") == leaver.person.email)
            .unwrap(),
    )
    .unwrap()]
    .clone();
    let res = app
        .request(Method::DELETE, &path)
        .bearer_auth(&leaver_token)
        .send()
        .await
        .unwrap();
    let left: EventDto = ok_json(res).await;
    assert!(left.my_enrolment.is_none());
    let sheet2: Vec<EnrolmentDto> = muni
        .get_json(&format!(
            "/api/v1/catalogue/events/{}/enrolments",
            e.summary.id
        ))
        .await;
    let promoted = sheet2.iter().find(|x| x.id == waiting[0].id).unwrap();
    assert_eq!(promoted.status, EnrolmentStatus::Registered);
    assert_eq!(
        sheet2
            .iter()
            .filter(|x| x.status == EnrolmentStatus::Registered)
            .count(),
        5
    );
    let next = sheet2.iter().find(|x| x.id == waiting[1].id).unwrap();
    assert_eq!(next.waitlist_position, Some(1));
}

/// Sends all requests at once and waits for every answer.
async fn futures_join<F, T>(futs: impl Iterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = futs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn a_schools_internal_events_stay_inside_the_school_and_drafts_with_their_organisers() {
    let app = TestApp::spawn().await;
    let director = app.as_user("director@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    fixtures::person(
        &app.db,
        "neighbour@iom.test",
        Role::Teacher,
        Some(app.demo.school_2),
    )
    .await;
    let neighbour = app.as_user("neighbour@iom.test").await;
    let comps = competencies(&teacher).await;
    let mut body = seminar("Заседание ШМО учителей математики", comps[1].id, 5);
    body["kind"] = json!("method_association");
    let e = publish(&director, body).await;
    assert_eq!(e.summary.level, shared::EventLevel::Institutional);

    let mine: Page<EventSummary> = teacher.get_json("/api/v1/catalogue/events").await;
    assert!(mine.items.iter().any(|x| x.id == e.summary.id));
    let theirs: Page<EventSummary> = neighbour.get_json("/api/v1/catalogue/events").await;
    assert!(!theirs.items.iter().any(|x| x.id == e.summary.id));
    let res = neighbour
        .get(&format!("/api/v1/catalogue/events/{}", e.summary.id))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    let res = neighbour
        .post(&format!(
            "/api/v1/catalogue/events/{}/enrolment",
            e.summary.id
        ))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    // The municipality sees its schools' events.
    let muni = app.as_user("municipal@iom.test").await;
    let m: Page<EventSummary> = muni.get_json("/api/v1/catalogue/events").await;
    assert!(m.items.iter().any(|x| x.id == e.summary.id));

    // A draft is the organiser's until published.
    let res = director
        .post("/api/v1/catalogue/events")
        .json(&seminar("Черновик семинара", comps[1].id, 9))
        .send()
        .await
        .unwrap();
    let draft: EventDto = ok_json(res).await;
    let res = teacher
        .get(&format!("/api/v1/catalogue/events/{}", draft.summary.id))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;

    // Teachers do not publish; a school does not publish at the municipal level.
    let res = teacher
        .post("/api/v1/catalogue/events")
        .json(&seminar("Мой семинар", comps[1].id, 9))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::FORBIDDEN).await;
    let mut wrong = seminar("Муниципальный семинар от школы", comps[1].id, 9);
    wrong["level"] = json!("municipal");
    let res = director
        .post("/api/v1/catalogue/events")
        .json(&wrong)
        .send()
        .await
        .unwrap();
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(p.errors["level"][0].contains("институциональный"), "{p:?}");
    // Nor on behalf of the municipality.
    let mut other = seminar("Чужой организатор", comps[1].id, 9);
    other["organiser_id"] = json!(app.demo.municipality_a);
    let res = director
        .post("/api/v1/catalogue/events")
        .json(&other)
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::FORBIDDEN).await;

    // A stale version is refused; a cancelled event is shown with its reason.
    let res = director
        .post(&format!("/api/v1/catalogue/events/{}/cancel", e.summary.id))
        .json(&json!({ "version": 1 }))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::PRECONDITION_FAILED).await;
    let cancelled: EventDto = ok_json(
        director
            .post(&format!("/api/v1/catalogue/events/{}/cancel", e.summary.id))
            .json(&json!({ "version": e.summary.version, "reason": "Перенос на следующий месяц" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(cancelled.summary.status, EventStatus::Cancelled);
    let seen = event(&teacher, e.summary.id).await;
    assert_eq!(
        seen.cancel_reason.as_deref(),
        Some("Перенос на следующий месяц")
    );
    assert!(!seen.can_enrol);
}

#[tokio::test]
async fn the_calendar_filters_by_text_level_format_competency_organiser_and_month() {
    let app = TestApp::spawn().await;
    let muni = app.as_user("municipal@iom.test").await;
    let manager = app.as_user("manager@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let comps = competencies(&teacher).await;
    let a = publish(
        &muni,
        seminar("Практикум по критериальному оцениванию", comps[1].id, 3),
    )
    .await;
    let mut online = seminar("Вебинар по цифровым инструментам", comps[3].id, 40);
    online["format"] = json!("online");
    online["kind"] = json!("webinar");
    online["link"] = json!("https://vebinar.example.ru/room/1");
    let b = publish(&manager, online).await;
    assert_eq!(b.summary.level, shared::EventLevel::Regional);

    let ids = |p: Page<EventSummary>| p.items.iter().map(|x| x.id).collect::<Vec<_>>();
    let all: Page<EventSummary> = teacher.get_json("/api/v1/catalogue/events").await;
    assert!(all.total >= 2);
    let q: Page<EventSummary> = teacher
        .get_json("/api/v1/catalogue/events?q=ПРАКТИКУМ")
        .await;
    assert_eq!(ids(q), vec![a.summary.id]);
    let f: Page<EventSummary> = teacher
        .get_json("/api/v1/catalogue/events?format=online&level=regional")
        .await;
    let f = ids(f);
    assert!(f.contains(&b.summary.id) && !f.contains(&a.summary.id));
    let c: Page<EventSummary> = teacher
        .get_json(&format!(
            "/api/v1/catalogue/events?competency_id={}",
            comps[1].id
        ))
        .await;
    let c = ids(c);
    assert!(c.contains(&a.summary.id) && !c.contains(&b.summary.id));
    let o: Page<EventSummary> = teacher
        .get_json(&format!(
            "/api/v1/catalogue/events?organiser_id={}",
            app.demo.region
        ))
        .await;
    assert!(ids(o).contains(&b.summary.id));
    let month: Page<EventSummary> = teacher
        .get_json(&format!(
            "/api/v1/catalogue/events?from={}&to={}",
            day(0),
            day(10)
        ))
        .await;
    let m = ids(month);
    assert!(m.contains(&a.summary.id) && !m.contains(&b.summary.id));
    let bad = teacher
        .get("/api/v1/catalogue/events?level=city")
        .send()
        .await
        .unwrap();
    problem(bad, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn cohorts_group_teachers_with_a_shared_deficit_and_a_recommendation_reaches_them_all() {
    let app = TestApp::spawn().await;
    let muni = app.as_user("municipal@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let comps = competencies(&teacher).await;
    fixtures::person(
        &app.db,
        "second@iom.test",
        Role::Teacher,
        Some(app.demo.school_2),
    )
    .await;
    let second = app.as_user("second@iom.test").await;
    route_with_deficit(&teacher, comps[4].id, "Проектирование уроков по ФГОС").await;
    route_with_deficit(&second, comps[4].id, "Проектирование урока").await;
    route_with_deficit(&second, comps[6].id, "Один такой").await;

    let cohorts: Vec<CohortDto> = muni
        .get_json(&format!(
            "/api/v1/catalogue/cohorts?unit_id={}",
            app.demo.municipality_a
        ))
        .await;
    assert_eq!(cohorts.len(), 1, "{cohorts:#?}");
    assert_eq!(cohorts[0].competency.id, comps[4].id);
    assert_eq!(cohorts[0].members.len(), 2);
    // A school's director does not see the municipality's cohorts.
    let director = app.as_user("director@iom.test").await;
    let res = director
        .get(&format!(
            "/api/v1/catalogue/cohorts?unit_id={}",
            app.demo.municipality_a
        ))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;

    // A webinar for the cohort, recommended to all at once.
    let mut body = seminar("Вебинар «Проектирование урока по ФГОС»", comps[4].id, 12);
    body["format"] = json!("online");
    body["kind"] = json!("webinar");
    let e = publish(&muni, body).await;
    let teacher_ids: Vec<Uuid> = cohorts[0].members.iter().map(|m| m.person.id).collect();
    let res: RecommendResult = ok_json(
        muni.post(&format!(
            "/api/v1/catalogue/events/{}/recommendations",
            e.summary.id
        ))
        .json(&json!({ "teacher_ids": teacher_ids, "note": "Для группы с общим дефицитом" }))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(res.recommended, 2);
    let recs: RecommendationsDto = second.get_json("/api/v1/catalogue/recommendations").await;
    assert_eq!(recs.personal.len(), 1);
    assert_eq!(recs.personal[0].event.id, e.summary.id);
    assert!(
        recs.personal[0]
            .recommended_by
            .full_name
            .contains("Муниципальн")
            || !recs.personal[0].recommended_by.full_name.is_empty()
    );
    assert_eq!(
        recs.personal[0].note.as_deref(),
        Some("Для группы с общим дефицитом")
    );

    // A teacher cannot recommend, and nobody recommends to a teacher out of their scope.
    let res = teacher
        .post(&format!(
            "/api/v1/catalogue/events/{}/recommendations",
            e.summary.id
        ))
        .json(&json!({ "teacher_ids": [teacher_ids[1]] }))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    // The tutor sees the tutee's recommendations; a colleague does not.
    let tutor = app.as_user("tutor@iom.test").await;
    let me = fixtures::id_of(&app, "teacher@iom.test").await;
    let t: RecommendationsDto = tutor
        .get_json(&format!(
            "/api/v1/catalogue/recommendations?teacher_id={me}"
        ))
        .await;
    assert!(t.personal.iter().any(|p| p.event.id == e.summary.id));
    let res = second
        .get(&format!(
            "/api/v1/catalogue/recommendations?teacher_id={me}"
        ))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn calendar_feeds_are_valid_icalendar_behind_a_revocable_secret_address() {
    let app = TestApp::spawn().await;
    let muni = app.as_user("municipal@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let comps = competencies(&teacher).await;
    let mut body = seminar(
        "Семинар; с запятыми, точками с запятой и очень длинным названием, которое придётся переносить по строкам",
        comps[1].id,
        8,
    );
    body["description"] = json!("Первая строка\nВторая строка");
    let e = publish(&muni, body).await;
    let route = route_with_deficit(&teacher, comps[1].id, "Дефицит").await;
    ok_json::<RouteDto>(
        teacher
            .post(&format!(
                "/api/v1/catalogue/events/{}/roadmap",
                e.summary.id
            ))
            .json(&json!({ "route_id": route.id }))
            .send()
            .await
            .unwrap(),
    )
    .await;

    let feed: CalendarFeedDto = ok_json(
        teacher
            .post("/api/v1/me/calendar-feed")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let path = |url: &str| {
        url.split_once("/api/")
            .map(|(_, p)| format!("/api/{p}"))
            .unwrap()
    };
    let res = app.get(&path(&feed.events_url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = res.text().await.unwrap();
    assert!(text.contains("\r\n") && !text.replace("\r\n", "").contains('\n'));
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "{line}");
    }
    let events = parse(&text);
    let found = events
        .iter()
        .find(|(uid, _)| uid == &format!("event-{}@iom", e.summary.id))
        .unwrap();
    assert!(
        found.1.starts_with("Семинар; с запятыми, точками"),
        "{}",
        found.1
    );
    // The same event keeps its UID in the next download.
    let again = app
        .get(&path(&feed.events_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        parse(&again).iter().map(|x| &x.0).collect::<Vec<_>>(),
        events.iter().map(|x| &x.0).collect::<Vec<_>>()
    );

    let roadmap = app
        .get(&path(&feed.roadmap_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let acts = parse(&roadmap);
    assert_eq!(acts.len(), 1);
    assert!(acts[0].1.contains("Семинар"));

    // With a bearer token the calendar downloads too.
    let direct = teacher
        .get("/api/v1/catalogue/events.ics")
        .send()
        .await
        .unwrap();
    assert_eq!(direct.status(), StatusCode::OK);

    // Revoked (or remade), the old address is gone.
    let res = teacher
        .request(Method::DELETE, "/api/v1/me/calendar-feed")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let gone = app.get(&path(&feed.events_url)).send().await.unwrap();
    problem(gone, StatusCode::NOT_FOUND).await;
}

/// (UID, SUMMARY) of every VEVENT, read by the `ical` crate's parser.
fn parse(text: &str) -> Vec<(String, String)> {
    let reader = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let mut out = Vec::new();
    for cal in reader {
        let cal = cal.expect("a valid calendar");
        for ev in cal.events {
            let get = |name: &str| {
                ev.properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
                    .unwrap_or_default()
            };
            assert!(!get("DTSTART").is_empty() && !get("DTSTAMP").is_empty());
            // The parser leaves TEXT escapes in place; undo them as a calendar program does.
            let summary = get("SUMMARY")
                .replace("\\,", ",")
                .replace("\\;", ";")
                .replace("\\n", "\n")
                .replace("\\\\", "\\");
            out.push((get("UID"), summary));
        }
    }
    out
}

#[tokio::test]
async fn an_integration_client_pulls_published_and_cancelled_events_of_its_municipality() {
    let app = TestApp::spawn().await;
    let muni = app.as_user("municipal@iom.test").await;
    let manager = app.as_user("manager@iom.test").await;
    let comps = competencies(&muni).await;
    let res = manager
        .post("/api/v1/integrations")
        .json(&json!({ "name": "Муниципальная платформа", "unit_id": app.demo.municipality_a, "scopes": ["read_catalogue"] }))
        .send()
        .await
        .unwrap();
    let issued: IssuedCredentials = ok_json(res).await;
    let key = issued.api_key;
    let pull = |since: Option<String>| {
        let url = match since {
            Some(s) => format!("/api/v1/sync/events?since={s}"),
            None => "/api/v1/sync/events".to_owned(),
        };
        let req = app.get(&url).bearer_auth(key.clone());
        async move { ok_json::<SyncPage<EventSummary>>(req.send().await.unwrap()).await }
    };
    let first = pull(None).await;
    // The demo's events of this municipality and its school (not the region's, not the other
    // municipality's).
    assert!(!first.items.is_empty());
    assert!(first.items.iter().all(|i| {
        let o = &i.data.as_ref().unwrap().organiser;
        o.id == app.demo.municipality_a || o.id == app.demo.school || o.id == app.demo.school_2
    }));
    // A draft stays out; publishing and cancelling come through.
    let res = muni
        .post("/api/v1/catalogue/events")
        .json(&seminar("Черновик для ленты", comps[1].id, 30))
        .send()
        .await
        .unwrap();
    let draft: EventDto = ok_json(res).await;
    let after_draft = pull(Some(first.next_cursor.clone())).await;
    assert!(after_draft.items.is_empty());
    let published: EventDto = ok_json(
        muni.post(&format!(
            "/api/v1/catalogue/events/{}/publish",
            draft.summary.id
        ))
        .json(&json!({ "version": draft.summary.version }))
        .send()
        .await
        .unwrap(),
    )
    .await;
    ok_json::<EventDto>(
        muni.post(&format!(
            "/api/v1/catalogue/events/{}/cancel",
            draft.summary.id
        ))
        .json(&json!({ "version": published.summary.version }))
        .send()
        .await
        .unwrap(),
    )
    .await;
    let next = pull(Some(first.next_cursor)).await;
    assert_eq!(next.items.len(), 1);
    assert_eq!(next.items[0].id, draft.summary.id);
    assert_eq!(
        next.items[0].data.as_ref().unwrap().status,
        EventStatus::Cancelled
    );
    // Without the scope, the feed is refused.
    let res = manager
        .post("/api/v1/integrations")
        .json(&json!({ "name": "Другая", "unit_id": app.demo.region, "scopes": ["read_routes"] }))
        .send()
        .await
        .unwrap();
    let other: IssuedCredentials = ok_json(res).await;
    let res = app
        .get("/api/v1/sync/events")
        .bearer_auth(other.api_key)
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::FORBIDDEN).await;
}
