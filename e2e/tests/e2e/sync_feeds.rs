//! The diagnostics and enrolments sync feeds as a regional platform pulls them, the letters
//! participants get about their events, and cohorts gathered from a campaign's results.

use std::collections::HashSet;

use chrono::Duration;
use e2e::{TestApp, User, fixtures, ok_json, problem};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::catalogue::EnrolmentPlace;
use shared::dto::catalogue::*;
use shared::dto::*;
use shared::{CompetencyLevel, DiagnosticKind, Role};
use uuid::Uuid;

use crate::catalogue::{competencies, publish, route_with_deficit, today};
use crate::integration::{pull_all, register};
use crate::routes::send;

fn data<T: serde::de::DeserializeOwned>(item: &SyncItem<Value>) -> T {
    serde_json::from_value(item.data.clone().expect("a live item has data")).unwrap()
}

async fn campaign_of(user: &User<'_>, kind: DiagnosticKind) -> CampaignDto {
    let all: Vec<CampaignDto> = user.get_json("/api/v1/diagnostics/campaigns").await;
    all.into_iter().find(|c| c.kind == kind).unwrap()
}

async fn results_of(user: &User<'_>, campaign: Uuid, person: Uuid) -> PersonResultsDto {
    user.get_json(&format!(
        "/api/v1/diagnostics/campaigns/{campaign}/people/{person}"
    ))
    .await
}

fn row(r: &DiagnosticResultSync) -> (String, CompetencyLevel, Option<f64>, bool) {
    (r.code.clone(), r.level, r.score, r.deficit)
}

