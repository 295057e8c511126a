//! Events: the calendar in the caller's scope, one event, and its organisers' edits.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use shared::catalogue::{self as rules, EnrolmentStatus, EventFormat, EventStatus, SchoolLevel};
use shared::dto::catalogue::*;
use shared::dto::{CompetencyRef, Page};
use shared::{EventLevel, UnitKind, UnitPath};
use uuid::Uuid;
use validator::Validate;

use crate::auth::Principal;
use crate::db::entities::{competency, event, event_competency, org_unit, user};
use crate::db::{self, audit, catalogue as store, units, users};
use crate::error::{AppError, AppResult};
use crate::services::people::to_ref;
use crate::services::route::create::clean;
use crate::services::route::edit::expect_version;
use crate::services::route::read::competency_ref;
use crate::state::AppState;

const MAX_LIMIT: u64 = 500;

/// The organiser's place, as the policy sees it.
pub fn organiser_path(e: &event::Model) -> UnitPath {
    UnitPath {
        region: e.region_id,
        district: e.district_id,
        municipality: e.municipality_id,
        school: e.school_id,
    }
}

pub fn status(e: &event::Model) -> AppResult<EventStatus> {
    Ok(db::parse_code(&e.status)?)
}

/// Loads an event the principal may read, else 404.
pub async fn load(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
    lock: bool,
) -> AppResult<event::Model> {
    let e = if lock {
        store::find_for_update(db, id).await?
    } else {
        store::find(db, id).await?
    }
    .ok_or(AppError::NotFound)?;
    if !principal
        .actor
        .can_read_event(&organiser_path(&e), status(&e)?)
    {
        return Err(AppError::NotFound);
    }
    Ok(e)
}

/// Loads an event the principal organises: 404 out of sight, 403 when only readable.
pub async fn load_managed(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
    lock: bool,
) -> AppResult<event::Model> {
    let e = load(db, principal, id, lock).await?;
    if !principal.actor.can_manage_event(&organiser_path(&e)) {
        return Err(AppError::forbidden(
            "Изменять мероприятие и отмечать участников может только его организатор.",
        ));
    }
    Ok(e)
}

/// Which events the principal's calendar holds, as a condition on `events`.
pub fn scope_condition(principal: &Principal) -> Condition {
    if principal.actor.is_admin() {
        return Condition::all().add(event::Column::Status.ne(EventStatus::Draft.as_str()));
    }
    let mut visible = Condition::any();
    let mut managed = Condition::any();
    let mut any = false;
    for g in &principal.actor.grants {
        let Some(u) = g.unit else { continue };
        any = true;
        // The unit's own events and those of every unit above it.
        let above: Vec<Uuid> = [Some(u.region), u.district, u.municipality, u.school]
            .into_iter()
            .flatten()
            .collect();
        visible = visible.add(event::Column::OrganiserId.is_in(above));
        // Everything organised below it.
        let below = below(&u);
        visible = visible.add(below.clone());
        if g.role.manages_unit() {
            managed = managed.add(below);
        }
    }
    if !any {
        return Condition::all().add(event::Column::Id.is_null());
    }
    Condition::any()
        .add(
            Condition::all()
                .add(visible)
                .add(event::Column::Status.ne(EventStatus::Draft.as_str())),
        )
        .add(managed)
}

fn below(u: &UnitPath) -> Condition {
    let col = match u.kind() {
        UnitKind::Region => event::Column::RegionId,
        UnitKind::District => event::Column::DistrictId,
        UnitKind::Municipality => event::Column::MunicipalityId,
        UnitKind::School => event::Column::SchoolId,
    };
    Condition::all().add(col.eq(u.leaf()))
}

