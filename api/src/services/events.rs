//! The stream of domain events: every fact is recorded once with [`record`], in the caller's
//! transaction, so it exists exactly when the change it reports was committed.
//!
//! Consumers run on the job queue. Recording an event enqueues its [`NOTIFY`] job in the same
//! transaction; the job works out who is told (through the access policy, as of the event) and
//! writes their notifications in one transaction, each under the unique key (event, recipient,
//! channel). So however many instances run the queue, and if a worker dies after writing and
//! before marking the job done (the job then runs again when its lease ends), every notification
//! exists once.

use std::collections::{BTreeMap, HashMap};

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    QuerySelect, Set, Statement,
};
use shared::access::RouteFacts;
use shared::events::{EventKind, Reminder, RouteNote, route_audience, route_notice};
use shared::workflow::Participant;
use shared::{Role, RouteStatus};
use uuid::Uuid;

use crate::auth::principal;
use crate::db::entities::{domain_event, notification, role_grant, route, sync_state, user};
use crate::db::{self, assignments, jobs, units, users};

/// The job kind that turns one event into notifications.
pub const NOTIFY: &str = "events.notify";
/// The channel of notices read in the platform.
pub const PLATFORM: &str = "platform";
/// The channel of letters: a row per (event, recipient) makes each letter go once.
pub const EMAIL: &str = "email";
/// The outbox kind of a notice letter.
pub const LETTER: &str = "notification";

/// What the notice job needs to write letters.
#[derive(Clone)]
pub struct LetterSettings {
    /// Where the web application is reached; links in letters start with it.
    pub base_url: String,
    /// The configured signing secret (otherwise the one the server keeps in the database).
    pub secret: Option<secrecy::SecretString>,
}

impl LetterSettings {
    pub fn from_settings(settings: &crate::config::Settings) -> Self {
        LetterSettings {
            base_url: settings
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", settings.bind)),
            secret: settings.jwt_secret.clone(),
        }
    }
}

/// A fact to record.
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: EventKind,
    pub actor_id: Option<Uuid>,
    pub route_id: Option<Uuid>,
    /// The person the fact is about (the route's teacher).
    pub person_id: Option<Uuid>,
    /// The unit it happened in (the route's school).
    pub unit_id: Option<Uuid>,
    pub payload: serde_json::Value,
}

impl Event {
    /// A fact about a route, by `actor`.
    pub fn route(
        kind: EventKind,
        actor: Uuid,
        r: &route::Model,
        payload: serde_json::Value,
    ) -> Self {
        Event {
            kind,
            actor_id: Some(actor),
            route_id: Some(r.id),
            person_id: Some(r.teacher_id),
            unit_id: Some(r.school_id),
            payload,
        }
    }
}

/// Records `event` in the caller's transaction and enqueues its consumers; returns its id.
pub async fn record(db: &impl ConnectionTrait, event: Event) -> Result<Uuid, DbErr> {
    let id = db::new_id();
    write(db, id, event).await?;
    Ok(id)
}

/// Records `event` under an id derived from `key`, once: a second call with the same key (a
/// rerun of a scan, another instance's scan of the same day) records nothing and returns
/// `false`. In the caller's transaction, with its consumers, like [`record`].
pub async fn record_once(
    db: &impl ConnectionTrait,
    key: &str,
    event: Event,
) -> Result<bool, DbErr> {
    write(db, once_id(key), event).await
}

/// The id an event recorded once under `key` has.
fn once_id(key: &str) -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_OID, format!("event:{key}").as_bytes())
}

