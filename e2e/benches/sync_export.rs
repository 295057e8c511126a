//! A full export of a region with 50,000 teachers (one route each) through the sync feed, on
//! PostgreSQL: the time from the first request to the last page.
//!
//! `IOM_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p e2e --bench sync_export`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark fails loudly"
)]

use std::time::Instant;

use e2e::{Backend, TestApp, ok_json};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use shared::dto::IssuedCredentials;

const TEACHERS: i64 = 50_000;

#[tokio::main]
async fn main() {
    if e2e::backend() != Backend::Postgres {
        println!("sync export: skipped, set IOM_TEST_PG_URL to a PostgreSQL server");
        return;
    }
    let app = TestApp::spawn().await;
    let d = app.demo.clone();
    let started = Instant::now();
    let teacher = api::db::users::find_by_email(&app.db, "teacher@iom.test")
        .await
        .unwrap()
        .unwrap();
    let schools = format!("ARRAY['{}'::uuid, '{}'::uuid]", d.school, d.school_2);
    let statements = [
        format!(
            "INSERT INTO users (id, email, surname, first_name, sort_key, active, workplace_id, created_at, updated_at)
             SELECT gen_random_uuid(), 'bench' || i || '@school.ru', 'Учитель', 'Номер ' || i, 'учитель номер ' || i, true,
                    ({schools})[1 + i % 2], now(), now()
             FROM generate_series(1, {TEACHERS}) AS i"
        ),
        format!(
            "INSERT INTO routes (id, teacher_id, school_id, region_id, municipality_id, title, sort_key, period_start, period_end,
                                 status, stage, version, profile_snapshot, profile_taken_at, final_event, conclusion, created_by,
                                 created_at, updated_at)
             SELECT gen_random_uuid(), u.id, u.workplace_id, '{region}', '{muni}', 'Маршрут ' || u.first_name, 'маршрут', '2026-09-01',
                    '2027-05-31', 'in_progress', 'implementation', 3, '{{}}', now(), '{{}}', '{{}}', '{creator}', now(), now()
             FROM users u WHERE u.email LIKE 'bench%'",
            region = d.region,
            muni = d.municipality_a,
            creator = teacher.id,
        ),
        "INSERT INTO route_deficits (id, route_id, version, position, title, confirmed, state, created_at, updated_at)
         SELECT gen_random_uuid(), r.id, 1, k, 'Дефицит ' || k, true, 'open', now(), now()
         FROM routes r CROSS JOIN generate_series(0, 1) AS k".to_owned(),
        "INSERT INTO route_tasks (id, route_id, version, position, title, created_at, updated_at)
         SELECT gen_random_uuid(), r.id, 1, 0, 'Задача', now(), now() FROM routes r".to_owned(),
        "INSERT INTO route_activities (id, route_id, version, position, name, status, end_date, created_at, updated_at)
         SELECT gen_random_uuid(), r.id, 1, k, 'Мероприятие ' || k, CASE WHEN k = 0 THEN 'done' ELSE 'planned' END,
                '2026-10-01', now(), now()
         FROM routes r CROSS JOIN generate_series(0, 2) AS k".to_owned(),
        "INSERT INTO sync_feed (entity, entity_id, seq, region_id, municipality_id, school_id, deleted, changed_at)
         SELECT 'routes', r.id, NULL, r.region_id, r.municipality_id, r.school_id, false, r.updated_at FROM routes r".to_owned(),
        "ANALYZE".to_owned(),
    ];
    for sql in statements {
        app.db.execute_unprepared(&sql).await.unwrap();
    }
    println!(
        "generated {TEACHERS} teachers with routes in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let manager = app.as_user("manager@iom.test").await;
    let issued: IssuedCredentials = ok_json(
        manager
            .post("/api/v1/integrations")
            .json(&json!({ "name": "Выгрузка", "unit_id": d.region, "scopes": ["read_routes"], "rate_limit_per_minute": 100000 }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let started = Instant::now();
    let (mut items, mut pages, mut bytes) = (0usize, 0usize, 0usize);
    let mut first_page = None;
    let mut cursor: Option<String> = None;
    loop {
        let mut url = "/api/v1/sync/routes?limit=1000".to_owned();
        if let Some(c) = &cursor {
            url.push_str(&format!("&since={c}"));
        }
        let res = app
            .get(&url)
            .bearer_auth(&issued.api_key)
            .send()
            .await
            .unwrap();
        let body = res.bytes().await.unwrap();
        bytes += body.len();
        let page: Value = serde_json::from_slice(&body).unwrap();
        items += page["items"].as_array().map_or(0, Vec::len);
        pages += 1;
        first_page.get_or_insert(started.elapsed());
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if page["has_more"].as_bool() != Some(true) {
            break;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(items as i64, TEACHERS);
    println!(
        "sync export (PostgreSQL): {items} routes in {pages} pages of 1000, {:.1} MB, {secs:.1} s ({:.0} routes/s; the first page, which numbers all 50,000 changes, {:.2} s)",
        bytes as f64 / 1_048_576.0,
        items as f64 / secs,
        first_page.unwrap_or_default().as_secs_f64(),
    );
}