/// The calendar's filters as a condition on `events` (also the events export's).
pub(crate) fn filters(f: &EventFilter, principal: &Principal) -> Condition {
    let mut c = Condition::all();
    if let Some(s) = f.status {
        c = c.add(event::Column::Status.eq(s.as_str()));
    }
    if let Some(l) = f.level {
        c = c.add(event::Column::Level.eq(l.as_str()));
    }
    if let Some(x) = f.format {
        c = c.add(event::Column::Format.eq(x.as_str()));
    }
    if let Some(k) = f.kind {
        c = c.add(event::Column::Kind.eq(k.as_str()));
    }
    if let Some(o) = f.organiser_id {
        c = c.add(event::Column::OrganiserId.eq(o));
    }
    if let Some(id) = f.event_id {
        c = c.add(event::Column::Id.eq(id));
    }
    if let Some(from) = f.from {
        c = c.add(event::Column::EndsOn.gte(from));
    }
    if let Some(to) = f.to {
        c = c.add(event::Column::StartsOn.lte(to));
    }
    if let Some(comp) = f.competency_id {
        c = c.add(
            event::Column::Id.in_subquery(
                Query::select()
                    .column(event_competency::Column::EventId)
                    .from(event_competency::Entity)
                    .and_where(event_competency::Column::CompetencyId.eq(comp))
                    .to_owned(),
            ),
        );
    }
    if f.mine == Some(true) {
        use crate::db::entities::enrolment;
        c = c.add(
            event::Column::Id.in_subquery(
                Query::select()
                    .column(enrolment::Column::EventId)
                    .from(enrolment::Entity)
                    .and_where(enrolment::Column::PersonId.eq(principal.id()))
                    .and_where(enrolment::Column::Status.ne(EnrolmentStatus::Cancelled.as_str()))
                    .to_owned(),
            ),
        );
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", shared::text::sort_key(&[q]).replace(['%', '_'], ""));
        c = c.add(event::Column::SortKey.like(pattern));
    }
    c
}

/// The calendar: events in the caller's scope, filtered, by start date.
pub async fn list(
    db: &impl ConnectionTrait,
    principal: &Principal,
    f: EventFilter,
) -> AppResult<Page<EventSummary>> {
    let (offset, limit) = crate::services::page_bounds(f.offset, f.limit, 50, MAX_LIMIT)?;
    let query = event::Entity::find()
        .filter(scope_condition(principal))
        .filter(filters(&f, principal))
        .order_by_asc(event::Column::StartsOn)
        .order_by_asc(event::Column::SortKey)
        .order_by_asc(event::Column::Id);
    let total = query.clone().count(db).await?;
    let rows = query.offset(offset).limit(limit).all(db).await?;
    let mut visible = Vec::with_capacity(rows.len());
    for e in rows {
        if principal
            .actor
            .can_read_event(&organiser_path(&e), status(&e)?)
        {
            visible.push(e);
        } else {
            tracing::warn!(event = %e.id, "calendar scope let through an event the policy refuses");
        }
    }
    Ok(Page {
        items: summaries(db, Some(principal.id()), &visible).await?,
        total,
        offset,
        limit,
    })
}

/// Everything summaries need, loaded for many events at once.
pub struct Lookup {
    pub units: HashMap<Uuid, org_unit::Model>,
    pub comps: HashMap<Uuid, Vec<Uuid>>,
    pub comp_rows: HashMap<Uuid, competency::Model>,
    pub counts: HashMap<Uuid, HashMap<String, u64>>,
    pub mine: HashMap<Uuid, crate::db::entities::enrolment::Model>,
}

