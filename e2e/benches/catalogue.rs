//! How fast recommendations are among many events: 5,000 published events of the region, its
//! district, municipalities and schools (two or three competencies each, a third with limited
//! seats), a teacher with three deficits; the ranked list read over HTTP many times. The
//! calendar's month view is measured too.
//!
//! `cargo bench -p e2e --bench catalogue` (SQLite); with
//! `IOM_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres` on PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark fails loudly"
)]

use std::time::{Duration, Instant};

use api::db::entities::{event, event_competency};
use chrono::Duration as Days;
use e2e::{TestApp, ok_json};
use sea_orm::{EntityTrait, Set};
use serde_json::json;
use shared::dto::catalogue::RecommendationsDto;
use shared::dto::{FrameworkDto, RouteDto};

const EVENTS: usize = 5_000;
const READS: usize = 200;

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let n = times.len();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = times.iter().map(|d| ms(*d)).sum::<f64>() / n as f64;
    println!(
        "{what} ({backend:?}): median {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, mean {:.2} ms over {n} reads",
        ms(times[n / 2]),
        ms(times[n * 95 / 100]),
        ms(times[n * 99 / 100]),
        mean,
        backend = e2e::backend(),
    );
}

#[tokio::main]
async fn main() {
    let app = TestApp::spawn().await;
    let d = app.demo.clone();
    let teacher = app.as_user("teacher@iom.test").await;
    let today = chrono::Utc::now().date_naive();
    let route: RouteDto = ok_json(
        teacher
            .post("/api/v1/routes")
            .json(&json!({ "title": "Маршрут", "period_start": today.to_string(), "period_end": (today + Days::days(330)).to_string() }))
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
    for (i, c) in comps.iter().skip(1).step_by(5).take(3).enumerate() {
        teacher
            .post(&format!("/api/v1/routes/{}/deficits", route.id))
            .json(&json!({ "title": format!("Дефицит {i}"), "competency_id": c }))
            .send()
            .await
            .unwrap();
    }

    // The events, written straight to the database.
    let units = [
        d.region,
        d.district,
        d.municipality_a,
        d.municipality_b,
        d.school,
        d.school_2,
    ];
    let mut paths = Vec::new();
    for u in units {
        let unit = api::db::units::find(&app.db, u).await.unwrap().unwrap();
        paths.push((u, api::db::units::path(&unit).unwrap()));
    }
    let creator = e2e::fixtures::id_of(&app, "manager@iom.test").await;
    let started = Instant::now();
    let t = api::db::now();
    let mut rows = Vec::new();
    let mut links = Vec::new();
    for i in 0..EVENTS {
        let (organiser, path) = paths[i % paths.len()];
        let id = api::db::new_id();
        let start = today + Days::days(i64::try_from(i % 300).unwrap());
        rows.push(event::ActiveModel {
            id: Set(id),
            organiser_id: Set(organiser),
            region_id: Set(path.region),
            district_id: Set(path.district),
            municipality_id: Set(path.municipality),
            school_id: Set(path.school),
            title: Set(format!("Мероприятие № {i}")),
            sort_key: Set(format!("мероприятие № {i}")),
            description: Set(None),
            kind: Set("seminar".into()),
            level: Set("municipal".into()),
            format: Set("online".into()),
            place: Set(None),
            link: Set(None),
            starts_on: Set(start),
            ends_on: Set(start + Days::days(i64::try_from(i % 3).unwrap())),
            schedule: Set(None),
            hours: Set(Some(2.0)),
            capacity: Set((i % 3 == 0).then_some(30)),
            registration_deadline: Set(None),
            audience_subjects: Set("[]".into()),
            audience_levels: Set("[]".into()),
            status: Set("published".into()),
            version: Set(1),
            created_by: Set(creator),
            published_at: Set(Some(t)),
            cancelled_at: Set(None),
            cancel_reason: Set(None),
            created_at: Set(t),
            updated_at: Set(t),
        });
        for k in 0..(2 + i % 2) {
            links.push(event_competency::ActiveModel {
                event_id: Set(id),
                competency_id: Set(comps[(i * 7 + k * 5) % comps.len()]),
            });
        }
    }
    for chunk in rows.chunks(500) {
        event::Entity::insert_many(chunk.to_vec())
            .exec(&app.db)
            .await
            .unwrap();
    }
    for chunk in links.chunks(1000) {
        event_competency::Entity::insert_many(chunk.to_vec())
            .exec(&app.db)
            .await
            .unwrap();
    }
    println!(
        "wrote {EVENTS} events in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let path = "/api/v1/catalogue/recommendations?limit=20";
    let first: RecommendationsDto = teacher.get_json(path).await;
    println!(
        "recommendations: {} ranked, the first covering {} deficit(s), score {}",
        first.ranked.len(),
        first.ranked[0].covers.len(),
        first.ranked[0].score
    );
    for _ in 0..10 {
        teacher
            .get(path)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
    }
    let mut times = Vec::with_capacity(READS);
    for _ in 0..READS {
        let s = Instant::now();
        let res = teacher.get(path).send().await.unwrap();
        assert!(res.status().is_success());
        res.bytes().await.unwrap();
        times.push(s.elapsed());
    }
    report(&format!("recommendations among {EVENTS} events"), times);

    let month = format!(
        "/api/v1/catalogue/events?from={}&to={}&limit=200",
        today,
        today + Days::days(30)
    );
    let mut times = Vec::with_capacity(READS);
    for _ in 0..READS {
        let s = Instant::now();
        let res = teacher.get(&month).send().await.unwrap();
        assert!(res.status().is_success());
        res.bytes().await.unwrap();
        times.push(s.elapsed());
    }
    report(
        &format!("calendar month (up to 200 of {EVENTS} events)"),
        times,
    );
}
