//! The events-with-attendance export: one row per participant of each event in the caller's
//! calendar, filtered like the calendar.
//!
//! Events are read a page at a time by keyset (start date, id), the calendar's SQL scope
//! narrows them, and each participant row is then judged by the one policy: the event's
//! organisers see everyone on its sheet, the managers of a participant's workplace see that
//! participant (a municipal coordinator sees the municipality's teachers at a regional course).

use std::collections::HashMap;

use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};
use shared::EventLevel;
use shared::UnitKind;
use shared::access::{Links, PersonFacts};
use shared::catalogue::{EnrolmentStatus, EventKind};
use shared::dto::catalogue::EventFilter;
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::entities::{enrolment, event, org_unit, user};
use crate::db::{self, units, users};
use crate::error::AppResult;
use crate::services::catalogue::events::{self as calendar, organiser_path};

/// Events read per query (each with its whole sheet).
pub const PAGE: u64 = 100;

pub const HEADERS: &[&str] = &[
    "Мероприятие",
    "Вид",
    "Уровень",
    "Организатор",
    "Начало",
    "Окончание",
    "Часы",
    "Участник",
    "E-mail",
    "Образовательная организация",
    "Муниципалитет",
    "Статус записи",
    "Участвовал",
    "Сертификат загружен",
];

/// Units at or below `u` (the units whose managers `u`'s managers are), as a subquery of ids.
fn units_below(u: &shared::UnitPath) -> SelectStatement {
    let leaf = u.leaf();
    let c = match u.kind() {
        UnitKind::Region => Condition::all().add(org_unit::Column::RegionId.eq(leaf)),
        UnitKind::District => Condition::any()
            .add(org_unit::Column::Id.eq(leaf))
            .add(org_unit::Column::DistrictId.eq(leaf)),
        UnitKind::Municipality => Condition::any()
            .add(org_unit::Column::Id.eq(leaf))
            .add(org_unit::Column::MunicipalityId.eq(leaf)),
        UnitKind::School => Condition::all().add(org_unit::Column::Id.eq(leaf)),
    };
    Query::select()
        .column(org_unit::Column::Id)
        .from(org_unit::Entity)
        .cond_where(c)
        .to_owned()
}

/// The SQL form of "sheet rows this principal may read" (the policy remains the judge): the
/// rows of events organised in units they manage, and of people working in those units.
fn sheet_scope(principal: &Principal) -> Condition {
    let mut any = Condition::any();
    let mut some = false;
    for g in &principal.actor.grants {
        let Some(u) = g.unit else { continue };
        if !g.role.manages_unit() {
            continue;
        }
        some = true;
        let below = units_below(&u);
        any = any
            .add(
                enrolment::Column::EventId.in_subquery(
                    Query::select()
                        .column(event::Column::Id)
                        .from(event::Entity)
                        .and_where(event::Column::OrganiserId.in_subquery(below.clone()))
                        .to_owned(),
                ),
            )
            .add(
                enrolment::Column::PersonId.in_subquery(
                    Query::select()
                        .column(user::Column::Id)
                        .from(user::Entity)
                        .and_where(user::Column::WorkplaceId.in_subquery(below))
                        .to_owned(),
                ),
            );
    }
    if !some {
        return Condition::all().add(enrolment::Column::Id.is_null());
    }
    any
}

/// Events of the export: the calendar's scope and filters.
fn events(principal: &Principal, filter: &EventFilter) -> sea_orm::Select<event::Entity> {
    event::Entity::find()
        .filter(calendar::scope_condition(principal))
        .filter(calendar::filters(filter, principal))
}

/// Sheet rows of the export (cancelled registrations are not participants).
fn rows(principal: &Principal, filter: &EventFilter) -> sea_orm::Select<enrolment::Entity> {
    enrolment::Entity::find()
        .filter(enrolment::Column::Status.ne(EnrolmentStatus::Cancelled.as_str()))
        .filter(
            enrolment::Column::EventId.in_subquery(
                events(principal, filter)
                    .select_only()
                    .column(event::Column::Id)
                    .into_query(),
            ),
        )
        .filter(sheet_scope(principal))
}

/// How many rows the export will hold, counted before it streams.
pub async fn count(
    db: &impl ConnectionTrait,
    principal: &Principal,
    filter: &EventFilter,
) -> AppResult<u64> {
    Ok(rows(principal, filter).count(db).await?)
}

/// Reads the export a page of events at a time.
pub struct Pager<'a, C: ConnectionTrait> {
    db: &'a C,
    principal: &'a Principal,
    filter: &'a EventFilter,
    units: HashMap<Uuid, org_unit::Model>,
    after: Option<(chrono::NaiveDate, Uuid)>,
    done: bool,
}

impl<'a, C: ConnectionTrait> Pager<'a, C> {
    pub fn new(db: &'a C, principal: &'a Principal, filter: &'a EventFilter) -> Self {
        Self {
            db,
            principal,
            filter,
            units: HashMap::new(),
            after: None,
            done: false,
        }
    }

