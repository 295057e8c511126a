//! The catalogue of educational events: kinds, formats, statuses, and the pure rules — which
//! levels an organiser publishes at, how enrolment fills seats, how events are ranked for a
//! teacher's deficits.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::levels::EventLevel;
use crate::org::{UnitKind, UnitPath};

domain_enum! {
    /// What kind of educational event it is.
    pub enum EventKind {
        Course => ("course", "Курсы повышения квалификации"),
        Seminar => ("seminar", "Семинар"),
        Webinar => ("webinar", "Вебинар"),
        Conference => ("conference", "Конференция"),
        Internship => ("internship", "Стажировка"),
        MasterClass => ("master_class", "Мастер-класс"),
        MethodAssociation => ("method_association", "Заседание методического объединения"),
        OpenLesson => ("open_lesson", "Открытый урок"),
        LessonVisit => ("lesson_visit", "Взаимопосещение уроков"),
        Contest => ("contest", "Конкурс"),
        SelfStudy => ("self_study", "Ресурс для самообразования"),
    }
}

domain_enum! {
    /// How people take part.
    pub enum EventFormat {
        Online => ("online", "Дистанционно"),
        Onsite => ("onsite", "Очно"),
        Mixed => ("mixed", "Смешанный"),
    }
}

domain_enum! {
    /// Where an event stands in the calendar.
    pub enum EventStatus {
        Draft => ("draft", "Черновик"),
        Published => ("published", "Опубликовано"),
        Cancelled => ("cancelled", "Отменено"),
    }
}

domain_enum! {
    /// A person's place on an event.
    pub enum EnrolmentStatus {
        Registered => ("registered", "Записан"),
        Waitlisted => ("waitlisted", "В листе ожидания"),
        Cancelled => ("cancelled", "Запись отменена"),
        Attended => ("attended", "Участвовал"),
        Absent => ("absent", "Не участвовал"),
    }
}

domain_enum! {
    /// The school level an event is meant for.
    pub enum SchoolLevel {
        Preschool => ("preschool", "Дошкольное образование"),
        Primary => ("primary", "Начальное общее (1–4 классы)"),
        Basic => ("basic", "Основное общее (5–9 классы)"),
        Secondary => ("secondary", "Среднее общее (10–11 классы)"),
        Additional => ("additional", "Дополнительное образование"),
    }
}

impl EnrolmentStatus {
    /// Whether the status takes one of the event's seats.
    pub const fn holds_seat(self) -> bool {
        matches!(
            self,
            EnrolmentStatus::Registered | EnrolmentStatus::Attended | EnrolmentStatus::Absent
        )
    }

    /// Where the person stands on the event, whatever the attendance.
    pub const fn place(self) -> EnrolmentPlace {
        match self {
            EnrolmentStatus::Waitlisted => EnrolmentPlace::Waiting,
            EnrolmentStatus::Cancelled => EnrolmentPlace::Cancelled,
            EnrolmentStatus::Registered | EnrolmentStatus::Attended | EnrolmentStatus::Absent => {
                EnrolmentPlace::Registered
            }
        }
    }

    /// What the organiser marked: took part, did not, or nothing yet.
    pub const fn attended(self) -> Option<bool> {
        match self {
            EnrolmentStatus::Attended => Some(true),
            EnrolmentStatus::Absent => Some(false),
            _ => None,
        }
    }
}

domain_enum! {
    /// A person's place on an event, as integrations read it (attendance apart).
    pub enum EnrolmentPlace {
        Registered => ("registered", "Записан"),
        Waiting => ("waiting", "В листе ожидания"),
        Cancelled => ("cancelled", "Запись отменена"),
    }
}

/// The levels an organiser of `kind` publishes at: a school its own events, a municipality or
/// district municipal ones, the region regional ones and federal ones it relays.
pub const fn levels_for_organiser(kind: UnitKind) -> &'static [EventLevel] {
    match kind {
        UnitKind::School => &[EventLevel::Institutional],
        UnitKind::Municipality | UnitKind::District => &[EventLevel::Municipal],
        UnitKind::Region => &[EventLevel::Regional, EventLevel::Federal],
    }
}

