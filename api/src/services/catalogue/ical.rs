//! iCalendar (RFC 5545) feeds: the published events of a person's calendar and their own
//! roadmap. Calendar programs cannot send a bearer token, so each person may make a secret
//! feed address; only its hash is kept, and making a new one (or deleting it) revokes the old.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use shared::catalogue::{EventKind, EventStatus};
use shared::dto::catalogue::CalendarFeedDto;
use uuid::Uuid;

use super::events::scope_condition;
use crate::auth::{Principal, tokens};
use crate::db::entities::{calendar_feed, event, route, route_activity};
use crate::db::{self, audit, units, users};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// One calendar entry.
pub struct Entry {
    pub uid: String,
    pub stamp: DateTime<Utc>,
    pub sequence: i32,
    pub starts: NaiveDate,
    pub ends: NaiveDate,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub url: Option<String>,
    pub cancelled: bool,
    pub categories: Option<String>,
}

/// Escapes a TEXT value (RFC 5545 3.3.11).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a character, with CRLF endings.
pub fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

fn date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// A whole calendar.
pub fn calendar(name: &str, entries: &[Entry]) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//IOM//Catalogue of educational events//RU",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        fold(l, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", escape(name)), &mut out);
    for e in entries {
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}", e.uid), &mut out);
        fold(
            &format!("DTSTAMP:{}", e.stamp.format("%Y%m%dT%H%M%SZ")),
            &mut out,
        );
        fold(&format!("SEQUENCE:{}", e.sequence.max(0)), &mut out);
        fold(&format!("DTSTART;VALUE=DATE:{}", date(e.starts)), &mut out);
        // All-day events end the day after (DTEND is exclusive).
        fold(
            &format!(
                "DTEND;VALUE=DATE:{}",
                date(e.ends.max(e.starts) + Duration::days(1))
            ),
            &mut out,
        );
        fold(&format!("SUMMARY:{}", escape(&e.summary)), &mut out);
        if let Some(d) = &e.description {
            fold(&format!("DESCRIPTION:{}", escape(d)), &mut out);
        }
        if let Some(l) = &e.location {
            fold(&format!("LOCATION:{}", escape(l)), &mut out);
        }
        if let Some(u) = &e.url {
            fold(&format!("URL:{}", u.replace(['\r', '\n'], "")), &mut out);
        }
        if let Some(c) = &e.categories {
            fold(&format!("CATEGORIES:{}", escape(c)), &mut out);
        }
        fold(
            if e.cancelled {
                "STATUS:CANCELLED"
            } else {
                "STATUS:CONFIRMED"
            },
            &mut out,
        );
        fold("TRANSP:TRANSPARENT", &mut out);
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

