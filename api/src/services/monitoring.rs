//! The route dashboard of a unit (region, district, municipality, school): routes by status and
//! stage, rates, overdue activities, stalled routes, time per stage, the most frequent deficits
//! and requests, and the units one level below side by side (teachers below a school).
//!
//! Counts come from a fixed handful of queries over the unit's subtree, grouped by the
//! database: statuses and stages; overdue activities; deficits; requests. Time per stage and
//! stalled routes need each route's status changes, read in one query and measured with the
//! rules of `shared::monitoring`.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationDef,
};
use shared::dto::{
    Frequency, RouteDashboard, RouteDashboardQuery, RouteDashboardRow, StageCount, StageTime,
    StatusCount, UnitRef,
};
use shared::monitoring::{self, Rate, RoutePhase};
use shared::{ActivityStatus, RouteStatus, Stage, UnitKind, UnitPath};
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::entities::{org_unit, route, route_activity, route_deficit, route_transition};
use crate::db::{self, units, users};
use crate::error::{AppError, AppResult};
use crate::services::people;

/// How many deficits and requests the dashboard lists.
const TOP: usize = 10;

/// The unit to look at: the one asked for when the caller manages it (404 otherwise, as for
/// any object out of scope), else the widest unit the caller manages.
async fn unit_for(
    db: &impl ConnectionTrait,
    principal: &Principal,
    unit_id: Option<Uuid>,
) -> AppResult<(org_unit::Model, UnitPath)> {
    let path = match unit_id {
        Some(id) => {
            let u = units::find(db, id).await?.ok_or(AppError::NotFound)?;
            let p = units::path(&u)?;
            if !principal.actor.can_analyse_unit(&p) {
                return Err(AppError::NotFound);
            }
            return Ok((u, p));
        }
        None => principal
            .actor
            .grants
            .iter()
            .filter(|g| g.role.manages_unit())
            .filter_map(|g| g.unit)
            .min_by_key(|p| UnitKind::ALL.iter().position(|k| *k == p.kind())),
    };
    let path = path.ok_or_else(|| {
        AppError::forbidden(
            "Мониторинг маршрутов видят руководители: школы — по своей школе, муниципалитета — по муниципалитету, региона — по региону.",
        )
    })?;
    let u = units::find(db, path.leaf())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((u, path))
}

/// The routes of a unit's subtree whose period overlaps the one asked for.
fn routes_within(
    path: &UnitPath,
    district_municipalities: &[Uuid],
    q: &RouteDashboardQuery,
) -> Condition {
    use route::Column as R;
    let mut c = Condition::all();
    c = match path.kind() {
        UnitKind::Region => c.add(R::RegionId.eq(path.leaf())),
        UnitKind::District => {
            c.add(R::MunicipalityId.is_in(district_municipalities.iter().copied()))
        }
        UnitKind::Municipality => c.add(R::MunicipalityId.eq(path.leaf())),
        UnitKind::School => c.add(R::SchoolId.eq(path.leaf())),
    };
    if let Some(from) = q.from {
        c = c.add(R::PeriodEnd.gte(from));
    }
    if let Some(to) = q.to {
        c = c.add(R::PeriodStart.lte(to));
    }
    c
}

/// The route's column that names the row one level below the unit.
fn child_column(kind: UnitKind) -> route::Column {
    match kind {
        UnitKind::Region | UnitKind::District => route::Column::MunicipalityId,
        UnitKind::Municipality => route::Column::SchoolId,
        UnitKind::School => route::Column::TeacherId,
    }
}

/// A group of routes: the row below, status, stage, outcome; how many, how many started.
type StatusRow = (Option<Uuid>, String, String, Option<String>, i64, i64);

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[derive(Default, Clone, Copy)]
struct Tally {
    routes: u64,
    phases: [u64; 5],
    started: u64,
    completed: u64,
    achieved: u64,
    stalled: u64,
    overdue: u64,
}