impl Lookup {
    pub async fn load(
        db: &impl ConnectionTrait,
        me: Option<Uuid>,
        events: &[event::Model],
    ) -> AppResult<Lookup> {
        let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
        let unit_ids: Vec<Uuid> = events
            .iter()
            .map(|e| e.organiser_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let units = units::find_many(db, &unit_ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        let comps = store::competencies(db, &ids).await?;
        let comp_ids: Vec<Uuid> = comps
            .values()
            .flatten()
            .copied()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let comp_rows = crate::db::routes::competencies(db, &comp_ids)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let counts = store::counts(db, &ids).await?;
        let mine = match me {
            Some(me) => store::enrolments_of(db, me, &ids).await?,
            None => HashMap::new(),
        };
        Ok(Lookup {
            units,
            comps,
            comp_rows,
            counts,
            mine,
        })
    }

    pub fn count(&self, event: Uuid, s: EnrolmentStatus) -> u64 {
        self.counts
            .get(&event)
            .and_then(|m| m.get(s.as_str()))
            .copied()
            .unwrap_or(0)
    }

    pub fn taken(&self, event: Uuid) -> u64 {
        EnrolmentStatus::ALL
            .iter()
            .filter(|s| s.holds_seat())
            .map(|s| self.count(event, *s))
            .sum()
    }

    pub fn competency_refs(&self, event: Uuid) -> Vec<CompetencyRef> {
        let mut refs: Vec<&competency::Model> = self
            .comps
            .get(&event)
            .into_iter()
            .flatten()
            .filter_map(|c| self.comp_rows.get(c))
            .collect();
        refs.sort_by_key(|c| (c.position, c.code.clone()));
        refs.into_iter().map(competency_ref).collect()
    }

    pub fn summary(&self, e: &event::Model) -> AppResult<EventSummary> {
        let organiser = self
            .units
            .get(&e.organiser_id)
            .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("event without an organiser")))?;
        let my_status = self
            .mine
            .get(&e.id)
            .map(|m| db::parse_code::<EnrolmentStatus>(&m.status))
            .transpose()?
            .filter(|s| *s != EnrolmentStatus::Cancelled);
        Ok(EventSummary {
            id: e.id,
            version: e.version,
            title: e.title.clone(),
            kind: db::parse_code(&e.kind)?,
            level: db::parse_code(&e.level)?,
            format: db::parse_code(&e.format)?,
            status: db::parse_code(&e.status)?,
            organiser: units::to_ref(organiser)?,
            place: e.place.clone(),
            starts_on: e.starts_on,
            ends_on: e.ends_on,
            hours: e.hours,
            capacity: e.capacity,
            free_seats: rules::free_seats(e.capacity, self.taken(e.id)),
            registration_deadline: e.registration_deadline,
            competencies: self.competency_refs(e.id),
            my_status,
        })
    }
}

pub async fn summaries(
    db: &impl ConnectionTrait,
    me: Option<Uuid>,
    events: &[event::Model],
) -> AppResult<Vec<EventSummary>> {
    let lookup = Lookup::load(db, me, events).await?;
    events.iter().map(|e| lookup.summary(e)).collect()
}

/// The waiting-list position (1 = next) of an enrolment.
pub async fn waitlist_position(
    db: &impl ConnectionTrait,
    e: &crate::db::entities::enrolment::Model,
) -> AppResult<Option<u64>> {
    use crate::db::entities::enrolment;
    if e.status != EnrolmentStatus::Waitlisted.as_str() {
        return Ok(None);
    }
    let ahead = enrolment::Entity::find()
        .filter(enrolment::Column::EventId.eq(e.event_id))
        .filter(enrolment::Column::Status.eq(EnrolmentStatus::Waitlisted.as_str()))
        .filter(enrolment::Column::Position.lt(e.position))
        .count(db)
        .await?;
    Ok(Some(ahead + 1))
}

/// Whether the event takes registrations on `today`.
pub fn open_for_registration(e: &event::Model, today: chrono::NaiveDate) -> bool {
    e.status == EventStatus::Published.as_str()
        && e.ends_on >= today
        && e.registration_deadline.is_none_or(|d| d >= today)
}

