//! The daily reminder and escalation scan at the scale of a region: 50,000 teachers in 500
//! schools, a route each being carried out (50,000 routes) with 20 roadmap activities
//! (1,000,000), on PostgreSQL. Activities are spread over the school year (done before today,
//! planned after, a fifth of the past ones left unfinished), route ends over two months, and a
//! tenth of the routes wait for the director's approval since a fortnight. Prints how long the
//! first scan takes (a region that never had one: it records every reminder due at once), a
//! second scan the same day (another instance: everything is recorded), the next day's scan (what
//! became due overnight), and the database's own time for the scan's largest query (the
//! activities due or overdue) in the same run.
//!
//! `IOM_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p e2e --bench reminders`
//! (`IOM_BENCH_TEACHERS` changes the number of teachers.) On SQLite it says so and stops: the
//! target is the production database's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark fails loudly"
)]

use std::time::Instant;

use e2e::{Backend, TestApp};
use sea_orm::{ConnectionTrait, Statement};

const MUNICIPALITIES: usize = 20;
const SCHOOLS_PER_MUNICIPALITY: usize = 25;
const ACTIVITIES_PER_ROUTE: usize = 20;

#[tokio::main]
async fn main() {
    if e2e::backend() != Backend::Postgres {
        println!("the reminder scan benchmark runs on PostgreSQL: set IOM_TEST_PG_URL");
        return;
    }
    let teachers: usize = std::env::var("IOM_BENCH_TEACHERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let app = TestApp::spawn().await;
    let d = app.demo.clone();
    let started = Instant::now();
    let (schools, _) =
        e2e::fixtures::region_schools(&app.db, d.region, MUNICIPALITIES, SCHOOLS_PER_MUNICIPALITY)
            .await;
    let manager = e2e::fixtures::id_of(&app, "manager@iom.test").await;
    let today = api::db::now().date_naive();
    for sql in fill(&schools, teachers, manager, today) {
        app.db.execute_unprepared(&sql).await.unwrap();
    }
    let count = |table: &'static str| {
        let db = app.db.clone();
        async move {
            let row = db
                .query_one_raw(Statement::from_string(
                    db.get_database_backend(),
                    format!("SELECT count(*) AS n FROM {table}"),
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get::<i64>("", "n").unwrap()
        }
    };
    println!(
        "reminder scan (PostgreSQL): {} teachers, {} routes, {} activities in {} schools, generated in {:.1} s",
        teachers,
        count("routes").await,
        count("route_activities").await,
        schools.len(),
        started.elapsed().as_secs_f64()
    );

    // The database alone: the scan's largest query, the activities due or overdue.
    let ceiling = Instant::now();
    let due = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            format!(
                "SELECT count(*) AS n FROM route_activities a JOIN routes r ON r.id = a.route_id
                 WHERE r.status IN ('approved', 'in_progress') AND a.status IN ('planned', 'in_progress')
                   AND a.end_date >= DATE '{}' AND a.end_date <= DATE '{}'",
                today - chrono::Duration::days(7),
                today + chrono::Duration::days(3)
            ),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    let ceiling = ceiling.elapsed().as_secs_f64();

    let first = Instant::now();
    let report = api::services::reminders::scan(&app.db, today)
        .await
        .unwrap();
    let first = first.elapsed().as_secs_f64();
    let second = Instant::now();
    let again = api::services::reminders::scan(&app.db, today)
        .await
        .unwrap();
    let second = second.elapsed().as_secs_f64();
    println!(
        "the database alone: the activities due or overdue ({due} rows) counted in {:.2} s",
        ceiling
    );
    println!(
        "first scan of the day: {first:.1} s, recorded {} due soon, {} overdue, {} ending without a product, {} stalled, {} escalated",
        report.due_soon, report.overdue, report.ending, report.stalled, report.escalated
    );
    println!(
        "second scan the same day: {second:.1} s, recorded {} (everything was already recorded)",
        again.due_soon + again.overdue + again.ending + again.stalled + again.escalated
    );
    // The next morning: only what became due overnight is new.
    let next = Instant::now();
    let tomorrow = api::services::reminders::scan(&app.db, today + chrono::Duration::days(1))
        .await
        .unwrap();
    let next = next.elapsed().as_secs_f64();
    println!(
        "the next day's scan: {next:.1} s, recorded {} due soon, {} overdue, {} ending without a product, {} stalled, {} escalated",
        tomorrow.due_soon, tomorrow.overdue, tomorrow.ending, tomorrow.stalled, tomorrow.escalated
    );
    println!("target: the scan ≤ 10 s");
}

/// The region's teachers, their routes, roadmaps and the waits, generated in SQL.
fn fill(
    schools: &[uuid::Uuid],
    teachers: usize,
    manager: uuid::Uuid,
    today: chrono::NaiveDate,
) -> Vec<String> {
    let array = format!(
        "ARRAY[{}]::uuid[]",
        schools
            .iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let n = schools.len();
    let start = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    vec![
        format!(
            "INSERT INTO users (id, email, surname, first_name, sort_key, active, workplace_id, security_stamp, created_at, updated_at)
             SELECT gen_random_uuid(), 'scan' || i || '@school.ru', 'Учитель', 'Номер ' || i, 'учитель номер ' || i, true,
                    ({array})[1 + i % {n}], md5(i::text), now(), now()
             FROM generate_series(1, {teachers}) AS i"
        ),
        // A route each; ends spread over the two months from today; a tenth waits for approval.
        format!(
            "INSERT INTO routes (id, teacher_id, school_id, region_id, municipality_id, title, sort_key, period_start,
                                 period_end, status, stage, version, profile_snapshot, profile_taken_at, final_event,
                                 conclusion, created_by, created_at, updated_at)
             SELECT gen_random_uuid(), u.id, o.id, o.region_id, o.municipality_id, 'Маршрут ' || u.email, 'маршрут',
                    DATE '{start}', DATE '{today}' + (abs(hashtext(u.email)) % 60),
                    CASE WHEN abs(hashtext(u.email)) % 10 = 0 THEN 'agreed' ELSE 'in_progress' END,
                    'implementation', 1, '{{}}', now(), '{{}}', '{{}}', '{manager}', now(), now()
             FROM users u JOIN org_units o ON o.id = u.workplace_id
             WHERE u.email LIKE 'scan%'"
        ),
        format!(
            "INSERT INTO route_activities (id, route_id, version, position, name, end_date, start_date, status, created_at, updated_at)
             SELECT gen_random_uuid(), r.id, 1, k, 'Мероприятие ' || k, e.end_date, e.end_date - 5,
                    CASE WHEN e.end_date >= DATE '{today}' THEN 'planned'
                         WHEN abs(hashtext(r.id::text || k::text)) % 5 = 0 THEN 'in_progress'
                         ELSE 'done' END,
                    now(), now()
             FROM routes r
             CROSS JOIN generate_series(1, {ACTIVITIES_PER_ROUTE}) AS k
             CROSS JOIN LATERAL (SELECT r.period_start + ((r.period_end - r.period_start) * k / {ACTIVITIES_PER_ROUTE}) AS end_date) e
             WHERE r.sort_key = 'маршрут'"
        ),
        // The waiting routes entered their status a fortnight ago.
        "INSERT INTO route_transitions (id, route_id, from_status, to_status, action, version, actor_id, at)
         SELECT gen_random_uuid(), r.id, 'tutor_agreed', 'agreed', 'agree', 1, r.created_by, now() - interval '14 days'
         FROM routes r WHERE r.sort_key = 'маршрут' AND r.status = 'agreed'"
            .to_owned(),
        "ANALYZE".to_owned(),
    ]
}