/// Published (and cancelled) events of the principal's calendar, from a month ago on.
pub async fn events_feed(db: &impl ConnectionTrait, principal: &Principal) -> AppResult<String> {
    let since = db::now().date_naive() - Duration::days(31);
    let rows = event::Entity::find()
        .filter(scope_condition(principal))
        .filter(event::Column::Status.ne(EventStatus::Draft.as_str()))
        .filter(event::Column::EndsOn.gte(since))
        .order_by_asc(event::Column::StartsOn)
        .order_by_asc(event::Column::Id)
        .all(db)
        .await?;
    let unit_ids: Vec<Uuid> = rows.iter().map(|e| e.organiser_id).collect();
    let orgs: std::collections::HashMap<Uuid, String> = units::find_many(db, &unit_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut entries = Vec::with_capacity(rows.len());
    for e in rows {
        let kind: EventKind = db::parse_code(&e.kind)?;
        let mut description = format!(
            "{}. Организатор: {}.",
            kind.title_ru(),
            orgs.get(&e.organiser_id).map_or("—", String::as_str)
        );
        if let Some(s) = &e.schedule {
            description.push_str(&format!("\nРасписание: {s}"));
        }
        if let Some(d) = &e.description {
            description.push_str(&format!("\n{d}"));
        }
        entries.push(Entry {
            uid: format!("event-{}@iom", e.id),
            stamp: e.updated_at,
            sequence: e.version,
            starts: e.starts_on,
            ends: e.ends_on,
            summary: e.title.clone(),
            description: Some(description),
            location: e.place.clone(),
            url: e.link.clone(),
            cancelled: e.status == EventStatus::Cancelled.as_str(),
            categories: Some(kind.title_ru().to_owned()),
        });
    }
    Ok(calendar("Календарь образовательных событий", &entries))
}

/// The person's own roadmap: every dated activity of their routes.
pub async fn roadmap_feed(db: &impl ConnectionTrait, person: Uuid) -> AppResult<String> {
    let routes = route::Entity::find()
        .filter(route::Column::TeacherId.eq(person))
        .all(db)
        .await?;
    let titles: std::collections::HashMap<Uuid, String> =
        routes.iter().map(|r| (r.id, r.title.clone())).collect();
    let acts = route_activity::Entity::find()
        .filter(route_activity::Column::RouteId.is_in(titles.keys().copied()))
        .filter(route_activity::Column::StartDate.is_not_null())
        .order_by_asc(route_activity::Column::StartDate)
        .order_by_asc(route_activity::Column::Id)
        .all(db)
        .await?;
    let entries: Vec<Entry> = acts
        .into_iter()
        .filter_map(|a| {
            let starts = a.start_date?;
            Some(Entry {
                uid: format!("activity-{}@iom", a.id),
                stamp: a.updated_at,
                sequence: a.version,
                starts,
                ends: a.end_date.unwrap_or(starts),
                summary: a.name.clone(),
                description: Some(format!(
                    "Маршрут «{}». {}",
                    titles.get(&a.route_id).map_or("", String::as_str),
                    a.participation_form.clone().unwrap_or_default()
                )),
                location: None,
                url: None,
                cancelled: a.status == shared::ActivityStatus::Cancelled.as_str(),
                categories: Some("ИОМ".into()),
            })
        })
        .collect();
    Ok(calendar(
        "Мой индивидуальный образовательный маршрут",
        &entries,
    ))
}

/// Makes (or remakes, revoking the old) the caller's secret feed addresses.
pub async fn make_feed(state: &AppState, principal: &Principal) -> AppResult<CalendarFeedDto> {
    let token = tokens::generate();
    let txn = db::begin_write(&state.db).await?;
    calendar_feed::Entity::delete_many()
        .filter(calendar_feed::Column::UserId.eq(principal.id()))
        .exec(&txn)
        .await?;
    let t = db::now();
    calendar_feed::ActiveModel {
        id: Set(db::new_id()),
        user_id: Set(principal.id()),
        token_hash: Set(tokens::hash(&token)),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        audit::Entry::by_user(
            principal.id(),
            "calendar_feed.create",
            "user",
            principal.id(),
            serde_json::json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    let base = format!("{}/api/v1/calendar/{token}", state.base_url);
    Ok(CalendarFeedDto {
        events_url: format!("{base}/events.ics"),
        roadmap_url: format!("{base}/roadmap.ics"),
    })
}

/// Revokes the caller's feed addresses.
pub async fn revoke_feed(state: &AppState, principal: &Principal) -> AppResult<()> {
    let txn = db::begin_write(&state.db).await?;
    let gone = calendar_feed::Entity::delete_many()
        .filter(calendar_feed::Column::UserId.eq(principal.id()))
        .exec(&txn)
        .await?;
    if gone.rows_affected > 0 {
        audit::record(
            &txn,
            audit::Entry::by_user(
                principal.id(),
                "calendar_feed.revoke",
                "user",
                principal.id(),
                serde_json::json!({}),
            ),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The person a feed token belongs to (an unknown token or a deactivated person: 404).
pub async fn feed_owner(db: &impl ConnectionTrait, token: &str) -> AppResult<Principal> {
    let feed = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::TokenHash.eq(tokens::hash(token)))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let user = users::find(db, feed.user_id)
        .await?
        .filter(|u| u.active)
        .ok_or(AppError::NotFound)?;
    crate::auth::principal::load(db, user).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_lines_fold_at_75_octets_between_characters() {
        assert_eq!(escape("a;b,c\\d\nе"), "a\\;b\\,c\\\\d\\nе");
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "Функциональная грамотность ".repeat(5));
        fold(&long, &mut out);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{line}");
        }
        let unfolded = out.replace("\r\n ", "").replace("\r\n", "");
        assert_eq!(unfolded, long);
    }

    #[test]
    fn a_calendar_has_crlf_lines_stable_uids_and_exclusive_all_day_ends() {
        let day = NaiveDate::from_ymd_opt(2026, 10, 5).unwrap_or_default();
        let e = Entry {
            uid: "event-1@iom".into(),
            stamp: DateTime::<Utc>::from_timestamp(0, 0).unwrap_or_default(),
            sequence: 2,
            starts: day,
            ends: day,
            summary: "Семинар".into(),
            description: None,
            location: Some("Гимназия № 1, ауд. 12".into()),
            url: None,
            cancelled: true,
            categories: None,
        };
        let cal = calendar("Календарь", &[e]);
        assert!(cal.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(cal.ends_with("END:VCALENDAR\r\n"));
        assert!(!cal.replace("\r\n", "").contains('\n'));
        assert!(cal.contains("UID:event-1@iom\r\n"));
        assert!(cal.contains("DTSTART;VALUE=DATE:20261005\r\nDTEND;VALUE=DATE:20261006\r\n"));
        assert!(cal.contains("LOCATION:Гимназия № 1\\, ауд. 12\r\n"));
        assert!(cal.contains("STATUS:CANCELLED"));
        assert!(cal.contains("DTSTAMP:19700101T000000Z"));
    }
}