/// The default level of an event organised by a unit of `kind`.
pub const fn default_level(kind: UnitKind) -> EventLevel {
    levels_for_organiser(kind)[0]
}

/// Whether an event organised at `organiser` is in the calendar of someone working at `unit`:
/// events of the unit itself and of every unit above it (a school's teacher sees the school's,
/// the municipality's and the region's events), and everything below it (a municipality sees
/// its schools' events). A school's internal events stay inside the school.
pub fn event_visible_from(organiser: &UnitPath, unit: &UnitPath) -> bool {
    unit.contains(organiser) || organiser.contains(unit)
}

/// What registration gives when `taken` seats of `capacity` are held (`None`: unlimited).
pub fn place_for_new(capacity: Option<i32>, taken: u64) -> EnrolmentStatus {
    match capacity {
        Some(c) if taken >= u64::try_from(c.max(0)).unwrap_or(0) => EnrolmentStatus::Waitlisted,
        _ => EnrolmentStatus::Registered,
    }
}

/// Free seats (`None`: unlimited).
pub fn free_seats(capacity: Option<i32>, taken: u64) -> Option<u64> {
    capacity.map(|c| u64::try_from(c.max(0)).unwrap_or(0).saturating_sub(taken))
}

/// How close an event's organiser is to the teacher: the teacher's own school first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Proximity {
    School,
    Municipality,
    District,
    Region,
    /// Another region or a federal organiser.
    Elsewhere,
}

impl Proximity {
    pub fn of(organiser: &UnitPath, teacher: &UnitPath) -> Proximity {
        match organiser.kind() {
            UnitKind::School if organiser.school == teacher.school => Proximity::School,
            UnitKind::Municipality if organiser.municipality == teacher.municipality => {
                Proximity::Municipality
            }
            UnitKind::District
                if organiser.district.is_some() && organiser.district == teacher.district =>
            {
                Proximity::District
            }
            UnitKind::Region if organiser.region == teacher.region => Proximity::Region,
            _ => Proximity::Elsewhere,
        }
    }

    pub const fn title_ru(self) -> &'static str {
        match self {
            Proximity::School => "Мероприятие вашей образовательной организации",
            Proximity::Municipality => "Мероприятие вашего муниципалитета",
            Proximity::District => "Мероприятие вашего методического округа",
            Proximity::Region => "Региональное мероприятие",
            Proximity::Elsewhere => "Мероприятие другого организатора",
        }
    }
}

/// A deficit the teacher has, in the competency it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub deficit_id: Uuid,
    pub competency_id: Uuid,
    pub title: String,
}

/// An event as a candidate for recommendation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: Uuid,
    pub organiser: UnitPath,
    pub competencies: Vec<Uuid>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub registration_deadline: Option<NaiveDate>,
    pub free_seats: Option<u64>,
}

/// Why an event is recommended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub event_id: Uuid,
    /// The teacher's deficits the event covers (its competencies meet theirs), in the needs' order.
    pub covers: Vec<Uuid>,
    pub proximity: Proximity,
    /// Seats left, or no limit.
    pub has_seats: bool,
    /// The event's dates lie inside the route's period (true without a route).
    pub in_period: bool,
    /// Higher is better; for showing, the order is what counts.
    pub score: i64,
}

