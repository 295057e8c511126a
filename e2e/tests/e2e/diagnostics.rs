//! Diagnostics over HTTP: framework versions, campaigns, results by hand and from files,
//! self-assessment, proposed deficits in a route, dynamics, and the managers' view with scope.

use e2e::{TestApp, User, fixtures, ok_json, problem};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::dto::*;
use shared::{CompetencyLevel, DiagnosticKind, Role};
use uuid::Uuid;

use crate::routes::{create, send};

async fn default_framework(user: &User<'_>) -> FrameworkDto {
    let all: Vec<FrameworkDto> = user.get_json("/api/v1/frameworks").await;
    all.into_iter().find(|f| f.region_id.is_none()).unwrap()
}

async fn campaigns(user: &User<'_>) -> Vec<CampaignDto> {
    user.get_json("/api/v1/diagnostics/campaigns").await
}

async fn demo_campaign(user: &User<'_>, kind: DiagnosticKind) -> CampaignDto {
    campaigns(user)
        .await
        .into_iter()
        .find(|c| c.kind == kind)
        .unwrap()
}

async fn new_campaign(app: &TestApp, user: &User<'_>, kind: &str, name: &str) -> CampaignDto {
    let fw = default_framework(user).await;
    let res = send(
        user,
        Method::POST,
        "/api/v1/diagnostics/campaigns",
        json!({ "name": name, "level": "regional", "kind": kind, "framework_id": fw.id,
                "date": "2027-05-15", "organiser_id": app.demo.region }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    ok_json(res).await
}

async fn upload(user: &User<'_>, campaign: Uuid, bytes: Vec<u8>, query: &str) -> reqwest::Response {
    user.post(&format!(
        "/api/v1/diagnostics/campaigns/{campaign}/imports?name=r.csv{query}"
    ))
    .body(bytes)
    .send()
    .await
    .unwrap()
}

async fn results_of(user: &User<'_>, campaign: Uuid, person: Uuid) -> PersonResultsDto {
    user.get_json(&format!(
        "/api/v1/diagnostics/campaigns/{campaign}/people/{person}"
    ))
    .await
}

#[tokio::test]
async fn a_region_copies_the_default_framework_edits_the_draft_and_publishes_an_immutable_version()
{
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let default = default_framework(&manager).await;
    assert_eq!(default.status, FrameworkStatus::Published);
    assert_eq!(default.groups.len(), 4);

    // Only the region's manager copies; the default itself is never edited.
    let res = send(
        &teacher,
        Method::POST,
        &format!("/api/v1/frameworks/{}/copy", default.id),
        json!({}),
    )
    .await;
    problem(res, StatusCode::FORBIDDEN).await;
    let res = send(
        &manager,
        Method::POST,
        &format!("/api/v1/frameworks/{}/copy", default.id),
        json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let draft: FrameworkDto = ok_json(res).await;
    assert_eq!(draft.status, FrameworkStatus::Draft);
    assert_eq!(draft.based_on_id, Some(default.id));
    assert_eq!(draft.region_id, Some(app.demo.region));
    assert_eq!(draft.competencies().count(), default.competencies().count());

    // Edit the draft: a new competency, a threshold rule.
    let mut groups: Vec<Value> = draft
        .groups
        .iter()
        .map(|g| {
            json!({ "code": g.code, "name": g.name, "competencies": g.competencies.iter().map(|c| json!({
                "code": c.code, "name": c.name, "description": c.description,
                "labour_function": c.labour_function, "low_max": c.low_max, "medium_max": c.medium_max
            })).collect::<Vec<_>>() })
        })
        .collect();
    groups[0]["competencies"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "code": "П.5", "name": "Цифровая грамотность в предмете", "labour_function": "A/01.6",
            "low_max": 40.0, "medium_max": 75.0
        }));
    let body = json!({ "name": "Рамка компетенций Демонстрационной области", "groups": groups,
        "deficit_rule": { "levels": ["low"], "score_below": 55.0 }, "revision": draft.revision });
    let edited: FrameworkDto = ok_json(
        send(
            &manager,
            Method::PUT,
            &format!("/api/v1/frameworks/{}", draft.id),
            body.clone(),
        )
        .await,
    )
    .await;
    assert_eq!(
        edited.competencies().count(),
        default.competencies().count() + 1
    );
    assert_eq!(edited.deficit_rule.score_below, Some(55.0));
    assert_eq!(edited.revision, draft.revision + 1);

    // A second editor's copy, based on the old revision, overwrites nothing.
    let res = send(
        &manager,
        Method::PUT,
        &format!("/api/v1/frameworks/{}", draft.id),
        json!({ "name": "Чужая правка", "groups": body["groups"], "revision": draft.revision }),
    )
    .await;
    assert_eq!(
        problem(res, StatusCode::PRECONDITION_FAILED).await.code,
        "stale_version"
    );
    let unchanged: FrameworkDto = manager
        .get_json(&format!("/api/v1/frameworks/{}", draft.id))
        .await;
    assert_eq!(unchanged.name, edited.name);
    assert_eq!(unchanged.revision, edited.revision);

    // Bad ranges and repeated codes are refused with reasons, beside their fields.
    let mut bad = body.clone();
    bad["revision"] = json!(edited.revision);
    bad["groups"][0]["competencies"][0]["low_max"] = json!(90.0);
    bad["groups"][0]["competencies"][0]["medium_max"] = json!(50.0);
    bad["groups"][1]["competencies"][0]["code"] = json!("П.1");
    let res = send(
        &manager,
        Method::PUT,
        &format!("/api/v1/frameworks/{}", draft.id),
        bad,
    )
    .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        p.errors
            .contains_key("groups[0].competencies[0].medium_max"),
        "{p:?}"
    );
    assert!(
        p.errors.contains_key("groups[1].competencies[0].code"),
        "{p:?}"
    );

    let published: FrameworkDto = ok_json(
        send(
            &manager,
            Method::POST,
            &format!("/api/v1/frameworks/{}/publish", draft.id),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(published.status, FrameworkStatus::Published);
    assert!(published.published_at.is_some());
    let res = send(
        &manager,
        Method::PUT,
        &format!("/api/v1/frameworks/{}", draft.id),
        body,
    )
    .await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "framework_published"
    );

    // The next version of the region's framework is another copy.
    let v2: FrameworkDto = ok_json(
        send(
            &manager,
            Method::POST,
            &format!("/api/v1/frameworks/{}/copy", published.id),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(v2.version, 2);
    assert_eq!(v2.code, published.code);

    // New routes of the region take the region's published framework.
    let route = create(&teacher, "Маршрут по новой рамке").await;
    assert_eq!(route.framework_id, Some(published.id));
}

#[tokio::test]
async fn managers_organise_campaigns_and_enter_results_that_propose_deficits() {
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let director = app.as_user("director@iom.test").await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;

    // A teacher does not organise a regional diagnostic.
    let fw = default_framework(&teacher).await;
    let res = send(
        &teacher,
        Method::POST,
        "/api/v1/diagnostics/campaigns",
        json!({ "name": "Д", "level": "regional", "kind": "entry", "framework_id": fw.id, "organiser_id": app.demo.region }),
    )
    .await;
    problem(res, StatusCode::FORBIDDEN).await;
    // A director organises one for the school, not for the region.
    let res = send(
        &director,
        Method::POST,
        "/api/v1/diagnostics/campaigns",
        json!({ "name": "Школьная диагностика", "level": "institutional", "kind": "intermediate",
                "framework_id": fw.id, "organiser_id": app.demo.school }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let c = new_campaign(&app, &manager, "final", "Итоговая диагностика — 2027").await;
    assert!(c.can_manage);
    assert_eq!(c.assessed, 0);
    let comps: Vec<&CompetencyDto> = fw.competencies().collect();
    // The level follows from the score; a given level wins; a score out of range is refused.
    let path = format!("/api/v1/diagnostics/campaigns/{}/people/{teacher_id}", c.id);
    let res = send(
        &manager,
        Method::PUT,
        &path,
        json!({ "results": [{ "competency_id": comps[0].id, "score": 1500.0 }] }),
    )
    .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let r: PersonResultsDto = ok_json(
        send(
            &manager,
            Method::PUT,
            &path,
            json!({ "results": [
                { "competency_id": comps[0].id, "score": 30.0 },
                { "competency_id": comps[1].id, "score": 60.0 },
                { "competency_id": comps[2].id, "level": "high", "comment": "Открытый урок" }
            ] }),
        )
        .await,
    )
    .await;
    assert_eq!(r.results[0].level, CompetencyLevel::Low);
    assert_eq!(r.results[1].level, CompetencyLevel::Medium);
    assert_eq!(r.results[2].level, CompetencyLevel::High);
    assert_eq!(r.proposed_deficits.len(), 1);
    assert_eq!(r.proposed_deficits[0].competency.id, comps[0].id);

    // The teacher sees their own results; a teacher of another school does not exist for them.
    let mine: Vec<PersonResultsDto> = teacher.get_json("/api/v1/diagnostics/mine").await;
    assert!(mine.iter().any(|m| m.campaign.id == c.id));
    let other = fixtures::person(
        &app.db,
        "other-school@iom.test",
        Role::Teacher,
        Some(app.demo.school_b),
    )
    .await;
    let other_user = app.as_user("other-school@iom.test").await;
    let res = other_user
        .get(&format!(
            "/api/v1/diagnostics/campaigns/{}/people/{teacher_id}",
            c.id
        ))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;

    // A school sees only its people's results; the region sees everyone's.
    let res = send(
        &manager,
        Method::PUT,
        &format!("/api/v1/diagnostics/campaigns/{}/people/{other}", c.id),
        json!({ "results": [{ "competency_id": comps[0].id, "level": "medium" }] }),
    )
    .await;
    assert!(res.status().is_success());
    let page: Page<PersonResultsDto> = director
        .get_json(&format!("/api/v1/diagnostics/campaigns/{}/results", c.id))
        .await;
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].person.id, teacher_id);
    let page: Page<PersonResultsDto> = manager
        .get_json(&format!("/api/v1/diagnostics/campaigns/{}/results", c.id))
        .await;
    assert_eq!(page.total, 2);

    // Updating and deleting belong to the organisers.
    let res = send(
        &director,
        Method::DELETE,
        &format!("/api/v1/diagnostics/campaigns/{}", c.id),
        json!({}),
    )
    .await;
    problem(res, StatusCode::FORBIDDEN).await;
    let res = manager
        .request(
            Method::DELETE,
            &format!("/api/v1/diagnostics/campaigns/{}", c.id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_results_file_is_previewed_with_row_errors_and_committed_all_or_nothing() {
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let c = new_campaign(&app, &manager, "entry", "Входная диагностика из файла").await;
    let count = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            use sea_orm::{EntityTrait, PaginatorTrait};
            api::db::entities::diagnostic_result::Entity::find()
                .count(&db)
                .await
                .unwrap()
        }
    };
    let before = count(&app).await;

    // Unknown competency codes in a wide file: refused as a whole.
    let res = upload(
        &manager,
        c.id,
        "ФИО;Email;П.1;Х.9\nИванова;teacher@iom.test;40;50\n".into(),
        "",
    )
    .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(format!("{p:?}").contains("Х.9"), "{p:?}");
    // A file in an unknown encoding.
    let res = upload(&manager, c.id, vec![0xFF, 0xFE, 0x00, 0x41, 0x98, 0x00], "").await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;

    // Row errors: out-of-range score, bad level, a person twice; an unknown person.
    let csv = "ФИО;Email;П.1;П.2;М.1\n\
        Иванова;teacher@iom.test;40;низкий;2000\n\
        Смирнов;tutor@iom.test;55;ужасный;70\n\
        Смирнов;tutor@iom.test;56;70;70\n\
        Незнакомец;nobody@nowhere.ru;50;50;50\n";
    let res = upload(&manager, c.id, csv.into(), "").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let preview: ResultsImportPreview = ok_json(res).await;
    assert_eq!(preview.layout, ImportLayout::Wide);
    assert_eq!(preview.errors, 2, "{preview:#?}");
    assert_eq!(preview.unmatched, 1);
    let commit = manager
        .post(&format!(
            "/api/v1/diagnostics/imports/{}/commit?skip_unmatched=true",
            preview.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(commit, StatusCode::CONFLICT).await.code,
        "import_has_errors"
    );
    assert_eq!(count(&app).await, before, "nothing committed on error");

    // A good long file in Windows-1251 with one unknown person: refused until skipped.
    let long = "Email;Код компетенции;Балл;Уровень;Комментарий\n\
        teacher@iom.test;П.1;35;;\n\
        teacher@iom.test;М.2;;высокий;Хорошо\n\
        tutor@iom.test;П.1;90;;\n\
        nobody@nowhere.ru;П.1;10;;\n";
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(long);
    let preview: ResultsImportPreview =
        ok_json(upload(&manager, c.id, cp1251.into_owned(), "").await).await;
    assert_eq!(preview.layout, ImportLayout::Long);
    assert_eq!(preview.errors, 0, "{preview:#?}");
    assert_eq!(preview.people, 2);
    assert_eq!(preview.results, 3);
    assert_eq!(preview.unmatched, 1);
    let res = manager
        .post(&format!(
            "/api/v1/diagnostics/imports/{}/commit",
            preview.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "import_has_unmatched"
    );
    assert_eq!(count(&app).await, before);
    let done: ResultsImportResult = ok_json(
        manager
            .post(&format!(
                "/api/v1/diagnostics/imports/{}/commit?skip_unmatched=true",
                preview.id
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(done.people, 2);
    assert_eq!(done.results, 3);
    assert_eq!(done.unmatched, vec!["nobody@nowhere.ru".to_owned()]);
    assert_eq!(count(&app).await, before + 3);
    let again = manager
        .post(&format!(
            "/api/v1/diagnostics/imports/{}/commit",
            preview.id
        ))
        .send()
        .await
        .unwrap();
    problem(again, StatusCode::CONFLICT).await;

    // An XLSX in the wide layout, matched by external id.
    {
        use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
        let id = fixtures::id_of(&app, "teacher@iom.test").await;
        let u = api::db::users::find(&app.db, id).await.unwrap().unwrap();
        let mut am = u.into_active_model();
        am.external_id = Set(Some("T-0001".into()));
        am.update(&app.db).await.unwrap();
    }
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (i, h) in ["Идентификатор", "ФИО", "П.1", "П.2", "К.4"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, i as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "T-0001").unwrap();
    sheet.write_string(1, 1, "Иванова Мария Петровна").unwrap();
    sheet.write_number(1, 2, 45.0).unwrap();
    sheet.write_number(1, 3, 82.5).unwrap();
    sheet.write_string(1, 4, "средний").unwrap();
    let preview: ResultsImportPreview = ok_json(
        upload(
            &manager,
            c.id,
            book.save_to_buffer().unwrap(),
            "&match_by=external_id",
        )
        .await,
    )
    .await;
    assert_eq!(preview.errors, 0, "{preview:#?}");
    assert_eq!(preview.rows[0].results, 3);
    assert_eq!(preview.rows[0].deficits, 1);

    // Only the organisers import.
    let director = app.as_user("director@iom.test").await;
    let res = upload(&director, c.id, long.into(), "").await;
    problem(res, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn a_teacher_self_assesses_apart_from_independent_diagnostics() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let manager = app.as_user("manager@iom.test").await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let own = demo_campaign(&teacher, DiagnosticKind::SelfAssessment).await;
    let entry = demo_campaign(&teacher, DiagnosticKind::Entry).await;
    let fw = default_framework(&teacher).await;
    let results: Vec<Value> = fw
        .competencies()
        .enumerate()
        .map(|(i, c)| json!({ "competency_id": c.id, "level": if i % 4 == 0 { "low" } else { "medium" } }))
        .collect();
    let r: PersonResultsDto = ok_json(
        send(
            &teacher,
            Method::PUT,
            &format!("/api/v1/diagnostics/campaigns/{}/self", own.id),
            json!({ "results": results }),
        )
        .await,
    )
    .await;
    assert!(
        r.results
            .iter()
            .all(|x| x.source == ResultSource::SelfAssessment)
    );
    assert_eq!(r.proposed_deficits.len(), 5);
    // Not into an independent diagnostic, and nobody else writes someone's self-assessment.
    let res = send(
        &teacher,
        Method::PUT,
        &format!("/api/v1/diagnostics/campaigns/{}/self", entry.id),
        json!({ "results": [] }),
    )
    .await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "not_self_assessment"
    );
    let res = send(
        &manager,
        Method::PUT,
        &format!(
            "/api/v1/diagnostics/campaigns/{}/people/{teacher_id}",
            own.id
        ),
        json!({ "results": [] }),
    )
    .await;
    problem(res, StatusCode::CONFLICT).await;
    // The independent results stay as imported.
    let independent = results_of(&teacher, entry.id, teacher_id).await;
    assert!(
        independent
            .results
            .iter()
            .all(|x| x.source == ResultSource::Import)
    );
}

#[tokio::test]
async fn a_route_takes_results_and_proposed_deficits_from_a_campaign_and_shows_its_dynamics() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let tutor = app.as_user("tutor@iom.test").await;
    let manager = app.as_user("manager@iom.test").await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let entry = demo_campaign(&teacher, DiagnosticKind::Entry).await;
    let shown = results_of(&teacher, entry.id, teacher_id).await;
    assert_eq!(shown.proposed_deficits.len(), 4, "{shown:#?}");

    let route = create(&teacher, "Маршрут по итогам диагностики").await;
    let path = format!("/api/v1/routes/{}/diagnostic-from-campaign", route.id);
    // A stale version is refused.
    let res = send(
        &teacher,
        Method::POST,
        &path,
        json!({ "version": route.version + 5, "campaign_id": entry.id }),
    )
    .await;
    problem(res, StatusCode::PRECONDITION_FAILED).await;
    let r: RouteDto = ok_json(
        send(
            &teacher,
            Method::POST,
            &path,
            json!({ "version": route.version, "campaign_id": entry.id }),
        )
        .await,
    )
    .await;
    assert_eq!(r.diagnostic.diagnostics.len(), 1);
    assert_eq!(r.diagnostic.diagnostics[0].campaign_id, Some(entry.id));
    assert_eq!(r.diagnostic.diagnostics[0].results.len(), 17);
    assert_eq!(r.diagnostic.deficits.len(), 4);
    assert!(r.diagnostic.deficits.iter().all(|d| !d.confirmed));
    assert!(r.version > route.version);
    // Bringing it again adds nothing twice.
    let r: RouteDto = ok_json(
        send(
            &tutor,
            Method::POST,
            &path,
            json!({ "version": r.version, "campaign_id": entry.id }),
        )
        .await,
    )
    .await;
    assert_eq!(r.diagnostic.diagnostics.len(), 1);
    assert_eq!(r.diagnostic.deficits.len(), 4);
    // The tutor confirms a proposed deficit with the existing endpoint.
    let d = &r.diagnostic.deficits[0];
    let r: RouteDto = ok_json(
        send(
            &tutor,
            Method::PUT,
            &format!("/api/v1/routes/{}/deficits/{}", r.id, d.id),
            json!({ "version": d.version, "title": d.title, "competency_id": d.competency.as_ref().map(|c| c.id), "confirmed": true }),
        )
        .await,
    )
    .await;
    assert!(r.diagnostic.deficits[0].confirmed);

    // No final diagnostic yet.
    let dynamics: RouteDynamicsDto = teacher
        .get_json(&format!("/api/v1/routes/{}/dynamics", r.id))
        .await;
    assert!(dynamics.final_diagnostic.is_none());
    assert!(!dynamics.positive);

    // The final diagnostic: two deficits eliminated, one competency lower.
    let fin = new_campaign(&app, &manager, "final", "Итоговая диагностика — 2027").await;
    let fw = default_framework(&teacher).await;
    let entry_results = results_of(&teacher, entry.id, teacher_id).await;
    let results: Vec<Value> = fw
        .competencies()
        .map(|c| {
            let before = entry_results
                .results
                .iter()
                .find(|x| x.competency.id == c.id)
                .unwrap();
            let score = match c.code.as_str() {
                "П.2" | "М.2" => 70.0,
                "К.4" => 60.0,
                _ => before.score.unwrap(),
            };
            json!({ "competency_id": c.id, "score": score })
        })
        .collect();
    let res = send(
        &manager,
        Method::PUT,
        &format!(
            "/api/v1/diagnostics/campaigns/{}/people/{teacher_id}",
            fin.id
        ),
        json!({ "results": results }),
    )
    .await;
    assert!(res.status().is_success());
    let r: RouteDto = ok_json(
        send(
            &teacher,
            Method::POST,
            &path,
            json!({ "version": r.version, "campaign_id": fin.id }),
        )
        .await,
    )
    .await;
    assert_eq!(r.diagnostic.diagnostics.len(), 2);
    let dynamics: RouteDynamicsDto = tutor
        .get_json(&format!("/api/v1/routes/{}/dynamics", r.id))
        .await;
    let trend = |code: &str| {
        dynamics
            .competencies
            .iter()
            .find(|c| c.competency.code == code)
            .and_then(|c| c.trend)
    };
    use shared::diagnostics::Trend;
    assert_eq!(trend("П.2"), Some(Trend::Improved));
    assert_eq!(trend("К.4"), Some(Trend::Worse));
    assert_eq!(trend("П.1"), Some(Trend::Same));
    assert!(!dynamics.positive, "a decline is not positive dynamics");
    let eliminated: Vec<&DeficitDynamics> = dynamics
        .deficits
        .iter()
        .filter(|d| d.eliminated == Some(true))
        .collect();
    assert_eq!(eliminated.len(), 2, "{dynamics:#?}");
    assert!(dynamics.summary.contains("устранено дефицитов: 2 из 4"));

    // Someone without the route does not see its dynamics.
    fixtures::person(
        &app.db,
        "stranger@iom.test",
        Role::Teacher,
        Some(app.demo.school_2),
    )
    .await;
    let stranger = app.as_user("stranger@iom.test").await;
    let res = stranger
        .get(&format!("/api/v1/routes/{}/dynamics", r.id))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn the_managers_view_counts_levels_and_deficits_per_unit_within_scope() {
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let director = app.as_user("director@iom.test").await;
    let municipal = app.as_user("municipal@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let entry = demo_campaign(&manager, DiagnosticKind::Entry).await;
    assert_eq!(entry.assessed, 3);

    let a: CampaignAnalytics = manager
        .get_json(&format!(
            "/api/v1/diagnostics/campaigns/{}/analytics",
            entry.id
        ))
        .await;
    assert_eq!(a.unit.id, app.demo.region);
    assert_eq!(a.assessed, 3);
    assert_eq!(a.competencies.len(), 17);
    let total: u64 = a
        .competencies
        .iter()
        .map(|c| c.levels.low + c.levels.medium + c.levels.high)
        .sum();
    assert_eq!(total, 3 * 17);
    assert!(!a.top_deficits.is_empty());
    assert!(a.top_deficits[0].deficits >= a.top_deficits.last().unwrap().deficits);
    // Drill-down: the region's municipalities.
    assert_eq!(a.units.len(), 1);
    assert_eq!(a.units[0].unit.id, app.demo.municipality_a);
    assert_eq!(a.units[0].deficits.len(), 17);

    // The people with the most frequent deficit.
    let top = &a.top_deficits[0];
    let people: Page<DeficitPersonDto> = manager
        .get_json(&format!(
            "/api/v1/diagnostics/campaigns/{}/deficit-people?competency_id={}",
            entry.id, top.competency.id
        ))
        .await;
    assert_eq!(people.total, top.deficits);
    assert_eq!(people.items.len() as u64, top.deficits);
    // A page at a time, by name.
    let first: Page<DeficitPersonDto> = manager
        .get_json(&format!(
            "/api/v1/diagnostics/campaigns/{}/deficit-people?competency_id={}&limit=1",
            entry.id, top.competency.id
        ))
        .await;
    assert_eq!(first.items.len(), 1);
    assert_eq!(first.total, top.deficits);
    assert_eq!(first.items[0].person.id, people.items[0].person.id);

    // A director sees their school; a municipal coordinator their municipality, with schools.
    let a: CampaignAnalytics = director
        .get_json(&format!(
            "/api/v1/diagnostics/campaigns/{}/analytics",
            entry.id
        ))
        .await;
    assert_eq!(a.unit.id, app.demo.school);
    assert!(a.units.is_empty());
    let a: CampaignAnalytics = municipal
        .get_json(&format!(
            "/api/v1/diagnostics/campaigns/{}/analytics",
            entry.id
        ))
        .await;
    assert_eq!(a.unit.id, app.demo.municipality_a);
    assert_eq!(a.units[0].unit.id, app.demo.school);
    // …and not the region's view.
    let res = director
        .get(&format!(
            "/api/v1/diagnostics/campaigns/{}/analytics?unit_id={}",
            entry.id, app.demo.region
        ))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::FORBIDDEN).await;
    let res = teacher
        .get(&format!(
            "/api/v1/diagnostics/campaigns/{}/analytics",
            entry.id
        ))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::FORBIDDEN).await;
}

/// The rollup the managers' view reads, and the same counts grouped from scratch over the
/// results (place, competency, level) → (results, deficits), and place → people.
type Counts = (
    std::collections::BTreeMap<(Uuid, Uuid, String), (i64, i64)>,
    std::collections::BTreeMap<Uuid, i64>,
);

async fn rollup_of(app: &TestApp, campaign: Uuid) -> Counts {
    use api::db::entities::{diagnostic_assessed, diagnostic_count};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let counts = diagnostic_count::Entity::find()
        .filter(diagnostic_count::Column::CampaignId.eq(campaign))
        .all(&app.db)
        .await
        .unwrap();
    let assessed = diagnostic_assessed::Entity::find()
        .filter(diagnostic_assessed::Column::CampaignId.eq(campaign))
        .all(&app.db)
        .await
        .unwrap();
    for c in &counts {
        assert_eq!(
            c.place_id,
            c.school_id
                .or(c.municipality_id)
                .or(c.district_id)
                .unwrap_or(c.region_id)
        );
    }
    (
        counts
            .into_iter()
            .map(|c| {
                (
                    (c.place_id, c.competency_id, c.level),
                    (c.results, c.deficits),
                )
            })
            .collect(),
        assessed
            .into_iter()
            .map(|a| (a.place_id, a.people))
            .collect(),
    )
}

async fn fresh_counts(
    app: &TestApp,
    campaign: Uuid,
    rule: &shared::diagnostics::DeficitRule,
) -> Counts {
    use api::db::entities::diagnostic_result;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let rows = diagnostic_result::Entity::find()
        .filter(diagnostic_result::Column::CampaignId.eq(campaign))
        .all(&app.db)
        .await
        .unwrap();
    let mut counts = std::collections::BTreeMap::new();
    let mut people: std::collections::BTreeMap<Uuid, std::collections::BTreeSet<Uuid>> =
        std::collections::BTreeMap::new();
    for r in rows {
        let place = r
            .school_id
            .or(r.municipality_id)
            .or(r.district_id)
            .unwrap_or(r.region_id);
        let level: CompetencyLevel = r.level.parse().unwrap();
        let e: &mut (i64, i64) = counts
            .entry((place, r.competency_id, r.level.clone()))
            .or_default();
        e.0 += 1;
        e.1 += i64::from(rule.is_deficit(level, r.score));
        people.entry(place).or_default().insert(r.person_id);
    }
    (
        counts,
        people
            .into_iter()
            .map(|(p, s)| (p, s.len() as i64))
            .collect(),
    )
}

#[tokio::test]
async fn the_managers_counts_stay_equal_to_the_results_through_entry_import_moves_and_deletion() {
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let teacher_id = fixtures::id_of(&app, "teacher@iom.test").await;
    let tutor_id = fixtures::id_of(&app, "tutor@iom.test").await;
    let other = fixtures::person(
        &app.db,
        "other-school@iom.test",
        Role::Teacher,
        Some(app.demo.school_b),
    )
    .await;

    // A framework whose rule also counts scores under 60 as deficits.
    let rule = shared::diagnostics::DeficitRule {
        levels: vec![CompetencyLevel::Low],
        score_below: Some(60.0),
    };
    let fw: FrameworkDto = ok_json(
        send(
            &manager,
            Method::POST,
            "/api/v1/frameworks",
            json!({ "name": "Рамка для сводки", "deficit_rule": rule,
                "groups": [{ "code": "А", "name": "Предметные", "competencies": [
                    { "code": "А.1", "name": "Первая", "low_max": 49.0, "medium_max": 79.0 },
                    { "code": "А.2", "name": "Вторая", "low_max": 49.0, "medium_max": 79.0 }
                ] }, { "code": "Б", "name": "Методические", "competencies": [
                    { "code": "Б.1", "name": "Третья", "low_max": 49.0, "medium_max": 79.0 }
                ] }] }),
        )
        .await,
    )
    .await;
    let fw: FrameworkDto = ok_json(
        manager
            .post(&format!("/api/v1/frameworks/{}/publish", fw.id))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let comps: Vec<Uuid> = fw.competencies().map(|c| c.id).collect();
    let c: CampaignDto = ok_json(
        send(
            &manager,
            Method::POST,
            "/api/v1/diagnostics/campaigns",
            json!({ "name": "Сводка по шагам", "level": "regional", "kind": "entry",
                "framework_id": fw.id, "date": "2027-05-15", "organiser_id": app.demo.region }),
        )
        .await,
    )
    .await;
    let check = |step: &'static str| {
        let app = &app;
        let rule = rule.clone();
        async move {
            let kept = rollup_of(app, c.id).await;
            assert_eq!(kept, fresh_counts(app, c.id, &rule).await, "after {step}");
            kept
        }
    };
    let put = |person: Uuid, results: Value| {
        let manager = &manager;
        async move {
            let res = send(
                manager,
                Method::PUT,
                &format!("/api/v1/diagnostics/campaigns/{}/people/{person}", c.id),
                json!({ "results": results }),
            )
            .await;
            assert!(res.status().is_success(), "{}", res.status());
        }
    };

    // By hand: two schools.
    put(
        teacher_id,
        json!([
            { "competency_id": comps[0], "score": 30.0 },
            { "competency_id": comps[1], "score": 55.0 },
            { "competency_id": comps[2], "level": "high" }
        ]),
    )
    .await;
    put(other, json!([{ "competency_id": comps[0], "score": 85.0 }])).await;
    let (counts, people) = check("hand entry").await;
    assert_eq!(people.get(&app.demo.school), Some(&1));
    assert_eq!(people.get(&app.demo.school_b), Some(&1));
    // Medium, but scored under 60: a deficit by the framework's rule.
    assert_eq!(
        counts.get(&(app.demo.school, comps[1], "medium".into())),
        Some(&(1, 1))
    );

    // An import overwrites the teacher and adds the tutor; a second import overwrites again.
    let import = |csv: &'static str| {
        let manager = &manager;
        async move {
            let preview: ResultsImportPreview =
                ok_json(upload(manager, c.id, csv.into(), "").await).await;
            assert_eq!(preview.errors, 0, "{preview:#?}");
            let done: ResultsImportResult = ok_json(
                manager
                    .post(&format!(
                        "/api/v1/diagnostics/imports/{}/commit",
                        preview.id
                    ))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            done
        }
    };
    import("Email;А.1;А.2;Б.1\nteacher@iom.test;45;90;20\ntutor@iom.test;70;59;80\n").await;
    check("an import").await;
    import("Email;А.1;А.2\nteacher@iom.test;95;95\ntutor@iom.test;10;10\n").await;
    let (counts, _) = check("a re-import").await;
    assert!(
        !counts.contains_key(&(app.demo.school, comps[2], "low".into())),
        "the overwritten result is no longer counted"
    );

    // The teacher moves school: their results stay where they were obtained until entered
    // again, and then both schools are counted anew.
    {
        use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
        let u = api::db::users::find(&app.db, teacher_id)
            .await
            .unwrap()
            .unwrap();
        let mut am = u.into_active_model();
        am.workplace_id = Set(Some(app.demo.school_b));
        am.update(&app.db).await.unwrap();
    }
    let (_, people) = check("a move").await;
    assert_eq!(people.get(&app.demo.school), Some(&2));
    put(
        teacher_id,
        json!([{ "competency_id": comps[0], "score": 40.0 }]),
    )
    .await;
    let (_, people) = check("entry after a move").await;
    assert_eq!(people.get(&app.demo.school), Some(&1));
    assert_eq!(people.get(&app.demo.school_b), Some(&2));

    // Deleting a person's results (an empty entry) removes their counts.
    put(tutor_id, json!([])).await;
    let (_, people) = check("deletion").await;
    assert_eq!(people.get(&app.demo.school), None);

    // The view reads the counts: the region sees both schools' people, a school its own.
    let a: CampaignAnalytics = manager
        .get_json(&format!("/api/v1/diagnostics/campaigns/{}/analytics", c.id))
        .await;
    assert_eq!(a.assessed, 2);
    assert_eq!(a.competencies[0].levels.low, 1);
    assert_eq!(a.competencies[0].levels.high, 1);
    assert_eq!(a.competencies[0].deficits, 1);
    let a: CampaignAnalytics = manager
        .get_json(&format!(
            "/api/v1/diagnostics/campaigns/{}/analytics?unit_id={}",
            c.id, app.demo.school
        ))
        .await;
    assert_eq!(a.assessed, 0);

    // A campaign's removal takes its counts.
    let res = manager
        .request(
            Method::DELETE,
            &format!("/api/v1/diagnostics/campaigns/{}", c.id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (counts, people) = rollup_of(&app, c.id).await;
    assert!(counts.is_empty() && people.is_empty());
}

#[tokio::test]
async fn self_assessments_and_the_demo_are_counted_and_a_missing_rollup_is_rebuilt() {
    let app = TestApp::spawn().await;
    let manager = app.as_user("manager@iom.test").await;
    let teacher = app.as_user("teacher@iom.test").await;
    let entry = demo_campaign(&manager, DiagnosticKind::Entry).await;
    let rule = shared::diagnostics::DeficitRule::default();
    let seeded = rollup_of(&app, entry.id).await;
    assert_eq!(seeded, fresh_counts(&app, entry.id, &rule).await);
    assert_eq!(seeded.1.values().sum::<i64>(), 3);

    let own = demo_campaign(&teacher, DiagnosticKind::SelfAssessment).await;
    let fw = default_framework(&teacher).await;
    let comps: Vec<Uuid> = fw.competencies().map(|c| c.id).collect();
    let res = send(
        &teacher,
        Method::PUT,
        &format!("/api/v1/diagnostics/campaigns/{}/self", own.id),
        json!({ "results": [
            { "competency_id": comps[0], "level": "low" },
            { "competency_id": comps[1], "level": "medium" }
        ] }),
    )
    .await;
    assert!(res.status().is_success(), "{}", res.status());
    let kept = rollup_of(&app, own.id).await;
    assert_eq!(kept, fresh_counts(&app, own.id, &rule).await);
    assert_eq!(kept.1.get(&app.demo.school), Some(&1));

    // Counts lost (or older than the rollup) are rebuilt whole at start-up.
    {
        use api::db::entities::{diagnostic_assessed, diagnostic_count};
        use sea_orm::EntityTrait;
        diagnostic_count::Entity::delete_many()
            .exec(&app.db)
            .await
            .unwrap();
        diagnostic_assessed::Entity::delete_many()
            .exec(&app.db)
            .await
            .unwrap();
    }
    let rebuilt = api::services::diagnostics::rollup::rebuild_missing(&app.db)
        .await
        .unwrap();
    assert_eq!(rebuilt, 2);
    assert_eq!(rollup_of(&app, entry.id).await, seeded);
    assert_eq!(rollup_of(&app, own.id).await, kept);
    assert_eq!(
        api::services::diagnostics::rollup::rebuild_missing(&app.db)
            .await
            .unwrap(),
        0
    );
}
