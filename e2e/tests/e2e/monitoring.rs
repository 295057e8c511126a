//! The route dashboard of a unit: figures against hand-computed ones on a small municipality
//! built through the API, scope, and the workbook.
//!
//! The server has no clock to wind, so the fixture's past is written into the test's database
//! after the steps are taken through the API: when each route was created and when it changed
//! status.

use std::io::Read;

use api::db::entities::{route, route_transition};
use api::db::units;
use chrono::{Duration, NaiveDate, Utc};
use e2e::{TestApp, User, fixtures, ok_json};
use reqwest::{Method, StatusCode};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use shared::dto::*;
use shared::workflow::RouteAction;
use shared::{Role, RouteStatus, Stage, UnitKind};
use uuid::Uuid;

use crate::routes::{framework, step_ok, write};

/// A small municipality of the demo region with two schools and their staff.
struct World {
    municipality: Uuid,
    school_1: Uuid,
    school_2: Uuid,
}

async fn world(app: &TestApp) -> World {
    let db = &app.db;
    let region = units::find(db, app.demo.region).await.unwrap().unwrap();
    let m = units::insert(
        db,
        UnitKind::Municipality,
        "Город Тестовск",
        None,
        Some(&region),
    )
    .await
    .unwrap();
    let s1 = units::insert(
        db,
        UnitKind::School,
        "МБОУ «СОШ № 1» г. Тестовска",
        None,
        Some(&m),
    )
    .await
    .unwrap();
    let s2 = units::insert(
        db,
        UnitKind::School,
        "МБОУ «СОШ № 2» г. Тестовска",
        None,
        Some(&m),
    )
    .await
    .unwrap();
    fixtures::person(db, "mun.t@iom.test", Role::MunicipalCoordinator, Some(m.id)).await;
    for (n, school) in [(1, s1.id), (2, s2.id)] {
        fixtures::person(
            db,
            &format!("coord{n}.t@iom.test"),
            Role::SchoolCoordinator,
            Some(school),
        )
        .await;
        fixtures::person(
            db,
            &format!("dir{n}.t@iom.test"),
            Role::Director,
            Some(school),
        )
        .await;
    }
    for (n, school) in [(1, s1.id), (2, s1.id), (3, s1.id), (4, s2.id), (5, s2.id)] {
        fixtures::person(db, &format!("t{n}.t@iom.test"), Role::Teacher, Some(school)).await;
    }
    World {
        municipality: m.id,
        school_1: s1.id,
        school_2: s2.id,
    }
}

fn day(today: NaiveDate, offset: i64) -> String {
    (today + Duration::days(offset)).to_string()
}

