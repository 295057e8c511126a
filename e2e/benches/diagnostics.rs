//! The managers' view of a diagnostic at the scale of a region: 50,000 teachers in 500 schools
//! of 20 municipalities, each assessed on a 30-competency framework (1.5 million results), on
//! SQLite or PostgreSQL. The results are generated in bulk by SQL, then counted into the rollup
//! the view reads once, as the server does for a campaign it has not counted yet. Prints how
//! long that takes, how long the campaign summary takes for the region, a municipality and a
//! school, a page of the people with a given deficit, and one teacher's hand entry (which
//! re-counts their school), over HTTP.
//!
//! `cargo bench -p e2e --bench diagnostics` (SQLite);
//! `IOM_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p e2e --bench diagnostics`
//! (PostgreSQL). `IOM_BENCH_TEACHERS` changes the number of teachers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark fails loudly"
)]

use std::time::{Duration, Instant};

use e2e::{Backend, TestApp, User, ok_json};
use sea_orm::ConnectionTrait;
use serde_json::json;
use shared::dto::{CampaignAnalytics, CampaignDto, DeficitPersonDto, FrameworkDto, Page};
use uuid::Uuid;

const MUNICIPALITIES: usize = 20;
const SCHOOLS_PER_MUNICIPALITY: usize = 25;
const GROUPS: usize = 4;
const PER_GROUP: [usize; GROUPS] = [8, 8, 7, 7];
const RUNS: usize = 20;

async fn measure<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    f().await;
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut size = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        size = f().await;
        times.push(started.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what}: median {:.1} ms, p95 {:.1} ms, max {:.1} ms over {RUNS} requests ({size} bytes)",
        ms(times[RUNS / 2]),
        ms(times[RUNS * 95 / 100]),
        ms(times[RUNS - 1]),
    );
}

async fn get(user: &User<'_>, path: String) -> usize {
    let res = user.get(&path).send().await.unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.bytes().await.unwrap().len()
}

