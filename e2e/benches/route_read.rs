//! How long reading a whole route takes: a route with 30 roadmap activities (and its
//! diagnostics, deficits, tasks, progress records and files), read over HTTP many times.
//!
//! Read by the owner and by the school's director (whose reads are audited).
//!
//! `cargo bench -p e2e --bench route_read` (SQLite); with
//! `IOM_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres` on PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark fails loudly"
)]

use std::time::{Duration, Instant};

use e2e::{TestApp, ok_json};
use reqwest::Method;
use serde_json::json;
use shared::dto::{FrameworkDto, RouteDto};

const ACTIVITIES: usize = 30;
const READS: usize = 500;

#[tokio::main]
async fn main() {
    let app = TestApp::spawn().await;
    let teacher = app.as_user("teacher@iom.test").await;
    let route: RouteDto = ok_json(
        teacher
            .post("/api/v1/routes")
            .json(&json!({ "title": "Маршрут для замера", "period_start": "2026-09-01", "period_end": "2027-08-31" }))
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
            json!({ "title": format!("Дефицит {i}"), "competency_id": c }),
        )
        .await;
        deficits.push(r.diagnostic.deficits.last().unwrap().id);
    }
    for i in 0..4 {
        call(Method::POST, format!("{base}/tasks"), json!({ "title": format!("Задача {i}"), "deficit_ids": [deficits[i], deficits[i + 1]] })).await;
    }
    let mut last = None;
    for i in 0..ACTIVITIES {
        last = Some(call(Method::POST, format!("{base}/activities"), json!({
            "name": format!("Мероприятие дорожной карты № {i}: курсы, семинар или открытый урок"),
            "competency_ids": [comps[i % comps.len()], comps[(i + 3) % comps.len()]],
            "deficit_ids": [deficits[i % deficits.len()]], "level": "municipal",
            "start_date": "2026-10-01", "end_date": "2026-10-02", "participation_form": "участник",
            "result": "сертификат", "hours": 8.0
        })).await);
    }
    let route = last.unwrap();
    for i in 0..5 {
        let a = &route.activity.activities[i];
        teacher
            .post(&format!(
                "{base}/files?activity_id={}&name=cert{i}.pdf",
                a.id
            ))
            .header("content-type", "application/pdf")
            .body("%PDF-1.4 certificate")
            .send()
            .await
            .unwrap();
    }
    for m in 9..12 {
        call(Method::POST, format!("{base}/progress"), json!({ "period_kind": "month", "period": format!("2026-{m:02}"), "text": "Что сделано за месяц" })).await;
    }

    // The owner's reads, then the director's (a read by someone else, which is audited).
    let director = app.as_user("director@iom.test").await;
    measure(&teacher, &base, "owner").await;
    measure(&director, &base, "director").await;
}

async fn measure(reader: &e2e::User<'_>, base: &str, who: &str) {
    // Warm up, then measure.
    for _ in 0..20 {
        reader
            .get(base)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
    }
    let mut times: Vec<Duration> = Vec::with_capacity(READS);
    let mut size = 0;
    for _ in 0..READS {
        let started = Instant::now();
        let res = reader.get(base).send().await.unwrap();
        assert!(res.status().is_success());
        size = res.bytes().await.unwrap().len();
        times.push(started.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = times.iter().map(|d| ms(*d)).sum::<f64>() / times.len() as f64;
    println!(
        "route read by the {who} ({backend:?}, {ACTIVITIES} activities, {size} bytes): median {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, mean {:.2} ms over {READS} reads",
        ms(times[READS / 2]),
        ms(times[READS * 95 / 100]),
        ms(times[READS * 99 / 100]),
        mean,
        backend = e2e::backend(),
    );
}