/// One event, whole.
pub async fn get(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<EventDto> {
    let e = load(db, principal, id, false).await?;
    dto(db, principal, &e).await
}

pub async fn dto(
    db: &impl ConnectionTrait,
    principal: &Principal,
    e: &event::Model,
) -> AppResult<EventDto> {
    let lookup = Lookup::load(db, Some(principal.id()), std::slice::from_ref(e)).await?;
    let summary = lookup.summary(e)?;
    let creator = users::find(db, e.created_by).await?;
    let mine = lookup.mine.get(&e.id);
    let my_enrolment = match mine {
        Some(m) if m.status != EnrolmentStatus::Cancelled.as_str() => Some(MyEnrolment {
            id: m.id,
            status: db::parse_code(&m.status)?,
            waitlist_position: waitlist_position(db, m).await?,
            route_id: m.route_id,
            activity_id: m.activity_id,
            certificate_name: m.certificate_name.clone(),
        }),
        _ => None,
    };
    let today = db::now().date_naive();
    Ok(EventDto {
        description: e.description.clone(),
        link: e.link.clone(),
        schedule: e.schedule.clone(),
        audience_subjects: serde_json::from_str(&e.audience_subjects).unwrap_or_default(),
        audience_levels: serde_json::from_str(&e.audience_levels).unwrap_or_default(),
        registered: lookup.taken(e.id),
        waitlisted: lookup.count(e.id, EnrolmentStatus::Waitlisted),
        created_by: creator
            .as_ref()
            .map(to_ref)
            .unwrap_or(shared::dto::PersonRef {
                id: e.created_by,
                full_name: "—".into(),
                email: String::new(),
            }),
        published_at: e.published_at,
        cancel_reason: e.cancel_reason.clone(),
        can_enrol: my_enrolment.is_none() && open_for_registration(e, today),
        my_enrolment,
        can_manage: principal.actor.can_manage_event(&organiser_path(e)),
        summary,
    })
}

/// The organising unit: the one named, else the unit where the caller manages events.
async fn organiser(
    db: &impl ConnectionTrait,
    principal: &Principal,
    given: Option<Uuid>,
) -> AppResult<(org_unit::Model, UnitPath)> {
    let id = match given {
        Some(id) => id,
        None => principal
            .actor
            .grants
            .iter()
            .filter(|g| g.role.manages_unit())
            .find_map(|g| g.unit.map(|u| u.leaf()))
            .ok_or_else(|| {
                AppError::forbidden("Мероприятия публикуют руководители и координаторы.")
            })?,
    };
    let unit = units::find(db, id)
        .await?
        .filter(|u| u.archived_at.is_none())
        .ok_or_else(|| AppError::invalid("organiser_id", "Организатор не найден."))?;
    let path = units::path(&unit)?;
    if !principal.actor.can_read_unit(&path) {
        return Err(AppError::invalid("organiser_id", "Организатор не найден."));
    }
    if !principal.actor.can_manage_event(&path) {
        return Err(AppError::forbidden(
            "Вы не можете публиковать мероприятия от имени этой организации.",
        ));
    }
    Ok((unit, path))
}

/// Checked input: the level for the organiser, dates, competencies of a framework in use.
async fn check(
    db: &impl ConnectionTrait,
    req: &EventInput,
    path: &UnitPath,
) -> AppResult<(EventLevel, chrono::NaiveDate, Vec<Uuid>)> {
    req.validate()?;
    let allowed = rules::levels_for_organiser(path.kind());
    let level = req.level.unwrap_or(rules::default_level(path.kind()));
    if !allowed.contains(&level) {
        return Err(AppError::invalid(
            "level",
            format!(
                "Организатор этого уровня публикует мероприятия уровня: {}.",
                allowed
                    .iter()
                    .map(|l| l.title_ru().to_lowercase())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let ends = req.ends_on.unwrap_or(req.starts_on);
    if ends < req.starts_on {
        return Err(AppError::invalid(
            "ends_on",
            "Дата окончания раньше даты начала.",
        ));
    }
    if req.registration_deadline.is_some_and(|d| d > ends) {
        return Err(AppError::invalid(
            "registration_deadline",
            "Запись должна закончиться не позже окончания мероприятия.",
        ));
    }
    if req.format != EventFormat::Online && clean(req.place.clone()).is_none() {
        return Err(AppError::invalid("place", "Укажите место проведения."));
    }
    let mut comps: Vec<Uuid> = Vec::new();
    for c in &req.competency_ids {
        if !comps.contains(c) {
            comps.push(*c);
        }
    }
    let found = crate::db::routes::competencies(db, &comps).await?;
    if found.len() != comps.len() {
        return Err(AppError::invalid(
            "competency_ids",
            "Компетенция не найдена в рамках компетенций.",
        ));
    }
    let frameworks: Vec<Uuid> = found.iter().map(|c| c.framework_id).collect();
    let fw = crate::db::entities::framework::Entity::find()
        .filter(crate::db::entities::framework::Column::Id.is_in(frameworks))
        .all(db)
        .await?;
    if fw
        .iter()
        .any(|f| f.region_id.is_some_and(|r| r != path.region))
    {
        return Err(AppError::invalid(
            "competency_ids",
            "Компетенция не найдена в рамках компетенций.",
        ));
    }
    for s in &req.audience_subjects {
        if s.trim().is_empty() || s.chars().count() > 100 {
            return Err(AppError::invalid(
                "audience_subjects",
                "Название предмета — от 1 до 100 символов.",
            ));
        }
    }
    Ok((level, ends, comps))
}

async fn link_competencies(
    db: &impl ConnectionTrait,
    event: Uuid,
    comps: &[Uuid],
) -> AppResult<()> {
    event_competency::Entity::delete_many()
        .filter(event_competency::Column::EventId.eq(event))
        .exec(db)
        .await?;
    for c in comps {
        event_competency::ActiveModel {
            event_id: Set(event),
            competency_id: Set(*c),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

fn json_list<T: serde::Serialize>(v: &[T]) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Unexpected(e.into()))
}

fn subjects(v: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v {
        let s = s.trim().to_owned();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

fn levels(v: &[SchoolLevel]) -> Vec<SchoolLevel> {
    let mut out: Vec<SchoolLevel> = v.to_vec();
    out.sort();
    out.dedup();
    out
}

fn sort_key(req: &EventInput) -> String {
    shared::text::sort_key(&[
        &req.title,
        req.place.as_deref().unwrap_or(""),
        req.kind.title_ru(),
    ])
}

/// A new draft event.
pub async fn create(
    state: &AppState,
    principal: &Principal,
    req: EventInput,
) -> AppResult<EventDto> {
    req.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let (unit, path) = organiser(&txn, principal, req.organiser_id).await?;
    let (level, ends, comps) = check(&txn, &req, &path).await?;
    let t = db::now();
    let e = event::ActiveModel {
        id: Set(db::new_id()),
        organiser_id: Set(unit.id),
        region_id: Set(path.region),
        district_id: Set(path.district),
        municipality_id: Set(path.municipality),
        school_id: Set(path.school),
        title: Set(req.title.trim().to_owned()),
        sort_key: Set(sort_key(&req)),
        description: Set(clean(req.description.clone())),
        kind: Set(req.kind.as_str().to_owned()),
        level: Set(level.as_str().to_owned()),
        format: Set(req.format.as_str().to_owned()),
        place: Set(clean(req.place.clone())),
        link: Set(clean(req.link.clone())),
        starts_on: Set(req.starts_on),
        ends_on: Set(ends),
        schedule: Set(clean(req.schedule.clone())),
        hours: Set(req.hours),
        capacity: Set(req.capacity),
        registration_deadline: Set(req.registration_deadline),
        audience_subjects: Set(json_list(&subjects(&req.audience_subjects))?),
        audience_levels: Set(json_list(&levels(&req.audience_levels))?),
        status: Set(EventStatus::Draft.as_str().to_owned()),
        version: Set(1),
        created_by: Set(principal.id()),
        published_at: Set(None),
        cancelled_at: Set(None),
        cancel_reason: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&txn)
    .await?;
    link_competencies(&txn, e.id, &comps).await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "event.create",
            "event",
            e.id,
            serde_json::json!({ "title": e.title, "organiser": unit.id }),
        ),
    )
    .await?;
    txn.commit().await?;
    dto(&state.db, principal, &e).await
}

/// Edits an event (its organiser keeps it current; a cancelled one is frozen).
pub async fn update(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: EventInput,
) -> AppResult<EventDto> {
    req.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let e = load_managed(&txn, principal, id, true).await?;
    expect_version(e.version, req.version)?;
    if e.status == EventStatus::Cancelled.as_str() {
        return Err(AppError::conflict(
            "event_cancelled",
            "Мероприятие отменено: изменить его нельзя.",
        ));
    }
    let (unit, path) = match req.organiser_id {
        Some(o) if o != e.organiser_id => organiser(&txn, principal, Some(o)).await?,
        _ => {
            let u = units::find(&txn, e.organiser_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let p = units::path(&u)?;
            (u, p)
        }
    };
    let (level, ends, comps) = check(&txn, &req, &path).await?;
    if let Some(cap) = req.capacity {
        let taken = store::seats_taken(&txn, id).await?;
        if u64::try_from(cap).unwrap_or(0) < taken {
            return Err(AppError::invalid(
                "capacity",
                format!("Уже записано {taken} человек: мест не может быть меньше."),
            ));
        }
    }
    let old_capacity = e.capacity;
    let mut am = e.into_active_model();
    am.organiser_id = Set(unit.id);
    am.region_id = Set(path.region);
    am.district_id = Set(path.district);
    am.municipality_id = Set(path.municipality);
    am.school_id = Set(path.school);
    am.title = Set(req.title.trim().to_owned());
    am.sort_key = Set(sort_key(&req));
    am.description = Set(clean(req.description.clone()));
    am.kind = Set(req.kind.as_str().to_owned());
    am.level = Set(level.as_str().to_owned());
    am.format = Set(req.format.as_str().to_owned());
    am.place = Set(clean(req.place.clone()));
    am.link = Set(clean(req.link.clone()));
    am.starts_on = Set(req.starts_on);
    am.ends_on = Set(ends);
    am.schedule = Set(clean(req.schedule.clone()));
    am.hours = Set(req.hours);
    am.capacity = Set(req.capacity);
    am.registration_deadline = Set(req.registration_deadline);
    am.audience_subjects = Set(json_list(&subjects(&req.audience_subjects))?);
    am.audience_levels = Set(json_list(&levels(&req.audience_levels))?);
    am.version = Set(req.version.unwrap_or(0) + 1);
    am.updated_at = Set(db::now());
    let e = am.update(&txn).await?;
    link_competencies(&txn, id, &comps).await?;
    crate::services::integration::sync::touch_event(&txn, &e).await?;
    // More seats take people from the waiting list.
    if e.capacity != old_capacity {
        super::enrol::promote(&txn, &state.base_url, &e).await?;
    }
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "event.update",
            "event",
            id,
            serde_json::json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    dto(&state.db, principal, &e).await
}

/// Publishes a draft into the calendar.
pub async fn publish(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: EventStep,
) -> AppResult<EventDto> {
    step(state, principal, id, req, EventStatus::Published).await
}

/// Cancels an event; those enrolled see it cancelled with the reason.
pub async fn cancel(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: EventStep,
) -> AppResult<EventDto> {
    step(state, principal, id, req, EventStatus::Cancelled).await
}

async fn step(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: EventStep,
    to: EventStatus,
) -> AppResult<EventDto> {
    req.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let e = load_managed(&txn, principal, id, true).await?;
    expect_version(e.version, Some(req.version))?;
    let from = status(&e)?;
    let allowed = match to {
        EventStatus::Published => from == EventStatus::Draft,
        EventStatus::Cancelled => from != EventStatus::Cancelled,
        EventStatus::Draft => false,
    };
    if !allowed {
        return Err(AppError::conflict(
            "event_status",
            format!(
                "Мероприятие в статусе «{}»: это действие недоступно.",
                from.title_ru()
            ),
        ));
    }
    let t = db::now();
    let version = e.version + 1;
    let mut am = e.into_active_model();
    am.status = Set(to.as_str().to_owned());
    am.version = Set(version);
    am.updated_at = Set(t);
    if to == EventStatus::Published {
        am.published_at = Set(Some(t));
    } else {
        am.cancelled_at = Set(Some(t));
        am.cancel_reason = Set(clean(req.reason.clone()));
    }
    let e = am.update(&txn).await?;
    crate::services::integration::sync::touch_event(&txn, &e).await?;
    if to == EventStatus::Cancelled {
        let participants: Vec<(Uuid, bool)> = store::enrolments(&txn, id)
            .await?
            .into_iter()
            .filter_map(|r| match r.status.parse::<EnrolmentStatus>() {
                Ok(EnrolmentStatus::Registered) => Some((r.person_id, false)),
                Ok(EnrolmentStatus::Waitlisted) => Some((r.person_id, true)),
                _ => None,
            })
            .collect();
        super::notify::cancelled(&txn, &state.base_url, &e, &participants).await?;
    }
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            if to == EventStatus::Published {
                "event.publish"
            } else {
                "event.cancel"
            },
            "event",
            id,
            serde_json::json!({ "reason": req.reason }),
        ),
    )
    .await?;
    txn.commit().await?;
    dto(&state.db, principal, &e).await
}

/// Ids of people for a map.
pub async fn people(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, user::Model>> {
    Ok(users::find_many(db, ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}