#[tokio::main]
async fn main() {
    let backend = e2e::backend();
    let db_name = match backend {
        Backend::Postgres => "PostgreSQL",
        Backend::Sqlite => "SQLite",
    };
    let teachers: usize = std::env::var("IOM_BENCH_TEACHERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let app = TestApp::spawn().await;
    let d = app.demo.clone();
    let manager = app.as_user("manager@iom.test").await;
    let started = Instant::now();

    // A 30-competency framework of the region.
    let groups: Vec<serde_json::Value> = (0..GROUPS)
        .map(|g| {
            json!({ "code": format!("Г{g}"), "name": format!("Группа {g}"),
                "competencies": (0..PER_GROUP[g]).map(|i| json!({
                    "code": format!("Г{g}.{i}"), "name": format!("Компетенция {g}.{i}"),
                    "low_max": 49.0, "medium_max": 79.0
                })).collect::<Vec<_>>() })
        })
        .collect();
    let fw: FrameworkDto = ok_json(
        manager
            .post("/api/v1/frameworks")
            .json(&json!({ "name": "Рамка для замера", "groups": groups }))
            .send()
            .await
            .unwrap(),
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
    let competencies = fw.competencies().count();
    let campaign: CampaignDto = ok_json(
        manager
            .post("/api/v1/diagnostics/campaigns")
            .json(&json!({ "name": "Региональная диагностика для замера", "level": "regional",
                "kind": "entry", "framework_id": fw.id, "date": "2026-09-15", "organiser_id": d.region }))
            .send()
            .await
            .unwrap(),
    )
    .await;

    // The region's schools.
    let (schools, municipalities) =
        e2e::fixtures::region_schools(&app.db, d.region, MUNICIPALITIES, SCHOOLS_PER_MUNICIPALITY)
            .await;
    let manager_id = e2e::fixtures::id_of(&app, "manager@iom.test").await;
    let statements = match backend {
        Backend::Postgres => postgres_fill(&schools, teachers, campaign.id, fw.id, manager_id),
        Backend::Sqlite => sqlite_fill(&schools, teachers, campaign.id, fw.id, manager_id),
    };
    for sql in statements {
        app.db.execute_unprepared(&sql).await.unwrap();
    }
    let n_schools = schools.len();
    println!(
        "diagnostics view ({db_name}): {teachers} teachers × {competencies} competencies = {} results in {n_schools} schools, generated in {:.1} s",
        teachers * competencies,
        started.elapsed().as_secs_f64()
    );
    // The bulk load bypassed the services: count the campaign once, as start-up does.
    let counting = Instant::now();
    api::services::diagnostics::rollup::rebuild(&app.db, campaign.id)
        .await
        .unwrap();
    if backend == Backend::Postgres {
        app.db.execute_unprepared("ANALYZE").await.unwrap();
    }
    println!(
        "counting the whole campaign into the rollup: {:.1} s",
        counting.elapsed().as_secs_f64()
    );

    let base = format!("/api/v1/diagnostics/campaigns/{}", campaign.id);
    let region_view: CampaignAnalytics = manager.get_json(&format!("{base}/analytics")).await;
    assert_eq!(region_view.assessed as usize, teachers);
    let top = region_view.top_deficits[0].competency.id;
    measure(
        "region summary (levels × 30, top deficits, 20 municipalities)",
        || get(&manager, format!("{base}/analytics")),
    )
    .await;
    measure("municipality summary (2,500 teachers, 25 schools)", || {
        get(
            &manager,
            format!("{base}/analytics?unit_id={}", municipalities[0]),
        )
    })
    .await;
    measure("school summary (100 teachers)", || {
        get(&manager, format!("{base}/analytics?unit_id={}", schools[0]))
    })
    .await;
    measure(
        "a page of 50 people with the most frequent deficit in the region",
        || {
            get(
                &manager,
                format!("{base}/deficit-people?competency_id={top}&limit=50"),
            )
        },
    )
    .await;
    measure(
        "a page of 50 people with the most frequent deficit in a municipality",
        || {
            get(
                &manager,
                format!(
                    "{base}/deficit-people?competency_id={top}&unit_id={}&limit=50",
                    municipalities[0]
                ),
            )
        },
    )
    .await;

    // One teacher's results by hand: their school is counted again in the same transaction.
    let someone: Uuid = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT id FROM users WHERE email = 'bench1@school.ru'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "id")
        .unwrap();
    let results: Vec<serde_json::Value> = fw
        .competencies()
        .enumerate()
        .map(|(i, c)| json!({ "competency_id": c.id, "score": (i * 7 % 101) as f64 }))
        .collect();
    measure(
        "hand entry of one teacher's 30 results (school re-counted)",
        || {
            let body = json!({ "results": results });
            let manager = &manager;
            let path = format!("{base}/people/{someone}");
            async move {
                let res = manager
                    .request(reqwest::Method::PUT, &path)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert!(res.status().is_success(), "{}", res.status());
                res.bytes().await.unwrap().len()
            }
        },
    )
    .await;

    let list: Page<DeficitPersonDto> = manager
        .get_json(&format!(
            "{base}/deficit-people?competency_id={top}&unit_id={}",
            municipalities[0]
        ))
        .await;
    println!(
        "the most frequent deficit: {} of {teachers} teachers in the region, {} in the first municipality",
        region_view.top_deficits[0].deficits, list.total
    );
}

/// PostgreSQL: teachers spread over the schools, scores over 0..100 by a hash of the person and
/// the competency.
fn postgres_fill(
    schools: &[Uuid],
    teachers: usize,
    campaign: Uuid,
    fw: Uuid,
    manager: Uuid,
) -> Vec<String> {
    let array = format!(
        "ARRAY[{}]::uuid[]",
        schools
            .iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let n_schools = schools.len();
    vec![
        format!(
            "INSERT INTO users (id, email, surname, first_name, sort_key, active, workplace_id, created_at, updated_at)
             SELECT gen_random_uuid(), 'bench' || i || '@school.ru', 'Учитель', 'Номер ' || i, 'учитель номер ' || i, true,
                    ({array})[1 + i % {n_schools}], now(), now()
             FROM generate_series(1, {teachers}) AS i"
        ),
        format!(
            "INSERT INTO diagnostic_results (id, campaign_id, person_id, competency_id, level, score, source, region_id,
                                             district_id, municipality_id, school_id, entered_by, created_at, updated_at)
             SELECT gen_random_uuid(), '{campaign}', u.id, c.id,
                    CASE WHEN sc.s <= 49 THEN 'low' WHEN sc.s <= 79 THEN 'medium' ELSE 'high' END,
                    sc.s, 'import', o.region_id, o.district_id, o.municipality_id, o.id, '{manager}', now(), now()
             FROM users u
             JOIN org_units o ON o.id = u.workplace_id
             CROSS JOIN competencies c
             CROSS JOIN LATERAL (SELECT (abs(hashtext(u.id::text || c.id::text)) % 101)::float8 AS s) sc
             WHERE u.email LIKE 'bench%' AND c.framework_id = '{fw}'"
        ),
        "ANALYZE".to_owned(),
    ]
}

/// SQLite (UUIDs are 16-byte blobs there; timestamps are copied from the manager's row in the
/// format the server writes): the same data, scores by a hash of the row numbers.
fn sqlite_fill(
    schools: &[Uuid],
    teachers: usize,
    campaign: Uuid,
    fw: Uuid,
    manager: Uuid,
) -> Vec<String> {
    let blob = |u: Uuid| format!("X'{}'", u.simple());
    let values = schools
        .iter()
        .enumerate()
        .map(|(i, s)| format!("({i}, {})", blob(*s)))
        .collect::<Vec<_>>()
        .join(",");
    let n_schools = schools.len();
    let (campaign, fw, manager) = (blob(campaign), blob(fw), blob(manager));
    let now = format!("(SELECT created_at FROM users WHERE id = {manager})");
    vec![
        format!(
            "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {teachers}),
                  sch(n, id) AS (VALUES {values})
             INSERT INTO users (id, email, surname, first_name, sort_key, active, workplace_id, created_at, updated_at)
             SELECT randomblob(16), 'bench' || i || '@school.ru', 'Учитель', 'Номер ' || i, 'учитель номер ' || i, 1,
                    sch.id, {now}, {now}
             FROM s JOIN sch ON sch.n = s.i % {n_schools}"
        ),
        format!(
            "INSERT INTO diagnostic_results (id, campaign_id, person_id, competency_id, level, score, source, region_id,
                                             district_id, municipality_id, school_id, entered_by, created_at, updated_at)
             SELECT randomblob(16), {campaign}, t.person, t.competency,
                    CASE WHEN t.s <= 49 THEN 'low' WHEN t.s <= 79 THEN 'medium' ELSE 'high' END,
                    t.s, 'import', t.region_id, t.district_id, t.municipality_id, t.school_id, {manager}, {now}, {now}
             FROM (SELECT u.id AS person, c.id AS competency, o.region_id, o.district_id, o.municipality_id,
                          o.id AS school_id, CAST((u.rowid * 2654435761 + c.rowid * 40503) % 101 AS REAL) AS s
                   FROM users u
                   JOIN org_units o ON o.id = u.workplace_id
                   CROSS JOIN competencies c
                   WHERE u.email LIKE 'bench%' AND c.framework_id = {fw}) t"
        ),
        "ANALYZE".to_owned(),
    ]
}