    /// Loads the units not cached yet, and the municipalities above them.
    async fn cache_units(&mut self, ids: impl Iterator<Item = Uuid>) -> AppResult<()> {
        let missing: Vec<Uuid> = ids.filter(|id| !self.units.contains_key(id)).collect();
        for u in units::find_many(self.db, &missing).await? {
            self.units.insert(u.id, u);
        }
        let munis: Vec<Uuid> = self
            .units
            .values()
            .filter_map(|u| u.municipality_id)
            .filter(|id| !self.units.contains_key(id))
            .collect();
        for u in units::find_many(self.db, &munis).await? {
            self.units.insert(u.id, u);
        }
        Ok(())
    }

    fn name(&self, id: Option<Uuid>) -> String {
        id.and_then(|id| self.units.get(&id))
            .map(|u| u.name.clone())
            .unwrap_or_default()
    }

    /// The next page of rows (possibly empty); `None` at the end.
    pub async fn next_page(&mut self) -> AppResult<Option<Vec<Vec<String>>>> {
        if self.done {
            return Ok(None);
        }
        let (db, principal, filter) = (self.db, self.principal, self.filter);
        let mut q = events(principal, filter)
            .order_by_asc(event::Column::StartsOn)
            .order_by_asc(event::Column::Id)
            .limit(PAGE);
        if let Some((day, id)) = self.after {
            q = q.filter(
                Condition::any().add(event::Column::StartsOn.gt(day)).add(
                    Condition::all()
                        .add(event::Column::StartsOn.eq(day))
                        .add(event::Column::Id.gt(id)),
                ),
            );
        }
        let page = q.all(db).await?;
        let Some(last) = page.last() else {
            self.done = true;
            return Ok(None);
        };
        self.after = Some((last.starts_on, last.id));
        self.done = (page.len() as u64) < PAGE;

        let mut readable = Vec::with_capacity(page.len());
        for e in page {
            if principal
                .actor
                .can_read_event(&organiser_path(&e), calendar::status(&e)?)
            {
                readable.push(e);
            }
        }
        if readable.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let sheets = rows(principal, filter)
            .filter(enrolment::Column::EventId.is_in(readable.iter().map(|e| e.id)))
            .order_by_asc(enrolment::Column::EventId)
            .order_by_asc(enrolment::Column::Position)
            .all(db)
            .await?;
        let person_ids: Vec<Uuid> = sheets.iter().map(|r| r.person_id).collect();
        let people: HashMap<Uuid, user::Model> = users::find_many(db, &person_ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        let unit_ids: Vec<Uuid> = readable
            .iter()
            .map(|e| e.organiser_id)
            .chain(people.values().filter_map(|p| p.workplace_id))
            .collect();
        self.cache_units(unit_ids.into_iter()).await?;
        let mut by_event: HashMap<Uuid, Vec<&enrolment::Model>> = HashMap::new();
        for r in &sheets {
            by_event.entry(r.event_id).or_default().push(r);
        }

        let mut out = Vec::with_capacity(sheets.len());
        for e in &readable {
            let organiser = organiser_path(e);
            let kind = db::parse_code::<EventKind>(&e.kind)?.title_ru();
            let level = db::parse_code::<EventLevel>(&e.level)?.title_ru();
            for r in by_event.get(&e.id).into_iter().flatten() {
                let person = people.get(&r.person_id);
                let workplace = person
                    .and_then(|p| p.workplace_id)
                    .and_then(|w| self.units.get(&w));
                let facts = PersonFacts {
                    id: r.person_id,
                    workplace: workplace.map(units::path).transpose()?,
                    links: Links::default(),
                };
                if !principal.actor.can_read_attendance(&organiser, &facts) {
                    continue;
                }
                let status: EnrolmentStatus = db::parse_code(&r.status)?;
                // A municipality's own staff work in it; a school's sit one level below.
                let municipality = workplace.and_then(|w| {
                    if w.kind == UnitKind::Municipality.as_str() {
                        Some(w.id)
                    } else {
                        w.municipality_id
                    }
                });
                out.push(vec![
                    e.title.clone(),
                    kind.to_owned(),
                    level.to_owned(),
                    self.name(Some(e.organiser_id)),
                    super::exports::date(e.starts_on),
                    super::exports::date(e.ends_on),
                    e.hours.map(super::card::format_number).unwrap_or_default(),
                    person
                        .map(|p| {
                            shared::text::full_name(
                                &p.surname,
                                &p.first_name,
                                p.patronymic.as_deref(),
                            )
                        })
                        .unwrap_or_default(),
                    person.map(|p| p.email.clone()).unwrap_or_default(),
                    workplace
                        .filter(|w| w.kind == UnitKind::School.as_str())
                        .map(|w| w.name.clone())
                        .unwrap_or_default(),
                    self.name(municipality),
                    status.title_ru().to_owned(),
                    yes_no(status == EnrolmentStatus::Attended),
                    yes_no(r.certificate_key.is_some()),
                ]);
            }
        }
        Ok(Some(out))
    }
}

fn yes_no(v: bool) -> String {
    if v { "да" } else { "нет" }.to_owned()
}