#[tokio::test]
async fn diagnostic_results_come_per_person_and_campaign_with_tombstones_and_only_in_scope() {
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let d = app.demo.clone();
    let region = register(&manager, d.region, &["read_diagnostics"], json!({}))
        .await
        .api_key;
    let other = register(&manager, d.municipality_b, &["read_diagnostics"], json!({}))
        .await
        .api_key;
    let routes_only = register(&manager, d.region, &["read_routes"], json!({}))
        .await
        .api_key;

    // The full export, a page of one at a time: the demo school's three people in the entry
    // diagnostic, each once, each competency as the managers' view shows it.
    let (items, cursor) = pull_all(&app, &region, "diagnostics", None, 1).await;
    let ids: HashSet<Uuid> = items.iter().map(|i| i.id).collect();
    assert_eq!((items.len(), ids.len()), (3, 3));
    let entry = campaign_of(&manager, DiagnosticKind::Entry).await;
    for item in &items {
        let got: DiagnosticSyncDto = data(item);
        assert_eq!(got.campaign_id, entry.id);
        assert_eq!(got.campaign_name, entry.name);
        assert_eq!(got.kind, DiagnosticKind::Entry);
        assert_eq!(got.level, entry.level);
        assert_eq!(got.date, entry.date);
        assert_eq!(got.framework_id, entry.framework.id);
        assert!(!got.self_assessment);
        assert_eq!(
            (got.region_id, got.municipality_id, got.school_id),
            (d.region, Some(d.municipality_a), Some(d.school))
        );
        let shown = results_of(&manager, entry.id, got.person_id).await;
        let expected: Vec<_> = shown
            .results
            .iter()
            .map(|r| (r.competency.code.clone(), r.level, r.score, r.deficit))
            .collect();
        assert_eq!(got.results.iter().map(row).collect::<Vec<_>>(), expected);
        assert_eq!(got.results.len(), 17);
        assert!(got.results.iter().any(|r| r.deficit));
        assert!(got.results.iter().any(|r| !r.deficit));
    }
    // Another municipality's client sees none of it; a client without the scope is refused.
    let (theirs, other_cursor) = pull_all(&app, &other, "diagnostics", None, 100).await;
    assert!(theirs.is_empty());
    let res = app
        .get("/api/v1/sync/diagnostics")
        .bearer_auth(&routes_only)
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::FORBIDDEN).await;

    // Results entered by hand for a teacher of the other municipality in a new campaign.
    let far = fixtures::person(&app.db, "far@iom.test", Role::Teacher, Some(d.school_b)).await;
    let res = send(
        &manager,
        Method::POST,
        "/api/v1/diagnostics/campaigns",
        json!({ "name": "Итоговая диагностика", "level": "regional", "kind": "final",
                "framework_id": entry.framework.id, "date": "2027-05-15", "organiser_id": d.region }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let fin: CampaignDto = ok_json(res).await;
    let comps: PersonResultsDto = results_of(&manager, entry.id, items_person(&items[0])).await;
    let (c1, c2) = (
        comps.results[0].competency.id,
        comps.results[1].competency.id,
    );
    let put_path = format!("/api/v1/diagnostics/campaigns/{}/people/{far}", fin.id);
    let res = send(
        &manager,
        Method::PUT,
        &put_path,
        json!({ "results": [{ "competency_id": c1, "score": 20.0 }, { "competency_id": c2, "score": 95.0 }] }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (changed, cursor) = pull_all(&app, &region, "diagnostics", Some(cursor), 100).await;
    assert_eq!(changed.len(), 1);
    let item: DiagnosticSyncDto = data(&changed[0]);
    assert_eq!((item.person_id, item.campaign_id), (far, fin.id));
    assert_eq!(item.kind, DiagnosticKind::Final);
    assert_eq!(
        (item.municipality_id, item.school_id),
        (Some(d.municipality_b), Some(d.school_b))
    );
    assert_eq!(item.results.len(), 2);
    assert_eq!(
        item.results.iter().map(|r| r.deficit).collect::<Vec<_>>(),
        vec![true, false],
        "a low score is a deficit by the default rule, a high one is not"
    );
    let far_item = changed[0].id;
    let (theirs, other_cursor) =
        pull_all(&app, &other, "diagnostics", Some(other_cursor), 100).await;
    assert_eq!(
        theirs.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![far_item]
    );

    // The teacher's own self-assessment.
    let teacher = app.as_user("teacher@iom.test").await;
    let selfa = campaign_of(&manager, DiagnosticKind::SelfAssessment).await;
    let res = send(
        &teacher,
        Method::PUT,
        &format!("/api/v1/diagnostics/campaigns/{}/self", selfa.id),
        json!({ "results": [{ "competency_id": c1, "level": "high" }] }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (changed, cursor) = pull_all(&app, &region, "diagnostics", Some(cursor), 100).await;
    assert_eq!(changed.len(), 1);
    let mine: DiagnosticSyncDto = data(&changed[0]);
    assert!(mine.self_assessment);
    assert_eq!(mine.campaign_id, selfa.id);
    assert_eq!(mine.results[0].level, CompetencyLevel::High);

    // A file import: an item for each person in it.
    let csv = "ФИО;Email;П.1;П.2\nИванова;teacher@iom.test;40;70\nСмирнова;tutor@iom.test;55;80\n";
    let res = manager
        .post(&format!(
            "/api/v1/diagnostics/campaigns/{}/imports?name=r.csv",
            fin.id
        ))
        .body(csv)
        .send()
        .await
        .unwrap();
    let preview: ResultsImportPreview = ok_json(res).await;
    let res = manager
        .post(&format!(
            "/api/v1/diagnostics/imports/{}/commit",
            preview.id
        ))
        .send()
        .await
        .unwrap();
    let done: ResultsImportResult = ok_json(res).await;
    assert_eq!(done.people, 2);
    let (imported, cursor) = pull_all(&app, &region, "diagnostics", Some(cursor), 1).await;
    assert_eq!(imported.len(), 2);
    let imported_ids: HashSet<Uuid> = imported.iter().map(|i| i.id).collect();
    assert_eq!(imported_ids.len(), 2);
    assert!(imported.iter().all(|i| {
        let d: DiagnosticSyncDto = data(i);
        d.campaign_id == fin.id && d.results.len() == 2
    }));

    // Removing a person's results leaves a tombstone under the same id, for both clients.
    let res = send(&manager, Method::PUT, &put_path, json!({ "results": [] })).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (gone, cursor) = pull_all(&app, &region, "diagnostics", Some(cursor), 100).await;
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].id, far_item);
    assert!(gone[0].tombstone && gone[0].data.is_none());
    let (theirs, other_cursor) =
        pull_all(&app, &other, "diagnostics", Some(other_cursor), 100).await;
    assert_eq!(theirs.len(), 1);
    assert!(theirs[0].tombstone && theirs[0].id == far_item);

    // Deleting the campaign makes tombstones of everyone left in it.
    let res = manager
        .request(
            Method::DELETE,
            &format!("/api/v1/diagnostics/campaigns/{}", fin.id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (gone, _) = pull_all(&app, &region, "diagnostics", Some(cursor), 100).await;
    assert_eq!(
        gone.iter().map(|i| i.id).collect::<HashSet<_>>(),
        imported_ids
    );
    assert!(gone.iter().all(|i| i.tombstone));
    let (theirs, _) = pull_all(&app, &other, "diagnostics", Some(other_cursor), 100).await;
    assert!(
        theirs.is_empty(),
        "the import was in the other municipality"
    );
}

fn items_person(item: &SyncItem<Value>) -> Uuid {
    data::<DiagnosticSyncDto>(item).person_id
}

fn event_body(title: &str, comp: Uuid, capacity: i64) -> Value {
    let day = |d: i64| (today() + Duration::days(d)).to_string();
    json!({
        "title": title, "kind": "seminar", "format": "onsite",
        "place": "Светлогорск, Дом учителя", "starts_on": day(20), "ends_on": day(21),
        "hours": 4.0, "capacity": capacity, "competency_ids": [comp],
        "audience_subjects": [], "audience_levels": []
    })
}

async fn enrol(user: &User<'_>, event: Uuid) -> EventDto {
    ok_json(
        user.post(&format!("/api/v1/catalogue/events/{event}/enrolment"))
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn outbox(app: &TestApp) -> Vec<MailMessageDto> {
    app.run_jobs().await;
    let admin = app.as_user("admin@iom.test").await;
    let page: Page<MailMessageDto> = admin.get_json("/api/v1/admin/outbox?limit=200").await;
    page.items
}

#[tokio::test]
async fn enrolments_come_through_the_feed_and_the_promoted_person_gets_a_letter() {
    let app = TestApp::spawn().await;
    let d = app.demo.clone();
    let manager = app.as_user("manager@iom.test").await;
    let muni = app.as_user("municipal@iom.test").await;
    let ours = register(&manager, d.municipality_a, &["read_catalogue"], json!({}))
        .await
        .api_key;
    let theirs = register(&manager, d.municipality_b, &["read_catalogue"], json!({}))
        .await
        .api_key;
    let no_scope = register(&manager, d.region, &["read_diagnostics"], json!({}))
        .await
        .api_key;
    let (_, start) = pull_all(&app, &ours, "enrolments", None, 100).await;
    let (_, their_start) = pull_all(&app, &theirs, "enrolments", None, 100).await;

    let comps = competencies(&muni).await;
    let e = publish(&muni, event_body("Семинар на одно место", comps[0].id, 1)).await;
    let id = e.summary.id;
    fixtures::person(&app.db, "second@iom.test", Role::Teacher, Some(d.school_2)).await;
    let teacher = app.as_user("teacher@iom.test").await;
    let second = app.as_user("second@iom.test").await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let second_id = fixtures::id_of(&app, "second@iom.test").await;
    enrol(&teacher, id).await;
    enrol(&second, id).await;

    // One a page: the registered one and the waiting one, each once.
    let (items, cursor) = pull_all(&app, &ours, "enrolments", Some(start.clone()), 1).await;
    assert_eq!(items.len(), 2);
    let by_person = |items: &[SyncItem<Value>], p: Uuid| -> EnrolmentSyncDto {
        items
            .iter()
            .map(data::<EnrolmentSyncDto>)
            .find(|x| x.person_id == p)
            .unwrap()
    };
    let first = by_person(&items, teacher_id);
    assert_eq!(
        (
            first.event_id,
            first.status,
            first.attended,
            first.certificate_uploaded
        ),
        (id, EnrolmentPlace::Registered, None, false)
    );
    assert_eq!(by_person(&items, second_id).status, EnrolmentPlace::Waiting);
    // Nobody of the other municipality enrolled; without the scope, refused.
    let (nothing, _) = pull_all(&app, &theirs, "enrolments", Some(their_start), 100).await;
    assert!(nothing.is_empty());
    let res = app
        .get("/api/v1/sync/enrolments")
        .bearer_auth(&no_scope)
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::FORBIDDEN).await;

    // The teacher cancels: the seat goes to the second, who is told by mail.
    let res = teacher
        .request(
            Method::DELETE,
            &format!("/api/v1/catalogue/events/{id}/enrolment"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (changed, cursor) = pull_all(&app, &ours, "enrolments", Some(cursor), 100).await;
    assert_eq!(changed.len(), 2);
    assert_eq!(
        by_person(&changed, teacher_id).status,
        EnrolmentPlace::Cancelled
    );
    let promoted = by_person(&changed, second_id);
    assert_eq!(promoted.status, EnrolmentPlace::Registered);
    let mails = outbox(&app).await;
    let letters: Vec<&MailMessageDto> = mails
        .iter()
        .filter(|m| m.subject.contains("Семинар на одно место"))
        .collect();
    assert_eq!(letters.len(), 1, "{letters:#?}");
    assert_eq!(letters[0].to, "second@iom.test");
    assert!(letters[0].subject.starts_with("Вы записаны на мероприятие"));
    assert!(letters[0].body.contains("освободилось место"));
    assert!(letters[0].body.contains(&format!("/catalogue/{id}")));

    // Attendance, then a certificate.
    let marked: EnrolmentDto = ok_json(
        muni.request(
            Method::PUT,
            &format!("/api/v1/catalogue/enrolments/{}/attendance", promoted.id),
        )
        .json(&json!({ "attended": true }))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(marked.id, promoted.id);
    let (changed, cursor) = pull_all(&app, &ours, "enrolments", Some(cursor), 100).await;
    assert_eq!(changed.len(), 1);
    let now: EnrolmentSyncDto = data(&changed[0]);
    assert_eq!(
        (now.status, now.attended, now.certificate_uploaded),
        (EnrolmentPlace::Registered, Some(true), false)
    );
    let res = muni
        .post(&format!(
            "/api/v1/catalogue/enrolments/{}/certificate?name=Сертификат.pdf",
            promoted.id
        ))
        .header("content-type", "application/pdf")
        .body("%PDF-1.4 certificate")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (changed, _) = pull_all(&app, &ours, "enrolments", Some(cursor), 100).await;
    assert_eq!(changed.len(), 1);
    let now: EnrolmentSyncDto = data(&changed[0]);
    assert!(now.certificate_uploaded);
    assert_eq!(now.registered_at, promoted.registered_at);
}

#[tokio::test]
async fn everyone_registered_or_waiting_is_told_by_mail_when_an_event_is_cancelled() {
    let app = TestApp::spawn().await;
    let d = app.demo.clone();
    let muni = app.as_user("municipal@iom.test").await;
    let comps = competencies(&muni).await;
    let e = publish(
        &muni,
        event_body("Вебинар, который отменят", comps[1].id, 1),
    )
    .await;
    let id = e.summary.id;
    fixtures::person(&app.db, "second@iom.test", Role::Teacher, Some(d.school_2)).await;
    fixtures::person(&app.db, "third@iom.test", Role::Teacher, Some(d.school_2)).await;
    let teacher = app.as_user("teacher@iom.test").await;
    enrol(&teacher, id).await;
    enrol(&app.as_user("second@iom.test").await, id).await;
    let third = app.as_user("third@iom.test").await;
    enrol(&third, id).await;
    // The third changes their mind: they are not written to.
    third
        .request(
            Method::DELETE,
            &format!("/api/v1/catalogue/events/{id}/enrolment"),
        )
        .send()
        .await
        .unwrap();
    let before = outbox(&app).await.len();
    let ev: EventDto = muni
        .get_json(&format!("/api/v1/catalogue/events/{id}"))
        .await;
    let res = muni
        .post(&format!("/api/v1/catalogue/events/{id}/cancel"))
        .json(&json!({ "version": ev.summary.version, "reason": "Лектор заболел" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mails = outbox(&app).await;
    assert_eq!(mails.len(), before + 2);
    let cancelled: Vec<&MailMessageDto> = mails
        .iter()
        .filter(|m| m.subject.starts_with("Мероприятие отменено"))
        .collect();
    let to: HashSet<&str> = cancelled.iter().map(|m| m.to.as_str()).collect();
    assert_eq!(to, HashSet::from(["teacher@iom.test", "second@iom.test"]));
    for m in &cancelled {
        assert_eq!(
            m.status,
            MailStatus::Stored,
            "sent by the worker, after the commit"
        );
        assert!(m.subject.contains("Вебинар, который отменят"));
        assert!(m.body.contains("Причина: Лектор заболел"));
        assert!(m.body.contains("Здравствуйте"));
    }
    let waiting = cancelled
        .iter()
        .find(|m| m.to == "second@iom.test")
        .unwrap();
    assert!(waiting.body.contains("лист ожидания"));
    // A failed cancel (already cancelled) writes nothing more.
    let res = muni
        .post(&format!("/api/v1/catalogue/events/{id}/cancel"))
        .json(&json!({ "version": ev.summary.version + 1 }))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::CONFLICT).await;
    assert_eq!(outbox(&app).await.len(), before + 2);
}

#[tokio::test]
async fn cohorts_also_gather_teachers_by_deficits_in_a_campaigns_results() {
    let app = TestApp::spawn().await;
    let d = app.demo.clone();
    let muni = app.as_user("municipal@iom.test").await;
    let manager = app.as_user("manager@iom.test").await;
    let entry = campaign_of(&manager, DiagnosticKind::Entry).await;
    let url = |campaign: Option<Uuid>| {
        let mut u = format!("/api/v1/catalogue/cohorts?unit_id={}", d.municipality_a);
        if let Some(c) = campaign {
            u.push_str(&format!("&campaign_id={c}"));
        }
        u
    };
    // No routes yet: no cohorts from routes alone.
    let plain: Vec<CohortDto> = muni.get_json(&url(None)).await;
    assert!(plain.is_empty(), "{plain:#?}");

    // By the campaign: every competency in which two or more of the three have a deficit.
    let page: Page<PersonResultsDto> = manager
        .get_json(&format!(
            "/api/v1/diagnostics/campaigns/{}/results",
            entry.id
        ))
        .await;
    let mut expected: std::collections::HashMap<Uuid, HashSet<Uuid>> = Default::default();
    for p in &page.items {
        for r in p.results.iter().filter(|r| r.deficit) {
            expected
                .entry(r.competency.id)
                .or_default()
                .insert(p.person.id);
        }
    }
    expected.retain(|_, v| v.len() >= 2);
    assert!(!expected.is_empty(), "the demo has shared deficits");
    let cohorts: Vec<CohortDto> = muni.get_json(&url(Some(entry.id))).await;
    let got: std::collections::HashMap<Uuid, HashSet<Uuid>> = cohorts
        .iter()
        .map(|c| {
            (
                c.competency.id,
                c.members.iter().map(|m| m.person.id).collect(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert!(
        cohorts
            .iter()
            .flat_map(|c| &c.members)
            .all(|m| m.in_campaign && m.route_id.is_none())
    );
    // Largest first.
    assert!(
        cohorts
            .windows(2)
            .all(|w| w[0].members.len() >= w[1].members.len())
    );

    // A confirmed route deficit joins the same group: one member, with the route.
    let teacher = app.as_user("teacher@iom.test").await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let (&comp, _) = expected
        .iter()
        .find(|(_, people)| people.contains(&teacher_id))
        .expect("the demo teacher shares a deficit");
    let route = route_with_deficit(&teacher, comp, "Дефицит из диагностики").await;
    let cohorts: Vec<CohortDto> = muni.get_json(&url(Some(entry.id))).await;
    let group = cohorts.iter().find(|c| c.competency.id == comp).unwrap();
    assert_eq!(group.members.len(), expected[&comp].len());
    let me = group
        .members
        .iter()
        .find(|m| m.person.id == teacher_id)
        .unwrap();
    assert_eq!(me.route_id, Some(route.id));
    assert!(me.in_campaign);

    // The other municipality has none of these results; a director cannot read the
    // municipality's cohorts; an unknown campaign is not found.
    let other: Vec<CohortDto> = manager
        .get_json(&format!(
            "/api/v1/catalogue/cohorts?unit_id={}&campaign_id={}",
            d.municipality_b, entry.id
        ))
        .await;
    assert!(other.is_empty());
    let director = app.as_user("director@iom.test").await;
    let res = director.get(&url(Some(entry.id))).send().await.unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    let res = muni.get(&url(Some(Uuid::new_v4()))).send().await.unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
}