/// A draft with a diagnostic (and a final one when asked), two confirmed deficits, a task, an
/// activity whose dates have passed and one still ahead, and an educational request.
async fn drafted(
    user: &User<'_>,
    title: &str,
    request: Option<&str>,
    final_diagnostic: bool,
) -> RouteDto {
    let today = Utc::now().date_naive();
    let res = user
        .post("/api/v1/routes")
        .json(&json!({ "title": title, "period_start": day(today, -90), "period_end": day(today, 200) }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let route: RouteDto = ok_json(res).await;
    let fw = framework(user, &route).await;
    let comps: Vec<&CompetencyDto> = fw.competencies().collect();
    let base = format!("/api/v1/routes/{}", route.id);
    write(user, Method::POST, &format!("{base}/diagnostics"), json!({
        "kind": "entry", "level": "regional", "name": "Входная диагностика", "date": day(today, -80),
        "results": [
            { "competency_id": comps[1].id, "level": "low" },
            { "competency_id": comps[4].id, "level": "low" }
        ]
    }))
    .await;
    if final_diagnostic {
        write(user, Method::POST, &format!("{base}/diagnostics"), json!({
            "kind": "final", "level": "regional", "name": "Итоговая диагностика", "date": day(today, -10),
            "results": [
                { "competency_id": comps[1].id, "level": "high" },
                { "competency_id": comps[4].id, "level": "medium" }
            ]
        }))
        .await;
    }
    write(
        user,
        Method::POST,
        &format!("{base}/deficits"),
        json!({ "title": "Формирование функциональной грамотности", "competency_id": comps[1].id }),
    )
    .await;
    let r = write(
        user,
        Method::POST,
        &format!("{base}/deficits"),
        json!({ "title": "Работа с детьми с ОВЗ" }),
    )
    .await;
    let d: Vec<Uuid> = r.diagnostic.deficits.iter().map(|d| d.id).collect();
    write(
        user,
        Method::POST,
        &format!("{base}/tasks"),
        json!({ "title": "Освоить приёмы формирующего оценивания", "deficit_ids": d }),
    )
    .await;
    write(
        user,
        Method::POST,
        &format!("{base}/activities"),
        json!({
            "name": "КПК «Функциональная грамотность»", "deficit_ids": [d[0]], "level": "regional",
            "start_date": day(today, -40), "end_date": day(today, -30)
        }),
    )
    .await;
    let r = write(
        user,
        Method::POST,
        &format!("{base}/activities"),
        json!({
            "name": "Открытый урок", "deficit_ids": [d[1]], "level": "institutional",
            "start_date": day(today, 30)
        }),
    )
    .await;
    write(
        user,
        Method::PUT,
        &base,
        json!({
            "version": r.version, "title": title, "track": null,
            "period_start": day(today, -90), "period_end": day(today, 200),
            "educational_request": request
        }),
    )
    .await
}

/// Through agreement and approval to implementation.
async fn started(app: &TestApp, teacher: &User<'_>, school: u8, route: RouteDto) -> RouteDto {
    let coord = app.as_user(&format!("coord{school}.t@iom.test")).await;
    let dir = app.as_user(&format!("dir{school}.t@iom.test")).await;
    let r = step_ok(teacher, &route, RouteAction::Submit, json!({})).await;
    let r = step_ok(&coord, &r, RouteAction::TutorAgree, json!({})).await;
    let r = step_ok(&dir, &r, RouteAction::Agree, json!({})).await;
    let r = step_ok(&dir, &r, RouteAction::Approve, json!({})).await;
    step_ok(teacher, &r, RouteAction::Start, json!({})).await
}

/// Writes the fixture's past: the route was created `created` days ago and entered each status
/// the given number of days ago.
async fn backdate(app: &TestApp, id: Uuid, created: i64, entered: &[(RouteStatus, i64)]) {
    let now = api::db::now();
    route::Entity::update_many()
        .col_expr(
            route::Column::CreatedAt,
            Expr::value(now - Duration::days(created)),
        )
        .filter(route::Column::Id.eq(id))
        .exec(&app.db)
        .await
        .unwrap();
    for (status, ago) in entered {
        let done = route_transition::Entity::update_many()
            .col_expr(
                route_transition::Column::At,
                Expr::value(now - Duration::days(*ago)),
            )
            .filter(route_transition::Column::RouteId.eq(id))
            .filter(route_transition::Column::ToStatus.eq(status.as_str()))
            .exec(&app.db)
            .await
            .unwrap();
        assert_eq!(done.rows_affected, 1, "{status}");
    }
}

async fn dashboard(user: &User<'_>, unit: Uuid) -> RouteDashboard {
    user.get_json(&format!("/api/v1/analytics/routes?unit_id={unit}"))
        .await
}

/// Builds the fixture: five routes in two schools.
///
/// | route | school | status | past |
/// |---|---|---|---|
/// | r1 | 1 | draft | created now |
/// | r2 | 1 | submitted | created 30 days ago, submitted 20 days ago: stalled |
/// | r3 | 1 | in progress | created 40, submitted 30 … approved 27, started 25: design 13 days; an overdue activity |
/// | r4 | 2 | completed, achieved | created 60, approved 50, started 45, completed 5: design 10, implementation 45 |
/// | r5 | 2 | withdrawn | created 10, withdrawn 4: design 6 |
async fn fixture(app: &TestApp) -> World {
    let w = world(app).await;
    routes_of(app).await;
    w
}

/// The five routes of [`fixture`], in a [`world`] already built.
async fn routes_of(app: &TestApp) {
    let t1 = app.as_user("t1.t@iom.test").await;
    let t2 = app.as_user("t2.t@iom.test").await;
    let t3 = app.as_user("t3.t@iom.test").await;
    let t4 = app.as_user("t4.t@iom.test").await;
    let t5 = app.as_user("t5.t@iom.test").await;

    drafted(&t1, "Маршрут 1", Some("Формирующее оценивание"), false).await;

    let r2 = drafted(&t2, "Маршрут 2", Some("Формирующее оценивание"), false).await;
    let r2 = step_ok(&t2, &r2, RouteAction::Submit, json!({})).await;
    backdate(app, r2.id, 30, &[(RouteStatus::Submitted, 20)]).await;

    let r3 = drafted(&t3, "Маршрут 3", Some("Проектная деятельность"), false).await;
    let r3 = started(app, &t3, 1, r3).await;
    backdate(
        app,
        r3.id,
        40,
        &[
            (RouteStatus::Submitted, 30),
            (RouteStatus::TutorAgreed, 29),
            (RouteStatus::Agreed, 28),
            (RouteStatus::Approved, 27),
            (RouteStatus::InProgress, 25),
        ],
    )
    .await;

    let r4 = drafted(&t4, "Маршрут 4", None, true).await;
    let r4 = started(app, &t4, 2, r4).await;
    let coord2 = app.as_user("coord2.t@iom.test").await;
    // The passed activity is done: a completed route has nothing overdue anyway.
    let r4 = write(
        &coord2,
        Method::PUT,
        &format!("/api/v1/routes/{}/conclusion", r4.id),
        json!({ "version": r4.version, "conclusion": { "findings": "Задача достигнута", "outcome": "achieved" } }),
    )
    .await;
    let r4 = step_ok(&coord2, &r4, RouteAction::Complete, json!({})).await;
    assert_eq!(r4.status, RouteStatus::Completed);
    backdate(
        app,
        r4.id,
        60,
        &[
            (RouteStatus::Submitted, 50),
            (RouteStatus::TutorAgreed, 50),
            (RouteStatus::Agreed, 50),
            (RouteStatus::Approved, 50),
            (RouteStatus::InProgress, 45),
            (RouteStatus::Completed, 5),
        ],
    )
    .await;

    let r5 = ok_json::<RouteDto>(
        t5.post("/api/v1/routes")
            .json(&json!({ "title": "Маршрут 5", "period_start": "2026-09-01", "period_end": "2027-05-31" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let r5 = step_ok(&t5, &r5, RouteAction::Withdraw, json!({})).await;
    assert_eq!(r5.status, RouteStatus::Withdrawn);
    backdate(app, r5.id, 10, &[(RouteStatus::Withdrawn, 4)]).await;
}

#[tokio::test]
async fn the_municipal_dashboard_equals_the_hand_counted_figures() {
    let app = TestApp::spawn().await;
    let w = fixture(&app).await;
    let mun = app.as_user("mun.t@iom.test").await;
    let d = dashboard(&mun, w.municipality).await;

    assert_eq!(d.unit.name, "Город Тестовск");
    let trail: Vec<&str> = d.trail.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(
        trail,
        ["Город Тестовск"],
        "the region is not theirs to open"
    );
    assert_eq!(d.routes, 5);
    let status = |s: RouteStatus| d.by_status.iter().find(|c| c.status == s).unwrap().routes;
    assert_eq!(d.by_status.len(), RouteStatus::ALL.len());
    for (s, n) in [
        (RouteStatus::Draft, 1),
        (RouteStatus::Submitted, 1),
        (RouteStatus::InProgress, 1),
        (RouteStatus::Completed, 1),
        (RouteStatus::Withdrawn, 1),
        (RouteStatus::Approved, 0),
    ] {
        assert_eq!(status(s), n, "{s}");
    }
    let stage = |s: Stage| d.by_stage.iter().find(|c| c.stage == s).unwrap().routes;
    // r1 and r2 have tasks (design); r3 runs; r4 is done; r5 was withdrawn empty.
    assert_eq!(stage(Stage::Preparatory), 1);
    assert_eq!(stage(Stage::Design), 2);
    assert_eq!(stage(Stage::Implementation), 1);
    assert_eq!(stage(Stage::ReflectiveAnalytical), 1);

    assert_eq!(
        (d.started.part, d.started.whole, d.started.percent),
        (2, 5, Some(40.0))
    );
    assert_eq!(
        (d.completed.part, d.completed.whole, d.completed.percent),
        (1, 2, Some(50.0))
    );
    assert_eq!(
        (d.achieved.part, d.achieved.whole, d.achieved.percent),
        (1, 1, Some(100.0))
    );
    assert_eq!(d.overdue_activities, 1, "r3's course ended 30 days ago");
    assert_eq!(d.routes_with_overdue, 1);
    assert_eq!(d.max_days_per_step, 7, "the region's escalation days");
    assert_eq!(d.stalled, 1, "r2 waits for its tutor for 20 days");

    // Design: r3 13 days, r4 10, r5 6 → median 10, p90 = 10 + 0.8 × 3 = 12.4.
    let times: Vec<(Stage, u64, Option<f64>, Option<f64>)> = d
        .stage_times
        .iter()
        .map(|t| (t.stage, t.routes, t.median_days, t.p90_days))
        .collect();
    assert_eq!(
        times,
        [
            (Stage::Design, 3, Some(10.0), Some(12.4)),
            (Stage::Implementation, 1, Some(45.0), Some(45.0)),
            (Stage::ReflectiveAnalytical, 0, None, None),
        ]
    );

    // r1–r4 confirmed both deficits; the one tied to a competency is named by it.
    assert_eq!(d.top_deficits.len(), 2);
    assert!(
        d.top_deficits.iter().all(|f| f.routes == 4),
        "{:?}",
        d.top_deficits
    );
    assert!(
        d.top_deficits
            .iter()
            .any(|f| f.title == "Работа с детьми с ОВЗ")
    );
    let requests: Vec<(&str, u64)> = d
        .top_requests
        .iter()
        .map(|f| (f.title.as_str(), f.routes))
        .collect();
    assert_eq!(
        requests,
        [("Формирующее оценивание", 2), ("Проектная деятельность", 1)]
    );

    // The schools side by side: routes; per phase (design, implementation, expertise,
    // completed, withdrawn); started, completed, achieved, stalled, overdue.
    let rows: Vec<(Uuid, Vec<u64>)> = d
        .children
        .iter()
        .map(|r| {
            let mut v = vec![r.routes];
            v.extend(&r.phases);
            v.extend([
                r.started,
                r.completed,
                r.achieved,
                r.stalled,
                r.overdue_activities,
            ]);
            (r.id, v)
        })
        .collect();
    assert_eq!(
        rows,
        [
            (w.school_1, vec![3, 2, 1, 0, 0, 0, 1, 0, 0, 1, 1]),
            (w.school_2, vec![2, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0]),
        ]
    );
    assert!(d.children.iter().all(|r| r.kind == Some(UnitKind::School)));

    // Drilling down to a school lists its teachers.
    let s1 = dashboard(&mun, w.school_1).await;
    assert_eq!(s1.routes, 3);
    let trail: Vec<Uuid> = s1.trail.iter().map(|u| u.id).collect();
    assert_eq!(trail, [w.municipality, w.school_1]);
    let teachers: Vec<(u64, u64, u64)> = s1
        .children
        .iter()
        .map(|r| (r.routes, r.stalled, r.overdue_activities))
        .collect();
    assert_eq!(teachers.len(), 3);
    assert_eq!(teachers.iter().map(|t| t.1).sum::<u64>(), 1);
    assert_eq!(teachers.iter().map(|t| t.2).sum::<u64>(), 1);
    assert!(s1.children.iter().all(|r| r.kind.is_none()));

    // A period that ended before every route began leaves nothing.
    let empty: RouteDashboard = mun
        .get_json(&format!(
            "/api/v1/analytics/routes?unit_id={}&from=2020-01-01&to=2020-12-31",
            w.municipality
        ))
        .await;
    assert_eq!(empty.routes, 0);
    assert_eq!(empty.children.len(), 2);

    // The region's manager sees the municipality among the region's.
    let manager = app.as_user("manager@iom.test").await;
    let region: RouteDashboard = manager.get_json("/api/v1/analytics/routes").await;
    assert_eq!(region.unit.id, app.demo.region);
    let row = region
        .children
        .iter()
        .find(|r| r.id == w.municipality)
        .unwrap();
    assert_eq!((row.routes, row.stalled, row.overdue_activities), (5, 1, 1));
    assert!(region.routes >= 5);
}

#[tokio::test]
async fn a_school_coordinator_reads_only_their_schools_figures() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let coord = app.as_user("coord1.t@iom.test").await;
    let own: RouteDashboard = coord.get_json("/api/v1/analytics/routes").await;
    assert_eq!(own.unit.id, w.school_1, "without a unit, their own school");
    assert_eq!(own.trail.len(), 1);
    for unit in [w.school_2, w.municipality, app.demo.region, app.demo.school] {
        for path in ["routes", "routes.xlsx"] {
            let res = coord
                .get(&format!("/api/v1/analytics/{path}?unit_id={unit}"))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path} {unit}");
        }
    }
    // A teacher manages nothing: no dashboard of their own, and a unit is not found.
    let teacher = app.as_user("t1.t@iom.test").await;
    let res = teacher
        .get("/api/v1/analytics/routes")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = teacher
        .get(&format!("/api/v1/analytics/routes?unit_id={}", w.school_1))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Another municipality is out of the municipal coordinator's reach.
    let mun = app.as_user("mun.t@iom.test").await;
    let res = mun
        .get(&format!(
            "/api/v1/analytics/routes?unit_id={}",
            app.demo.municipality_a
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // A period the wrong way round is refused.
    let res = mun
        .get("/api/v1/analytics/routes?from=2026-12-01&to=2026-01-01")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// The names of a workbook's sheets, in order.
fn sheet_names(xlsx: &[u8]) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut xml = String::new();
    zip.by_name("xl/workbook.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml.split("<sheet ")
        .skip(1)
        .filter_map(|s| s.split("name=\"").nth(1))
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_dashboard_downloads_as_a_workbook_with_a_sheet_per_table() {
    let app = TestApp::spawn().await;
    let w = fixture(&app).await;
    let mun = app.as_user("mun.t@iom.test").await;
    let res = mun
        .get(&format!(
            "/api/v1/analytics/routes.xlsx?unit_id={}",
            w.municipality
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let xlsx = res.bytes().await.unwrap().to_vec();
    assert_eq!(
        sheet_names(&xlsx),
        [
            "Сводка",
            "Статусы",
            "Этапы",
            "Подразделения",
            "Дефициты",
            "Запросы"
        ]
    );
    // The first sheet, as the platform's own reader sees it.
    let t = api::tabular::read(&xlsx).unwrap();
    assert_eq!(t.headers[0], "Показатель");
    let value = |name: &str| {
        t.rows
            .iter()
            .find(|(_, r)| r[0] == name)
            .map(|(_, r)| r[1].clone())
            .unwrap()
    };
    assert_eq!(value("Подразделение"), "Город Тестовск");
    assert_eq!(value("Маршрутов"), "5");
    assert_eq!(value("Просроченные мероприятия дорожных карт"), "1");
    assert_eq!(value("Маршруты, ожидающие шага дольше допустимого"), "1");
    let dir = e2e::browser::workspace_root()
        .join("artifacts")
        .join("monitoring");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("route-dashboard.xlsx"), &xlsx).unwrap();
}

/// The dashboard is a fixed handful of statements over the unit's subtree, whatever the number
/// of routes, teachers and deficits in it (never one per route).
#[tokio::test]
async fn the_dashboard_runs_a_fixed_number_of_statements_whatever_the_number_of_routes() {
    const DASHBOARD: u64 = 14;
    let app = TestApp::spawn().await;
    let w = fixture(&app).await;
    let mun = app.as_user("mun.t@iom.test").await;
    let statements = |path: String| {
        let (app, mun) = (&app, &mun);
        async move {
            let before = app.statements.get();
            let d: RouteDashboard = mun.get_json(&path).await;
            (app.statements.get() - before, d)
        }
    };
    for unit in [w.municipality, w.school_1] {
        let path = format!("/api/v1/analytics/routes?unit_id={unit}");
        // The first read loads the reader's grants; the cache serves the next ones.
        mun.get_json::<RouteDashboard>(&path).await;
        let (before, d) = statements(path.clone()).await;
        let routes = d.routes;
        let t1 = app.as_user("t1.t@iom.test").await;
        drafted(&t1, "Ещё один маршрут", Some("Наставничество"), false).await;
        let (after, d) = statements(path).await;
        assert_eq!(d.routes, routes + 1);
        assert_eq!(before, after, "statements grow with the routes");
        assert!(after <= DASHBOARD, "{after} statements for a dashboard");
    }
}
