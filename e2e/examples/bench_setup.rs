//! Prepares a running server with demo data for the load benchmark (`scripts/bench.sh`): the
//! demo teacher's route with 30 roadmap activities (and diagnostics, deficits, tasks, files and
//! progress), and an integration client of the demo region reading routes. Prints shell
//! assignments: `ROUTE_ID`, `TEACHER_TOKEN`, `MANAGER_TOKEN` (the regional manager: their reads
//! of the route are audited, the teacher's own are not), `API_KEY`.
//!
//! ```text
//! IOM_URL=http://127.0.0.1:18080 cargo run -p e2e --example bench_setup
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark's setup fails loudly"
)]

use reqwest::{Client, Method};
use serde_json::{Value, json};

const ACTIVITIES: usize = 30;
const PASSWORD: &str = "demo12345";

async fn sign_in(http: &Client, base: &str, email: &str) -> String {
    let res: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    res["access_token"].as_str().unwrap().to_owned()
}

async fn call(http: &Client, token: &str, method: Method, url: String, body: Value) -> Value {
    let res = http
        .request(method, &url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{url}: {status}: {text}");
    serde_json::from_str(&text).unwrap()
}

#[tokio::main]
async fn main() {
    let base = std::env::var("IOM_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let http = Client::new();
    let teacher = sign_in(&http, &base, "teacher@iom.test").await;
    let route = call(
        &http,
        &teacher,
        Method::POST,
        format!("{base}/api/v1/routes"),
        json!({ "title": "Маршрут для замера", "period_start": "2026-09-01", "period_end": "2027-08-31" }),
    )
    .await;
    let id = route["id"].as_str().unwrap().to_owned();
    let fw = call(
        &http,
        &teacher,
        Method::GET,
        format!(
            "{base}/api/v1/frameworks/{}",
            route["framework_id"].as_str().unwrap()
        ),
        Value::Null,
    )
    .await;
    let fw: shared::dto::FrameworkDto = serde_json::from_value(fw).unwrap();
    let comps: Vec<String> = fw.competencies().map(|c| c.id.to_string()).collect();
    let r = format!("{base}/api/v1/routes/{id}");
    call(&http, &teacher, Method::POST, format!("{r}/diagnostics"), json!({
        "kind": "entry", "level": "regional", "name": "Входная диагностика",
        "results": comps.iter().map(|c| json!({ "competency_id": c, "level": "medium", "score": 60.0 })).collect::<Vec<_>>()
    })).await;
    let mut deficits = Vec::new();
    for (i, c) in comps.iter().take(6).enumerate() {
        let out = call(
            &http,
            &teacher,
            Method::POST,
            format!("{r}/deficits"),
            json!({ "title": format!("Дефицит {i}"), "competency_id": c }),
        )
        .await;
        let list = out["diagnostic"]["deficits"].as_array().unwrap();
        deficits.push(list.last().unwrap()["id"].as_str().unwrap().to_owned());
    }
    for i in 0..4 {
        call(&http, &teacher, Method::POST, format!("{r}/tasks"),
            json!({ "title": format!("Задача {i}"), "deficit_ids": [deficits[i], deficits[i + 1]] })).await;
    }
    let mut last = Value::Null;
    for i in 0..ACTIVITIES {
        last = call(&http, &teacher, Method::POST, format!("{r}/activities"), json!({
            "name": format!("Мероприятие дорожной карты № {i}: курсы, семинар или открытый урок"),
            "competency_ids": [comps[i % comps.len()], comps[(i + 3) % comps.len()]],
            "deficit_ids": [deficits[i % deficits.len()]], "level": "municipal",
            "start_date": "2026-10-01", "end_date": "2026-10-02", "participation_form": "участник",
            "result": "сертификат", "hours": 8.0
        }))
        .await;
    }
    let activities = last["activity"]["activities"].as_array().unwrap();
    for (i, a) in activities.iter().take(5).enumerate() {
        http.post(format!(
            "{r}/files?activity_id={}&name=cert{i}.pdf",
            a["id"].as_str().unwrap()
        ))
        .bearer_auth(&teacher)
        .header("content-type", "application/pdf")
        .body("%PDF-1.4 certificate")
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    }
    for m in 9..12 {
        call(&http, &teacher, Method::POST, format!("{r}/progress"),
            json!({ "period_kind": "month", "period": format!("2026-{m:02}"), "text": "Что сделано за месяц" })).await;
    }

    let manager = sign_in(&http, &base, "manager@iom.test").await;
    let me = call(
        &http,
        &manager,
        Method::GET,
        format!("{base}/api/v1/me"),
        Value::Null,
    )
    .await;
    let region = me["roles"][0]["unit"]["id"].as_str().unwrap().to_owned();
    let issued = call(
        &http,
        &manager,
        Method::POST,
        format!("{base}/api/v1/integrations"),
        json!({ "name": "Замер нагрузки", "unit_id": region, "scopes": ["read_routes"], "rate_limit_per_minute": 100000 }),
    )
    .await;
    println!("ROUTE_ID={id}");
    println!("TEACHER_TOKEN={teacher}");
    println!("MANAGER_TOKEN={manager}");
    println!("API_KEY={}", issued["api_key"].as_str().unwrap());
}