/// The dashboard of a unit.
pub async fn dashboard(
    db: &impl ConnectionTrait,
    principal: &Principal,
    q: &RouteDashboardQuery,
) -> AppResult<RouteDashboard> {
    use route::Column as R;
    if let (Some(from), Some(to)) = (q.from, q.to)
        && from > to
    {
        return Err(AppError::invalid("to", "Конец периода раньше его начала."));
    }
    let (unit, path) = unit_for(db, principal, q.unit_id).await?;
    let kind = path.kind();
    let now = db::now();
    let today = now.date_naive();
    // The region's escalation days say when a waiting route is stalled, as in the
    // coordinators' to-do lists; a region that turned escalation off gets the default.
    let max_days = match crate::db::policies::for_region(db, path.region)
        .await?
        .reminders
        .escalate_after_days
    {
        d if d > 0 => u32::try_from(d).unwrap_or(monitoring::DEFAULT_MAX_DAYS_PER_STEP),
        _ => monitoring::DEFAULT_MAX_DAYS_PER_STEP,
    };

    // The child units (none below a school: teachers come from the routes).
    let child_units: Vec<org_unit::Model> = {
        use org_unit::Column as U;
        let base = org_unit::Entity::find().order_by_asc(U::SortKey);
        match kind {
            UnitKind::Region => {
                base.filter(U::RegionId.eq(path.leaf()))
                    .filter(U::Kind.eq(UnitKind::Municipality.as_str()))
                    .all(db)
                    .await?
            }
            UnitKind::District => {
                base.filter(U::DistrictId.eq(path.leaf()))
                    .filter(U::Kind.eq(UnitKind::Municipality.as_str()))
                    .all(db)
                    .await?
            }
            UnitKind::Municipality => {
                base.filter(U::MunicipalityId.eq(path.leaf()))
                    .filter(U::Kind.eq(UnitKind::School.as_str()))
                    .all(db)
                    .await?
            }
            UnitKind::School => Vec::new(),
        }
    };
    let district_municipalities: Vec<Uuid> = child_units.iter().map(|u| u.id).collect();
    let within = routes_within(&path, &district_municipalities, q);
    let child = child_column(kind);

    // 1. Routes by row, status, stage and outcome; how many have started.
    let rows: Vec<StatusRow> = route::Entity::find()
        .select_only()
        .column(child)
        .column(R::Status)
        .column(R::Stage)
        .column(R::Outcome)
        .expr(Expr::col((route::Entity, R::Id)).count())
        .expr(Expr::col((route::Entity, R::StartedAt)).count())
        .filter(within.clone())
        .group_by(child)
        .group_by(R::Status)
        .group_by(R::Stage)
        .group_by(R::Outcome)
        .into_tuple()
        .all(db)
        .await?;
    let mut tallies: HashMap<Uuid, Tally> = HashMap::new();
    let mut by_status: BTreeMap<RouteStatus, u64> = BTreeMap::new();
    let mut by_stage: BTreeMap<Stage, u64> = BTreeMap::new();
    let (mut total, mut started, mut completed, mut achieved) = (0u64, 0u64, 0u64, 0u64);
    for (row, status, stage, outcome, n, began) in rows {
        let status: RouteStatus = db::parse_code(&status)?;
        let stage: Stage = db::parse_code(&stage)?;
        let (n, began) = (count(n), count(began));
        let done = if status == RouteStatus::Completed {
            n
        } else {
            0
        };
        let won = if done > 0 && outcome.as_deref() == Some("achieved") {
            n
        } else {
            0
        };
        total += n;
        started += began;
        completed += done;
        achieved += won;
        *by_status.entry(status).or_default() += n;
        *by_stage.entry(stage).or_default() += n;
        if let Some(row) = row {
            let t = tallies.entry(row).or_default();
            t.routes += n;
            t.started += began;
            t.completed += done;
            t.achieved += won;
            let phase = monitoring::phase_of(status);
            if let Some(i) = RoutePhase::ALL.iter().position(|p| *p == phase) {
                t.phases[i] += n;
            }
        }
    }

    // 2. Overdue activities of routes being implemented, by row.
    let implementing = [RouteStatus::Approved, RouteStatus::InProgress].map(|s| s.as_str());
    let to_route: RelationDef = route_activity::Entity::belongs_to(route::Entity)
        .from(route_activity::Column::RouteId)
        .to(R::Id)
        .into();
    let overdue_rows: Vec<(Option<Uuid>, i64, i64)> =
        {
            use route_activity::Column as A;
            route_activity::Entity::find()
                .select_only()
                .column(child)
                .expr(Expr::col((route_activity::Entity, A::Id)).count())
                .expr(Expr::cust("COUNT(DISTINCT route_activities.route_id)"))
                .join(JoinType::InnerJoin, to_route)
                .filter(within.clone())
                .filter(R::Status.is_in(implementing))
                .filter(A::Status.is_not_in(
                    [ActivityStatus::Done, ActivityStatus::Cancelled].map(|s| s.as_str()),
                ))
                .filter(
                    Condition::any().add(A::EndDate.lt(today)).add(
                        Condition::all()
                            .add(A::EndDate.is_null())
                            .add(A::StartDate.lt(today)),
                    ),
                )
                .group_by(child)
                .into_tuple()
                .all(db)
                .await?
        };
    let (mut overdue, mut routes_with_overdue) = (0u64, 0u64);
    for (row, n, r) in overdue_rows {
        overdue += count(n);
        routes_with_overdue += count(r);
        if let Some(row) = row {
            tallies.entry(row).or_default().overdue += count(n);
        }
    }

    // 3. Each route's status changes, for stalled routes and time per stage.
    let routes: Vec<(Uuid, Option<Uuid>, String, DateTime<Utc>)> = route::Entity::find()
        .select_only()
        .column(R::Id)
        .column(child)
        .column(R::Status)
        .column(R::CreatedAt)
        .filter(within.clone())
        .into_tuple()
        .all(db)
        .await?;
    let to_route: RelationDef = route_transition::Entity::belongs_to(route::Entity)
        .from(route_transition::Column::RouteId)
        .to(R::Id)
        .into();
    let changes: Vec<(Uuid, String, DateTime<Utc>)> = {
        use route_transition::Column as T;
        route_transition::Entity::find()
            .select_only()
            .column(T::RouteId)
            .column(T::ToStatus)
            .column(T::At)
            .join(JoinType::InnerJoin, to_route)
            .filter(within.clone())
            .order_by_asc(T::RouteId)
            .order_by_asc(T::At)
            .into_tuple()
            .all(db)
            .await?
    };
    let mut history: HashMap<Uuid, Vec<(DateTime<Utc>, RouteStatus)>> = HashMap::new();
    for (id, to, at) in changes {
        history
            .entry(id)
            .or_default()
            .push((at, db::parse_code(&to)?));
    }
    let mut stalled = 0u64;
    let mut days: BTreeMap<Stage, Vec<f64>> = BTreeMap::new();
    for (id, row, status, created) in &routes {
        let status: RouteStatus = db::parse_code(status)?;
        let steps = history.get(id).map(Vec::as_slice).unwrap_or(&[]);
        let since = steps.last().map_or(*created, |(at, _)| *at);
        if monitoring::is_stalled(status, since, now, max_days) {
            stalled += 1;
            if let Some(row) = row {
                tallies.entry(*row).or_default().stalled += 1;
            }
        }
        for (stage, d) in monitoring::days_per_stage(*created, steps) {
            days.entry(stage).or_default().push(d);
        }
    }
    let stage_times = [
        Stage::Design,
        Stage::Implementation,
        Stage::ReflectiveAnalytical,
    ]
    .into_iter()
    .map(|stage| {
        let v = days.get(&stage).map(Vec::as_slice).unwrap_or(&[]);
        StageTime {
            stage,
            routes: v.len() as u64,
            median_days: monitoring::median(v).map(round1),
            p90_days: monitoring::p90(v).map(round1),
        }
    })
    .collect();

    // 4. Confirmed deficits, by competency (or by title when not tied to one).
    let deficit_rows: Vec<(Option<Uuid>, String, i64)> = {
        use route_deficit::Column as D;
        let to_route: RelationDef = route_deficit::Entity::belongs_to(route::Entity)
            .from(D::RouteId)
            .to(R::Id)
            .into();
        route_deficit::Entity::find()
            .select_only()
            .column(D::CompetencyId)
            .column(D::Title)
            .expr(Expr::cust("COUNT(DISTINCT route_deficits.route_id)"))
            .join(JoinType::InnerJoin, to_route)
            .filter(within.clone())
            .filter(D::Confirmed.eq(true))
            .group_by(D::CompetencyId)
            .group_by(D::Title)
            .into_tuple()
            .all(db)
            .await?
    };
    let top_deficits = top_deficits(db, deficit_rows).await?;

    // 5. Educational requests, as written.
    let request_rows: Vec<(Option<String>, i64)> = route::Entity::find()
        .select_only()
        .column(R::EducationalRequest)
        .expr(Expr::col((route::Entity, R::Id)).count())
        .filter(within.clone())
        .filter(R::EducationalRequest.is_not_null())
        .filter(R::EducationalRequest.ne(""))
        .group_by(R::EducationalRequest)
        .into_tuple()
        .all(db)
        .await?;
    let mut top_requests: Vec<Frequency> = request_rows
        .into_iter()
        .filter_map(|(t, n)| {
            let t = t?.trim().to_owned();
            (!t.is_empty()).then(|| Frequency {
                title: t,
                routes: count(n),
            })
        })
        .collect();
    sort_top(&mut top_requests);

    // The rows one level below.
    let mut children = Vec::new();
    let row = |id: Uuid, name: String, kind: Option<UnitKind>, t: Option<&Tally>| {
        let t = t.copied().unwrap_or_default();
        RouteDashboardRow {
            id,
            name,
            kind,
            routes: t.routes,
            phases: t.phases.to_vec(),
            started: t.started,
            completed: t.completed,
            achieved: t.achieved,
            stalled: t.stalled,
            overdue_activities: t.overdue,
        }
    };
    if kind == UnitKind::School {
        let ids: Vec<Uuid> = tallies.keys().copied().collect();
        let mut people = users::find_many(db, &ids).await?;
        people.sort_by(|a, b| a.sort_key.cmp(&b.sort_key));
        for p in people {
            let name = people::to_ref(&p).full_name;
            children.push(row(p.id, name, None, tallies.get(&p.id)));
        }
    } else {
        let listed: HashSet<Uuid> = child_units.iter().map(|u| u.id).collect();
        let extra: Vec<Uuid> = tallies
            .keys()
            .filter(|id| !listed.contains(id))
            .copied()
            .collect();
        let mut all = child_units;
        all.extend(units::find_many(db, &extra).await?);
        for u in all {
            if u.archived_at.is_some() && !tallies.contains_key(&u.id) {
                continue;
            }
            let k = units::kind(&u)?;
            children.push(row(u.id, u.name.clone(), Some(k), tallies.get(&u.id)));
        }
    }

    Ok(RouteDashboard {
        unit: units::to_ref(&unit)?,
        trail: trail(db, principal, &path).await?,
        from: q.from,
        to: q.to,
        as_of: now,
        max_days_per_step: max_days,
        routes: total,
        by_status: RouteStatus::ALL
            .iter()
            .map(|s| StatusCount {
                status: *s,
                routes: by_status.get(s).copied().unwrap_or(0),
            })
            .collect(),
        by_stage: Stage::ALL
            .iter()
            .map(|s| StageCount {
                stage: *s,
                routes: by_stage.get(s).copied().unwrap_or(0),
            })
            .collect(),
        started: Rate::of(started, total),
        completed: Rate::of(completed, started),
        achieved: Rate::of(achieved, completed),
        overdue_activities: overdue,
        routes_with_overdue,
        stalled,
        stage_times,
        top_deficits,
        top_requests,
        children,
    })
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn sort_top(v: &mut Vec<Frequency>) {
    v.sort_by(|a, b| b.routes.cmp(&a.routes).then_with(|| a.title.cmp(&b.title)));
    v.truncate(TOP);
}

/// Deficits tied to a competency are counted under the competency (named by its code and name);
/// the others under their title.
async fn top_deficits(
    db: &impl ConnectionTrait,
    rows: Vec<(Option<Uuid>, String, i64)>,
) -> AppResult<Vec<Frequency>> {
    use crate::db::entities::competency;
    let ids: Vec<Uuid> = rows.iter().filter_map(|(c, _, _)| *c).collect();
    let names: HashMap<Uuid, String> = if ids.is_empty() {
        HashMap::new()
    } else {
        competency::Entity::find()
            .filter(competency::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, crate::services::diagnostics::deficit_title(&c)))
            .collect()
    };
    let mut by_title: BTreeMap<String, u64> = BTreeMap::new();
    for (comp, title, n) in rows {
        let title = comp
            .and_then(|c| names.get(&c).cloned())
            .unwrap_or_else(|| title.trim().to_owned());
        *by_title.entry(title).or_default() += count(n);
    }
    let mut out: Vec<Frequency> = by_title
        .into_iter()
        .map(|(title, routes)| Frequency { title, routes })
        .collect();
    sort_top(&mut out);
    Ok(out)
}