/// Writes the event row under `id` with its notice job; `false` (and no job) when an event
/// with that id exists.
async fn write(db: &impl ConnectionTrait, id: Uuid, event: Event) -> Result<bool, DbErr> {
    let t = db::now();
    let written = domain_event::Entity::insert(domain_event::ActiveModel {
        id: Set(id),
        seq: Set(None),
        kind: Set(event.kind.as_str().to_owned()),
        occurred_at: Set(t),
        actor_id: Set(event.actor_id),
        route_id: Set(event.route_id),
        person_id: Set(event.person_id),
        unit_id: Set(event.unit_id),
        payload: Set(event.payload.to_string()),
    })
    .on_conflict(
        OnConflict::column(domain_event::Column::Id)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if written == 0 {
        return Ok(false);
    }
    jobs::enqueue(db, NOTIFY, &serde_json::json!({ "event_id": id }), t, 5).await?;
    Ok(true)
}

/// Numbers the committed events not numbered yet, in order, under the stream's lock (the same
/// scheme as the sync feed): a consumer that has read up to position N never later finds a
/// committed event below N.
pub async fn sequence(db: &DatabaseConnection) -> Result<(), DbErr> {
    const BATCH: i64 = 10_000;
    let backend = db.get_database_backend();
    loop {
        let txn = db::begin_write(db).await?;
        let Some(state) = sync_state::Entity::find_by_id("events".to_owned())
            .lock_exclusive()
            .one(&txn)
            .await?
        else {
            return Err(DbErr::RecordNotFound("the events' sequence".into()));
        };
        let sql = match backend {
            DbBackend::Postgres => format!(
                "WITH locked AS (
                    SELECT id, occurred_at FROM domain_events WHERE seq IS NULL
                    ORDER BY occurred_at, id LIMIT {BATCH} FOR UPDATE SKIP LOCKED),
                 numbered AS (
                    SELECT id, row_number() OVER (ORDER BY occurred_at, id) AS rn FROM locked)
                 UPDATE domain_events e SET seq = $1 + n.rn - 1 FROM numbered n WHERE e.id = n.id"
            ),
            _ => format!(
                "WITH numbered AS (
                    SELECT id, row_number() OVER (ORDER BY occurred_at, id) AS rn
                    FROM domain_events WHERE seq IS NULL ORDER BY occurred_at, id LIMIT {BATCH})
                 UPDATE domain_events SET seq = $1 + numbered.rn - 1 FROM numbered
                 WHERE domain_events.id = numbered.id"
            ),
        };
        let numbered = txn
            .execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [state.next_seq.into()],
            ))
            .await?
            .rows_affected();
        let numbered = i64::try_from(numbered).unwrap_or(0);
        if numbered > 0 {
            sync_state::Entity::update_many()
                .col_expr(
                    sync_state::Column::NextSeq,
                    Expr::value(state.next_seq + numbered),
                )
                .filter(sync_state::Column::Name.eq("events"))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        if numbered < BATCH {
            return Ok(());
        }
    }
}

/// One notice for one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub recipient: Uuid,
    pub text: String,
    pub link: Option<String>,
    pub needs_action: bool,
}

/// The job: the notifications of one event.
pub async fn notify_job(
    db: DatabaseConnection,
    letters: LetterSettings,
    payload: serde_json::Value,
) -> anyhow::Result<()> {
    let id: Uuid = serde_json::from_value(payload["event_id"].clone())?;
    sequence(&db).await?;
    let Some(event) = domain_event::Entity::find_by_id(id).one(&db).await? else {
        return Ok(());
    };
    let notices = notices(&db, &event).await?;
    if notices.is_empty() {
        return Ok(());
    }
    let txn = db::begin_write(&db).await?;
    deliver(&txn, &event, &notices).await?;
    send_letters(&txn, &letters, &event, &notices)
        .await
        .map_err(|e| anyhow::anyhow!("writing letters: {e:?}"))?;
    txn.commit().await?;
    Ok(())
}

/// Queues a letter for each notice whose recipient wants its kind by e-mail, in the notices'
/// transaction. The (event, recipient, `email`) row is the letter's key: a repeated run finds it
/// and queues nothing. Deactivated people get no letter.
pub async fn send_letters(
    db: &impl ConnectionTrait,
    letters: &LetterSettings,
    event: &domain_event::Model,
    notices: &[Notice],
) -> crate::error::AppResult<()> {
    use crate::services::{mail, notification_settings as ns};
    use shared::events::{NoticeChannel, NoticeKind, letter_body, letter_subject};
    let Ok(kind) = event.kind.parse::<EventKind>() else {
        return Ok(());
    };
    let mut secret = None;
    let title = match event.route_id {
        Some(id) => crate::db::routes::find(db, id)
            .await?
            .map(|r| r.title)
            .unwrap_or_default(),
        None => String::new(),
    };
    let people: HashMap<Uuid, user::Model> =
        users::find_many(db, &notices.iter().map(|n| n.recipient).collect::<Vec<_>>())
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
    let t = db::now();
    for n in notices {
        let Some(person) = people.get(&n.recipient).filter(|u| u.active) else {
            continue;
        };
        let what = NoticeKind::of(kind, n.needs_action);
        let wanted = ns::channels(db, person.id)
            .await?
            .into_iter()
            .any(|(k, c)| k == what && c == NoticeChannel::Email);
        if !wanted || person.email.trim().is_empty() {
            continue;
        }
        let link = format!(
            "{}{}",
            letters.base_url,
            n.link.as_deref().unwrap_or("/notifications")
        );
        let row = NoticeRow {
            recipient: n.recipient,
            event_id: event.id,
            channel: EMAIL,
            kind: &event.kind,
            text: &n.text,
            link: Some(link.clone()),
            route_id: event.route_id,
            needs_action: n.needs_action,
            // A letter is nothing to read in the platform.
            read: true,
        };
        if !write_once(db, row).await? {
            continue;
        }
        let secret = match &secret {
            Some(s) => s,
            None => secret.insert(ns::server_secret(db, letters.secret.as_ref()).await?),
        };
        let token = ns::unsubscribe_token(secret, person.id, what);
        let unsubscribe = format!("{}/unsubscribe/{token}", letters.base_url);
        let one_click = format!("{}/api/v1/unsubscribe/{token}", letters.base_url);
        // A letter due in the person's quiet hours waits until they end.
        let send_at = ns::send_at(db, person.id, t).await?;
        mail::enqueue_letter_at(
            db,
            mail::Letter {
                user_id: Some(person.id),
                kind: LETTER,
                to: &person.email,
                subject: &letter_subject(what, &title),
                body: &letter_body(&n.text, &link, what, &unsubscribe),
                secret: Some(&token),
                list_unsubscribe: Some(&one_click),
            },
            send_at,
        )
        .await?;
    }
    Ok(())
}

