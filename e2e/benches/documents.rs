//! How long documents take: the route card of a route with 50 roadmap activities as DOCX and
//! PDF (over HTTP, and the rendering alone), and — on PostgreSQL — a region-size export of
//! 50,000 routes as CSV and XLSX with the process's peak memory.
//!
//! `cargo bench -p e2e --bench documents` (SQLite: the card only); with
//! `IOM_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres` the exports too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark fails loudly"
)]

use std::time::{Duration, Instant};

use e2e::{Backend, TestApp, ok_json};
use reqwest::Method;
use sea_orm::ConnectionTrait;
use serde_json::json;
use shared::dto::documents::CardFormat;
use shared::dto::{FrameworkDto, RouteDto, RouteHistory};

const ACTIVITIES: usize = 50;
const RUNS: usize = 20;
const ROUTES: i64 = 50_000;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(mut times: Vec<Duration>) -> String {
    times.sort();
    format!(
        "median {:.1} ms, max {:.1} ms",
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    )
}

/// The process's peak resident memory (kB), from `/proc/self/status`.
fn peak_rss_kb() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Resets the peak (Linux: writing 5 to `clear_refs`), so the next reading covers what follows.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[tokio::main]
async fn main() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let route: RouteDto = ok_json(
        teacher
            .post("/api/v1/routes")
            .json(&json!({ "title": "Маршрут для замера документов", "period_start": "2026-09-01", "period_end": "2027-08-31" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let fw: FrameworkDto = teacher
        .get_json(&format!(
            "/api/v1/frameworks/{}",
            route.framework_id.unwrap()
        ))
        .await;
    let comps: Vec<_> = fw.competencies().map(|c| c.id).collect();
    let base = format!("/api/v1/routes/{}", route.id);
    let call = |method: Method, path: String, body: serde_json::Value| {
        let teacher = &teacher;
        async move {
            ok_json::<RouteDto>(
                teacher
                    .request(method, &path)
                    .json(&body)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    call(Method::POST, format!("{base}/diagnostics"), json!({
        "kind": "entry", "level": "regional", "name": "Входная диагностика",
        "results": comps.iter().map(|c| json!({ "competency_id": c, "level": "medium", "score": 60.0 })).collect::<Vec<_>>()
    })).await;
    let mut deficits = Vec::new();
    for (i, c) in comps.iter().take(6).enumerate() {
        let r = call(
            Method::POST,
            format!("{base}/deficits"),
            json!({ "title": format!("Профессиональный дефицит № {i}"), "competency_id": c }),
        )
        .await;
        deficits.push(r.diagnostic.deficits.last().unwrap().id);
    }
    for i in 0..4 {
        call(Method::POST, format!("{base}/tasks"), json!({ "title": format!("Задача профессионального развития № {i}"), "deficit_ids": [deficits[i], deficits[i + 1]] })).await;
    }
    for i in 0..ACTIVITIES {
        call(Method::POST, format!("{base}/activities"), json!({
            "name": format!("Мероприятие дорожной карты № {i}: курсы повышения квалификации «Современные образовательные технологии»"),
            "competency_ids": [comps[i % comps.len()], comps[(i + 3) % comps.len()]],
            "deficit_ids": [deficits[i % deficits.len()]], "level": "municipal",
            "start_date": "2026-10-01", "end_date": "2026-10-02", "participation_form": "участник",
            "result": "сертификат участника, методическая разработка", "hours": 8.0
        })).await;
    }

    // Over HTTP: loading the route, its history and signers, rendering, sending.
    for (ext, format) in [("docx", CardFormat::Docx), ("pdf", CardFormat::Pdf)] {
        let path = format!("{base}/card.{ext}");
        teacher
            .get(&path)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            let res = teacher.get(&path).send().await.unwrap();
            assert!(res.status().is_success());
            size = res.bytes().await.unwrap().len();
            times.push(started.elapsed());
        }
        println!(
            "route card {ext} over HTTP ({:?}, {ACTIVITIES} activities, {size} bytes): {} over {RUNS} downloads",
            e2e::backend(),
            summary(times)
        );

        // The rendering alone, in this process.
        let dto: RouteDto = teacher.get_json(&base).await;
        let history: RouteHistory = teacher.get_json(&format!("{base}/history")).await;
        let signers = api::services::documents::card::Signers::from_approvals(&dto);
        let mut times = Vec::new();
        for _ in 0..RUNS {
            let started = Instant::now();
            let doc = api::services::documents::card::build(&dto, &history, &signers);
            let bytes = match format {
                CardFormat::Docx => api::services::documents::docx::render(&doc).unwrap(),
                CardFormat::Pdf => api::services::documents::pdf::render(&doc).unwrap(),
            };
            assert!(!bytes.is_empty());
            times.push(started.elapsed());
        }
        println!("route card {ext}, rendering alone: {}", summary(times));
    }

    if e2e::backend() != Backend::Postgres {
        println!("exports: skipped, set IOM_TEST_PG_URL to a PostgreSQL server");
        return;
    }
    let d = app.demo.clone();
    let creator = api::db::users::find_by_email(&app.db, "teacher@iom.test")
        .await
        .unwrap()
        .unwrap();
    let seeded = Instant::now();
    let schools = format!("ARRAY['{}'::uuid, '{}'::uuid]", d.school, d.school_2);
    for sql in [
        format!(
            "INSERT INTO users (id, email, surname, first_name, sort_key, active, workplace_id, created_at, updated_at)
             SELECT gen_random_uuid(), 'bench' || i || '@school.ru', 'Учитель', 'Номер ' || i, 'учитель номер ' || i, true,
                    ({schools})[1 + i % 2], now(), now()
             FROM generate_series(1, {ROUTES}) AS i"
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
            creator = creator.id,
        ),
        "INSERT INTO route_deficits (id, route_id, version, position, title, confirmed, state, created_at, updated_at)
         SELECT gen_random_uuid(), r.id, 1, k, 'Дефицит ' || k, true, 'open', now(), now()
         FROM routes r CROSS JOIN generate_series(0, 1) AS k"
            .to_owned(),
        "ANALYZE".to_owned(),
    ] {
        app.db.execute_unprepared(&sql).await.unwrap();
    }
    println!(
        "exports: seeded {ROUTES} routes with 2 deficits each in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );
    let manager = app.as_user("manager@iom.test").await;
    for path in [
        "/api/v1/exports/routes.csv",
        "/api/v1/exports/routes.xlsx",
        "/api/v1/exports/deficits.csv",
    ] {
        let reset = reset_peak();
        let before = peak_rss_kb();
        let started = Instant::now();
        let mut res = manager.get(path).send().await.unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        let first_byte = started.elapsed();
        let mut bytes = 0usize;
        let mut lines = 0usize;
        while let Some(chunk) = res.chunk().await.unwrap() {
            bytes += chunk.len();
            lines += chunk.iter().filter(|b| **b == b'\n').count();
        }
        let total = started.elapsed();
        let peak = peak_rss_kb();
        println!(
            "export {path}: {bytes} bytes{} in {:.2} s (first byte after {:.0} ms); peak RSS of the whole process {} MiB{}",
            if path.ends_with(".csv") {
                format!(" ({} rows)", lines.saturating_sub(1))
            } else {
                String::new()
            },
            total.as_secs_f64(),
            ms(first_byte),
            peak.map_or("?".into(), |p| format!("{:.0}", p as f64 / 1024.0)),
            match (reset, before) {
                (true, Some(b)) => format!(" (resident before: {:.0} MiB)", b as f64 / 1024.0),
                _ => " (peak not reset: includes the seeding)".into(),
            }
        );
    }
}
