//! Letters to participants about their events: a cancellation, a seat from the waiting list.
//! Stored in the mail outbox within the change's transaction, so they leave only if it commits.

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::db::entities::{event, user};
use crate::error::AppResult;
use crate::services::mail;

/// An event's dates as a letter names them.
fn dates(starts: NaiveDate, ends: NaiveDate) -> String {
    if starts == ends {
        starts.format("%d.%m.%Y").to_string()
    } else {
        format!(
            "с {} по {}",
            starts.format("%d.%m.%Y"),
            ends.format("%d.%m.%Y")
        )
    }
}

fn page(base_url: &str, e: &event::Model) -> String {
    format!("{base_url}/catalogue/{}", e.id)
}

fn greeting(person: &user::Model) -> String {
    shared::text::full_name(
        &person.surname,
        &person.first_name,
        person.patronymic.as_deref(),
    )
}

/// The letter about a cancelled event: (subject, body).
pub fn cancelled_letter(
    base_url: &str,
    e: &event::Model,
    person: &user::Model,
    waiting: bool,
) -> (String, String) {
    let place = if waiting {
        "в лист ожидания которого вы записаны"
    } else {
        "на которое вы записаны"
    };
    let reason = e
        .cancel_reason
        .as_deref()
        .map(|r| format!("Причина: {r}\n\n"))
        .unwrap_or_default();
    (
        format!("Мероприятие отменено: «{}»", e.title),
        format!(
            "Здравствуйте, {}!\n\n\
             Мероприятие «{}» ({}), {place}, отменено организатором.\n\n\
             {reason}Страница мероприятия: {}\n\n\
             Если мероприятие было в вашем маршруте, подберите другое в календаре мероприятий.",
            greeting(person),
            e.title,
            dates(e.starts_on, e.ends_on),
            page(base_url, e),
        ),
    )
}

/// The letter about a seat given from the waiting list: (subject, body).
pub fn promoted_letter(base_url: &str, e: &event::Model, person: &user::Model) -> (String, String) {
    (
        format!("Вы записаны на мероприятие «{}»", e.title),
        format!(
            "Здравствуйте, {}!\n\n\
             На мероприятии «{}» ({}) освободилось место: вы переведены из листа ожидания в список участников.\n\n\
             Страница мероприятия: {}\n\n\
             Если вы не сможете участвовать, отмените запись на странице мероприятия, чтобы место получил следующий в очереди.",
            greeting(person),
            e.title,
            dates(e.starts_on, e.ends_on),
            page(base_url, e),
        ),
    )
}

/// Tells everyone registered or waiting that the event is cancelled.
pub async fn cancelled(
    db: &impl ConnectionTrait,
    base_url: &str,
    e: &event::Model,
    participants: &[(Uuid, bool)],
) -> AppResult<()> {
    let ids: Vec<Uuid> = participants.iter().map(|(p, _)| *p).collect();
    let people = super::events::people(db, &ids).await?;
    for (id, waiting) in participants {
        let Some(person) = people.get(id).filter(|p| p.active) else {
            continue;
        };
        let (subject, body) = cancelled_letter(base_url, e, person, *waiting);
        mail::enqueue(
            db,
            Some(person.id),
            "event_cancelled",
            &person.email,
            &subject,
            &body,
        )
        .await?;
    }
    Ok(())
}

/// Tells a person they got a seat from the waiting list.
pub async fn promoted(
    db: &impl ConnectionTrait,
    base_url: &str,
    e: &event::Model,
    person_id: Uuid,
) -> AppResult<()> {
    let Some(person) = crate::db::users::find(db, person_id)
        .await?
        .filter(|p| p.active)
    else {
        return Ok(());
    };
    let (subject, body) = promoted_letter(base_url, e, &person);
    mail::enqueue(
        db,
        Some(person.id),
        "event_promoted",
        &person.email,
        &subject,
        &body,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_day_is_named_once_and_a_span_by_its_ends() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap_or_default();
        assert_eq!(dates(d(3, 5), d(3, 5)), "05.03.2026");
        assert_eq!(dates(d(3, 5), d(3, 7)), "с 05.03.2026 по 07.03.2026");
    }
}