/// The units from the region down to `path`'s leaf that the caller may open.
async fn trail(
    db: &impl ConnectionTrait,
    principal: &Principal,
    path: &UnitPath,
) -> AppResult<Vec<UnitRef>> {
    let ids: Vec<Uuid> = UnitKind::ALL.iter().filter_map(|k| path.at(*k)).collect();
    let found: HashMap<Uuid, org_unit::Model> = units::find_many(db, &ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut out = Vec::new();
    for id in ids {
        let Some(u) = found.get(&id) else { continue };
        if principal.actor.can_analyse_unit(&units::path(u)?) {
            out.push(units::to_ref(u)?);
        }
    }
    Ok(out)
}

/// The dashboard as an Excel workbook: a sheet per table of the page.
pub fn workbook(d: &RouteDashboard) -> AppResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook, Worksheet};
    let xl = |e: rust_xlsxwriter::XlsxError| AppError::Unexpected(e.into());
    let bold = Format::new().set_bold();
    let mut book = Workbook::new();
    let header =
        |sheet: &mut Worksheet, titles: &[&str]| -> Result<(), rust_xlsxwriter::XlsxError> {
            for (c, t) in titles.iter().enumerate() {
                let c = c as u16;
                sheet.write_string_with_format(0, c, *t, &bold)?;
                sheet.set_column_width(c, if c == 0 { 48 } else { 16 })?;
            }
            Ok(())
        };
    let opt = |sheet: &mut Worksheet, r: u32, c: u16, v: Option<f64>| match v {
        Some(v) => sheet.write_number(r, c, v).map(|_| ()),
        None => sheet.write_string(r, c, "—").map(|_| ()),
    };

    let s = book.add_worksheet().set_name("Сводка").map_err(xl)?;
    header(s, &["Показатель", "Значение", "Из", "%"]).map_err(xl)?;
    let period = match (d.from, d.to) {
        (None, None) => "все маршруты".to_owned(),
        (f, t) => format!(
            "{} — {}",
            f.map_or("…".to_owned(), |x| x.format("%d.%m.%Y").to_string()),
            t.map_or("…".to_owned(), |x| x.format("%d.%m.%Y").to_string())
        ),
    };
    s.write_string(1, 0, "Подразделение").map_err(xl)?;
    s.write_string(1, 1, &d.unit.name).map_err(xl)?;
    s.write_string(2, 0, "Период").map_err(xl)?;
    s.write_string(2, 1, &period).map_err(xl)?;
    s.write_string(3, 0, "Данные на").map_err(xl)?;
    s.write_string(3, 1, d.as_of.format("%d.%m.%Y %H:%M UTC").to_string())
        .map_err(xl)?;
    s.write_string(4, 0, "Маршрутов").map_err(xl)?;
    s.write_number(4, 1, d.routes as f64).map_err(xl)?;
    let rates = [
        ("Начата реализация", d.started),
        ("Завершены (из начатых)", d.completed),
        ("Задача достигнута (из завершённых)", d.achieved),
    ];
    let mut r = 5u32;
    for (title, rate) in rates {
        s.write_string(r, 0, title).map_err(xl)?;
        s.write_number(r, 1, rate.part as f64).map_err(xl)?;
        s.write_number(r, 2, rate.whole as f64).map_err(xl)?;
        opt(s, r, 3, rate.percent).map_err(xl)?;
        r += 1;
    }
    for (title, n) in [
        (
            "Просроченные мероприятия дорожных карт",
            d.overdue_activities,
        ),
        (
            "Маршруты с просроченными мероприятиями",
            d.routes_with_overdue,
        ),
        ("Маршруты, ожидающие шага дольше допустимого", d.stalled),
        (
            "Допустимое ожидание шага, дней",
            u64::from(d.max_days_per_step),
        ),
    ] {
        s.write_string(r, 0, title).map_err(xl)?;
        s.write_number(r, 1, n as f64).map_err(xl)?;
        r += 1;
    }

    let s = book.add_worksheet().set_name("Статусы").map_err(xl)?;
    header(s, &["Статус", "Маршрутов"]).map_err(xl)?;
    for (i, c) in d.by_status.iter().enumerate() {
        let r = i as u32 + 1;
        s.write_string(r, 0, c.status.title_ru()).map_err(xl)?;
        s.write_number(r, 1, c.routes as f64).map_err(xl)?;
    }

    let s = book.add_worksheet().set_name("Этапы").map_err(xl)?;
    header(
        s,
        &[
            "Этап",
            "Маршрутов сейчас",
            "Прошли этап",
            "Медиана, дней",
            "90-й перцентиль, дней",
        ],
    )
    .map_err(xl)?;
    for (i, c) in d.by_stage.iter().enumerate() {
        let r = i as u32 + 1;
        s.write_string(r, 0, c.stage.title_ru()).map_err(xl)?;
        s.write_number(r, 1, c.routes as f64).map_err(xl)?;
        if let Some(t) = d.stage_times.iter().find(|t| t.stage == c.stage) {
            s.write_number(r, 2, t.routes as f64).map_err(xl)?;
            opt(s, r, 3, t.median_days).map_err(xl)?;
            opt(s, r, 4, t.p90_days).map_err(xl)?;
        }
    }

    let s = book.add_worksheet().set_name("Подразделения").map_err(xl)?;
    let mut titles = vec!["Подразделение", "Маршрутов"];
    titles.extend(RoutePhase::ALL.iter().map(|p| p.title_ru()));
    titles.extend([
        "Начата реализация",
        "Завершены",
        "Задача достигнута",
        "Ожидают дольше допустимого",
        "Просроченные мероприятия",
    ]);
    header(s, &titles).map_err(xl)?;
    for (i, c) in d.children.iter().enumerate() {
        let r = i as u32 + 1;
        s.write_string(r, 0, &c.name).map_err(xl)?;
        let mut values = vec![c.routes];
        values.extend(c.phases.iter().copied());
        values.extend([
            c.started,
            c.completed,
            c.achieved,
            c.stalled,
            c.overdue_activities,
        ]);
        for (j, v) in values.into_iter().enumerate() {
            s.write_number(r, j as u16 + 1, v as f64).map_err(xl)?;
        }
    }

    for (name, list) in [("Дефициты", &d.top_deficits), ("Запросы", &d.top_requests)]
    {
        let s = book.add_worksheet().set_name(name).map_err(xl)?;
        header(
            s,
            &[
                if name == "Дефициты" {
                    "Подтверждённый дефицит"
                } else {
                    "Образовательный запрос"
                },
                "Маршрутов",
            ],
        )
        .map_err(xl)?;
        for (i, f) in list.iter().enumerate() {
            let r = i as u32 + 1;
            s.write_string(r, 0, &f.title).map_err(xl)?;
            s.write_number(r, 1, f.routes as f64).map_err(xl)?;
        }
    }
    book.save_to_buffer().map_err(xl)
}