/// Ranks upcoming events for a teacher's needs: only events that develop a competency in
/// deficit, still open for registration on `today`; then by how many deficits they cover, the
/// organiser's closeness (own school, municipality, district, region), free seats, dates inside
/// the route's period, the earliest start and finally the id, so equal inputs give equal lists.
pub fn rank(
    needs: &[Need],
    teacher: &UnitPath,
    period: Option<(NaiveDate, NaiveDate)>,
    today: NaiveDate,
    events: &[Candidate],
) -> Vec<Ranked> {
    let mut out: Vec<(Ranked, NaiveDate)> = events
        .iter()
        .filter(|e| e.ends_on >= today && e.registration_deadline.is_none_or(|d| d >= today))
        .filter_map(|e| {
            let mut covers: Vec<Uuid> = Vec::new();
            for n in needs {
                if e.competencies.contains(&n.competency_id) && !covers.contains(&n.deficit_id) {
                    covers.push(n.deficit_id);
                }
            }
            if covers.is_empty() {
                return None;
            }
            let proximity = Proximity::of(&e.organiser, teacher);
            let has_seats = e.free_seats.is_none_or(|s| s > 0);
            let in_period = period.is_none_or(|(s, f)| e.starts_on >= s && e.ends_on <= f);
            let closeness = 4 - proximity as i64;
            let score = i64::try_from(covers.len()).unwrap_or(0) * 1000
                + closeness * 100
                + i64::from(has_seats) * 20
                + i64::from(in_period) * 10;
            Some((
                Ranked {
                    event_id: e.id,
                    covers,
                    proximity,
                    has_seats,
                    in_period,
                    score,
                },
                e.starts_on,
            ))
        })
        .collect();
    out.sort_by(|(a, sa), (b, sb)| {
        b.covers
            .len()
            .cmp(&a.covers.len())
            .then(a.proximity.cmp(&b.proximity))
            .then(b.has_seats.cmp(&a.has_seats))
            .then(b.in_period.cmp(&a.in_period))
            .then(sa.cmp(sb))
            .then(a.event_id.cmp(&b.event_id))
    });
    out.into_iter().map(|(r, _)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap_or_default()
    }

    #[test]
    fn attendance_keeps_the_seat_and_is_reported_apart() {
        use EnrolmentStatus::*;
        assert_eq!(Registered.place(), EnrolmentPlace::Registered);
        assert_eq!(Attended.place(), EnrolmentPlace::Registered);
        assert_eq!(Absent.place(), EnrolmentPlace::Registered);
        assert_eq!(Waitlisted.place(), EnrolmentPlace::Waiting);
        assert_eq!(Cancelled.place(), EnrolmentPlace::Cancelled);
        assert_eq!(Attended.attended(), Some(true));
        assert_eq!(Absent.attended(), Some(false));
        assert_eq!(Registered.attended(), None);
        assert_eq!(EnrolmentPlace::Waiting.as_str(), "waiting");
    }

    fn paths() -> (UnitPath, UnitPath, UnitPath, UnitPath) {
        let region = UnitPath::region(Uuid::from_u128(1));
        let muni = UnitPath {
            municipality: Some(Uuid::from_u128(10)),
            ..region
        };
        let school = UnitPath {
            school: Some(Uuid::from_u128(11)),
            ..muni
        };
        let other_school = UnitPath {
            school: Some(Uuid::from_u128(12)),
            ..muni
        };
        (region, muni, school, other_school)
    }

    fn need(n: u128, comp: u128) -> Need {
        Need {
            deficit_id: Uuid::from_u128(500 + n),
            competency_id: Uuid::from_u128(comp),
            title: format!("Дефицит {n}"),
        }
    }

    fn event(id: u128, organiser: UnitPath, comps: &[u128], start: NaiveDate) -> Candidate {
        Candidate {
            id: Uuid::from_u128(id),
            organiser,
            competencies: comps.iter().map(|c| Uuid::from_u128(*c)).collect(),
            starts_on: start,
            ends_on: start,
            registration_deadline: None,
            free_seats: None,
        }
    }

    #[test]
    fn events_covering_more_deficits_come_first_then_closer_organisers() {
        let (region, muni, school, _) = paths();
        let needs = [need(1, 100), need(2, 200)];
        let events = [
            event(1, region, &[100], d(10, 1)),
            event(2, school, &[100], d(10, 20)),
            event(3, region, &[100, 200], d(11, 1)),
            event(4, muni, &[100], d(10, 5)),
            event(5, school, &[300], d(10, 1)),
        ];
        let ranked = rank(&needs, &school, None, d(9, 1), &events);
        let ids: Vec<u128> = ranked.iter().map(|r| r.event_id.as_u128()).collect();
        assert_eq!(ids, [3, 2, 4, 1], "event 5 covers no deficit");
        assert_eq!(ranked[0].covers.len(), 2);
        assert_eq!(ranked[1].proximity, Proximity::School);
        assert_eq!(ranked[2].proximity, Proximity::Municipality);
    }

    #[test]
    fn past_events_and_closed_registration_are_left_out() {
        let (region, _, school, _) = paths();
        let needs = [need(1, 100)];
        let mut closed = event(2, region, &[100], d(10, 1));
        closed.registration_deadline = Some(d(9, 10));
        let events = [event(1, region, &[100], d(9, 1)), closed];
        assert!(rank(&needs, &school, None, d(9, 15), &events).is_empty());
        assert_eq!(rank(&needs, &school, None, d(9, 1), &events).len(), 2);
    }

    #[test]
    fn free_seats_and_dates_inside_the_route_break_ties() {
        let (region, _, school, _) = paths();
        let needs = [need(1, 100)];
        let mut full = event(1, region, &[100], d(10, 1));
        full.free_seats = Some(0);
        let outside = event(2, region, &[100], d(12, 20));
        let good = event(3, region, &[100], d(11, 1));
        let period = Some((d(9, 1), d(12, 1)));
        let ranked = rank(&needs, &school, period, d(9, 1), &[full, outside, good]);
        let ids: Vec<u128> = ranked.iter().map(|r| r.event_id.as_u128()).collect();
        assert_eq!(ids, [3, 2, 1]);
        assert!(!ranked[2].has_seats);
        assert!(!ranked[1].in_period);
    }

    #[test]
    fn ranking_is_deterministic_whatever_the_input_order() {
        let (region, muni, school, _) = paths();
        let needs = [need(1, 100)];
        let a = [
            event(7, region, &[100], d(10, 1)),
            event(3, region, &[100], d(10, 1)),
            event(5, muni, &[100], d(10, 1)),
        ];
        let mut b = a.clone();
        b.reverse();
        let ra = rank(&needs, &school, None, d(9, 1), &a);
        assert_eq!(ra, rank(&needs, &school, None, d(9, 1), &b));
        let ids: Vec<u128> = ra.iter().map(|r| r.event_id.as_u128()).collect();
        assert_eq!(ids, [5, 3, 7]);
    }

    #[test]
    fn a_schools_internal_events_are_not_visible_to_another_school() {
        let (region, muni, school, other) = paths();
        assert!(event_visible_from(&school, &school));
        assert!(!event_visible_from(&school, &other));
        assert!(event_visible_from(&muni, &other));
        assert!(event_visible_from(&region, &school));
        assert!(
            event_visible_from(&school, &muni),
            "the municipality sees its schools"
        );
    }

    #[test]
    fn registration_waitlists_once_the_seats_are_taken() {
        assert_eq!(place_for_new(Some(5), 4), EnrolmentStatus::Registered);
        assert_eq!(place_for_new(Some(5), 5), EnrolmentStatus::Waitlisted);
        assert_eq!(place_for_new(None, 500), EnrolmentStatus::Registered);
        assert_eq!(free_seats(Some(5), 7), Some(0));
        assert!(EnrolmentStatus::Attended.holds_seat());
        assert!(!EnrolmentStatus::Waitlisted.holds_seat());
    }

    #[test]
    fn organisers_publish_at_their_own_level() {
        assert_eq!(
            levels_for_organiser(UnitKind::School),
            &[EventLevel::Institutional]
        );
        assert!(levels_for_organiser(UnitKind::Region).contains(&EventLevel::Federal));
        assert_eq!(default_level(UnitKind::District), EventLevel::Municipal);
    }
}