/// Writes the notices of `event`; one already written (a repeated run) is left as it is.
pub async fn deliver(
    db: &impl ConnectionTrait,
    event: &domain_event::Model,
    notices: &[Notice],
) -> Result<(), DbErr> {
    for n in notices {
        let row = NoticeRow {
            recipient: n.recipient,
            event_id: event.id,
            channel: PLATFORM,
            kind: &event.kind,
            text: &n.text,
            link: n.link.clone(),
            route_id: event.route_id,
            needs_action: n.needs_action,
            read: false,
        };
        write_once(db, row).await?;
    }
    Ok(())
}

/// A notice as one channel carries it: a row per (event, recipient, channel).
pub(crate) struct NoticeRow<'a> {
    pub recipient: Uuid,
    pub event_id: Uuid,
    pub channel: &'a str,
    pub kind: &'a str,
    pub text: &'a str,
    pub link: Option<String>,
    pub route_id: Option<Uuid>,
    pub needs_action: bool,
    /// Written as read: a letter or a digest entry is nothing to read in the platform.
    pub read: bool,
}

/// Writes `row` unless the channel carried the event to the recipient already; whether it was
/// written now. The unique key is what makes every channel deliver once.
pub(crate) async fn write_once(
    db: &impl ConnectionTrait,
    row: NoticeRow<'_>,
) -> Result<bool, DbErr> {
    let t = db::now();
    let written = notification::Entity::insert(notification::ActiveModel {
        id: Set(db::new_id()),
        recipient_id: Set(row.recipient),
        event_id: Set(row.event_id),
        channel: Set(row.channel.to_owned()),
        kind: Set(row.kind.to_owned()),
        text: Set(row.text.to_owned()),
        link: Set(row.link),
        route_id: Set(row.route_id),
        needs_action: Set(row.needs_action),
        read_at: Set(row.read.then_some(t)),
        created_at: Set(t),
        updated_at: Set(t),
    })
    .on_conflict(
        OnConflict::columns([
            notification::Column::EventId,
            notification::Column::RecipientId,
            notification::Column::Channel,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(written > 0)
}

/// Writes one notice of the event `event_id` and returns its id (for seeding and tests).
pub async fn deliver_one(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    notice: Notice,
) -> Result<Uuid, DbErr> {
    let event = domain_event::Entity::find_by_id(event_id)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the event".into()))?;
    deliver(db, &event, std::slice::from_ref(&notice)).await?;
    notification::Entity::find()
        .filter(notification::Column::EventId.eq(event_id))
        .filter(notification::Column::RecipientId.eq(notice.recipient))
        .filter(notification::Column::Channel.eq(PLATFORM))
        .select_only()
        .column(notification::Column::Id)
        .into_tuple::<Uuid>()
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the notice".into()))
}

/// Who is told of `event`, and what.
pub async fn notices(
    db: &impl ConnectionTrait,
    event: &domain_event::Model,
) -> anyhow::Result<Vec<Notice>> {
    let Ok(kind) = event.kind.parse::<EventKind>() else {
        return Ok(Vec::new());
    };
    if kind == EventKind::SummaryWeekly {
        return personal_summary(db, event).await;
    }
    if kind == EventKind::AttestationDue {
        return attestation_notices(db, event).await;
    }
    if matches!(
        kind,
        EventKind::ProductRecommended | EventKind::ProductWithdrawn
    ) {
        return product_notices(kind, event);
    }
    let Some(route_id) = event.route_id else {
        return Ok(Vec::new());
    };
    let Some(r) = crate::db::routes::find(db, route_id).await? else {
        return Ok(Vec::new());
    };
    let payload: serde_json::Value = serde_json::from_str(&event.payload).unwrap_or_default();
    // The route as it was when the fact happened: it may have moved on since.
    let to: RouteStatus = payload["to"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or(db::parse_code(&r.status)?);
    let audiences = route_audience(kind, to);
    if audiences.is_empty() {
        return Ok(Vec::new());
    }
    let Some(school) = units::find(db, r.school_id).await? else {
        return Ok(Vec::new());
    };
    let place = units::path(&school)?;

    // Candidates: the teacher, the staff linked to them, and whoever holds a school role over
    // the school; the policy then says which part each plays.
    let mut candidates: Vec<Uuid> = vec![r.teacher_id];
    candidates.extend(
        assignments::for_teacher(db, r.teacher_id)
            .await?
            .into_iter()
            .map(|a| a.staff_id),
    );
    let roles: Vec<&str> = audiences
        .iter()
        .flat_map(|a| a.parts.iter())
        .filter_map(|p| role_of(*p))
        .map(Role::as_str)
        .collect();
    if !roles.is_empty() {
        let unit_ids: Vec<Uuid> = [
            place.school,
            place.municipality,
            place.district,
            Some(place.region),
        ]
        .into_iter()
        .flatten()
        .collect();
        candidates.extend(
            role_grant::Entity::find()
                .filter(role_grant::Column::UnitId.is_in(unit_ids))
                .filter(role_grant::Column::Role.is_in(roles))
                .select_only()
                .column(role_grant::Column::UserId)
                .into_tuple::<Uuid>()
                .all(db)
                .await?,
        );
    }
    candidates.sort();
    candidates.dedup();
    candidates.retain(|id| Some(*id) != event.actor_id);

    let people: HashMap<Uuid, user::Model> = users::find_many(db, &candidates)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| (u.id, u))
        .collect();
    let mut parts: Vec<(Uuid, Vec<Participant>)> = Vec::new();
    for id in &candidates {
        let Some(u) = people.get(id) else { continue };
        let p = principal::load(db, u.clone())
            .await
            .map_err(|e| anyhow::anyhow!("loading a recipient: {e:?}"))?;
        let facts = RouteFacts {
            owner: r.teacher_id,
            school: place,
            status: to,
            links: assignments::links(db, *id, r.teacher_id).await?,
        };
        let played = p.actor.participation(&facts);
        if !played.is_empty() {
            parts.push((*id, played));
        }
    }

    // Each audience: those playing the first of its parts that somebody plays.
    let mut chosen: BTreeMap<Uuid, bool> = BTreeMap::new();
    for audience in &audiences {
        let Some(part) = audience
            .parts
            .iter()
            .find(|part| parts.iter().any(|(_, p)| p.contains(part)))
        else {
            continue;
        };
        for (id, _) in parts.iter().filter(|(_, p)| p.contains(part)) {
            *chosen.entry(*id).or_default() |= audience.needs_action;
        }
    }
    if chosen.is_empty() {
        return Ok(Vec::new());
    }
    let name = |u: &user::Model| {
        shared::text::short_name(&u.surname, &u.first_name, u.patronymic.as_deref())
    };
    let names: HashMap<Uuid, String> = users::find_many(
        db,
        &[Some(r.teacher_id), event.actor_id]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>(),
    )
    .await?
    .iter()
    .map(|u| (u.id, name(u)))
    .collect();
    let teacher = names.get(&r.teacher_id).cloned().unwrap_or_default();
    let actor = event
        .actor_id
        .and_then(|a| names.get(&a).cloned())
        .unwrap_or_default();
    let note = RouteNote {
        title: &r.title,
        teacher: &teacher,
        actor: &actor,
        comment: payload["comment"].as_str(),
        reminder: Reminder {
            activity: payload["activity"].as_str(),
            date: payload["date"].as_str().and_then(|d| d.parse().ok()),
            days: payload["days"].as_i64(),
            waiting_in: payload["waiting_in"].as_str().and_then(|s| s.parse().ok()),
        },
    };
    Ok(chosen
        .into_iter()
        .map(|(recipient, asked)| Notice {
            recipient,
            text: route_notice(kind, to, asked, &note),
            link: Some(format!("/routes/{}", r.id)),
            needs_action: asked,
        })
        .collect())
}

/// A weekly summary goes to the person it sums up for, if still active.
async fn personal_summary(
    db: &impl ConnectionTrait,
    event: &domain_event::Model,
) -> anyhow::Result<Vec<Notice>> {
    let Some(person) = event.person_id else {
        return Ok(Vec::new());
    };
    if !users::find_many(db, &[person])
        .await?
        .iter()
        .any(|u| u.active)
    {
        return Ok(Vec::new());
    }
    let summary: shared::events::WeeklySummary = serde_json::from_str(&event.payload)?;
    Ok(vec![Notice {
        recipient: person,
        text: summary.text(),
        link: Some("/".to_owned()),
        needs_action: false,
    }])
}

/// A teacher's category runs out soon: the teacher, and the coordinators of their school.
async fn attestation_notices(
    db: &impl ConnectionTrait,
    event: &domain_event::Model,
) -> anyhow::Result<Vec<Notice>> {
    use shared::attestation::{coordinator_notice, teacher_notice};
    let Some(person) = event.person_id else {
        return Ok(Vec::new());
    };
    let Some(teacher) = users::find(db, person).await?.filter(|u| u.active) else {
        return Ok(Vec::new());
    };
    let payload: serde_json::Value = serde_json::from_str(&event.payload)?;
    let (Some(days), Some(until)) = (
        payload["days"].as_i64(),
        payload["until"]
            .as_str()
            .and_then(|d| d.parse::<chrono::NaiveDate>().ok()),
    ) else {
        return Ok(Vec::new());
    };
    let current = payload["training_current"].as_bool().unwrap_or(false);
    let mut out = vec![Notice {
        recipient: person,
        text: teacher_notice(days, until, current),
        link: Some("/profile#attestation".to_owned()),
        needs_action: true,
    }];
    if let Some(school) = teacher.workplace_id {
        let name = shared::text::short_name(
            &teacher.surname,
            &teacher.first_name,
            teacher.patronymic.as_deref(),
        );
        let coordinators: Vec<Uuid> = role_grant::Entity::find()
            .filter(role_grant::Column::UnitId.eq(school))
            .filter(role_grant::Column::Role.eq(Role::SchoolCoordinator.as_str()))
            .select_only()
            .column(role_grant::Column::UserId)
            .into_tuple::<Uuid>()
            .all(db)
            .await?;
        for c in users::find_many(db, &coordinators).await? {
            if c.active && c.id != person {
                out.push(Notice {
                    recipient: c.id,
                    text: coordinator_notice(&name, days, until, current),
                    link: Some(format!("/admin/people/{person}")),
                    needs_action: false,
                });
            }
        }
    }
    Ok(out)
}

/// A product recommended to a teacher (they are told), or taken off the bank by someone other
/// than its author (the author is told).
fn product_notices(kind: EventKind, event: &domain_event::Model) -> anyhow::Result<Vec<Notice>> {
    let Some(person) = event.person_id else {
        return Ok(Vec::new());
    };
    let payload: serde_json::Value = serde_json::from_str(&event.payload)?;
    let title = payload["title"].as_str().unwrap_or_default();
    let link = payload["bank_product_id"]
        .as_str()
        .map(|id| format!("/bank/{id}"));
    let text = match kind {
        EventKind::ProductRecommended => {
            let by = payload["by"].as_str().unwrap_or("Коллега");
            shared::bank::recommended_notice(by, title, payload["note"].as_str())
        }
        EventKind::ProductWithdrawn if event.actor_id != Some(person) => {
            shared::bank::withdrawn_notice(title, payload["reason"].as_str())
        }
        _ => return Ok(Vec::new()),
    };
    Ok(vec![Notice {
        recipient: person,
        text,
        link,
        needs_action: false,
    }])
}

/// The role by which someone plays `part` over a school (none for personal links).
fn role_of(part: Participant) -> Option<Role> {
    match part {
        Participant::SchoolCoordinator => Some(Role::SchoolCoordinator),
        Participant::DeputyDirector => Some(Role::DeputyDirector),
        Participant::Director => Some(Role::Director),
        Participant::MunicipalCoordinator => Some(Role::MunicipalCoordinator),
        Participant::RegionalManager => Some(Role::RegionalManager),
        Participant::Owner | Participant::Tutor | Participant::Mentor | Participant::Expert => None,
    }
}
