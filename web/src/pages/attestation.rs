//! «Аттестация» in the teacher's profile: when the qualification category runs out and whether
//! further training is on record, from what the platform already knows.

use leptos::prelude::*;
use shared::attestation::{ClockState, MIN_COURSE_HOURS};
use shared::dto::AttestationDto;

use crate::api::{endpoints, use_api};
use crate::components::{Badge, BadgeKind, ErrorAlert, Loading};
use crate::format;

fn state_badge(state: ClockState) -> BadgeKind {
    match state {
        ClockState::Current => BadgeKind::Success,
        ClockState::Soon => BadgeKind::Warning,
        ClockState::Overdue => BadgeKind::Danger,
        ClockState::Unknown => BadgeKind::Neutral,
    }
}

#[component]
pub fn AttestationCard() -> impl IntoView {
    let api = use_api();
    let clock = LocalResource::new(move || async move {
        api.get::<AttestationDto>(endpoints::MY_ATTESTATION).await
    });
    view! {
        <section class="card" id="attestation" aria-labelledby="attestation-title" data-testid="attestation">
            <h2 class="card-title" id="attestation-title">"Аттестация"</h2>
            {move || match clock.get() {
                None => view! { <Loading label="Считаем сроки…" /> }.into_any(),
                Some(Err(e)) => view! { <ErrorAlert error=e /> }.into_any(),
                Some(Ok(a)) => view! { <Clock a=a /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Clock(a: AttestationDto) -> impl IntoView {
    let category = match (a.category_until, a.days_left) {
        (Some(until), Some(days)) if days >= 0 => format!(
            "Категория «{}» действует до {} (осталось {days} дн.).",
            a.category.clone().unwrap_or_default(),
            format::date(until)
        ),
        (Some(until), Some(_)) => format!(
            "Срок категории «{}» истёк {}.",
            a.category.clone().unwrap_or_default(),
            format::date(until)
        ),
        _ => "В профиле нет даты присвоения категории: попросите координатора ОО указать её, и платформа будет напоминать о сроке аттестации.".to_owned(),
    };
    let training = match a.last_training_on {
        Some(d) => format!(
            "Последнее повышение квалификации — {}; следующее нужно до {}. За три года — {} ч.",
            format::date(d),
            format::date(a.training_due_on),
            format::hours(a.hours_in_period)
        ),
        None => format!(
            "За последние три года нет курсов повышения квалификации от {} часов: их нужно пройти (за три года — {} ч.).",
            MIN_COURSE_HOURS as i64,
            format::hours(a.hours_in_period)
        ),
    };
    let rows = a
        .trainings
        .into_iter()
        .map(|t| {
            view! {
                <tr>
                    <td data-label="Мероприятие">{t.title}</td>
                    <td data-label="Окончание">{format::date(t.finished_on)}</td>
                    <td data-label="Часов">{format::hours(t.hours)}</td>
                    <td data-label="Откуда">
                        {t.source.title_ru()}
                        {(!t.counts).then(|| view! { <span class="small muted">" · не засчитывается (меньше 16 ч)"</span> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p>
            <Badge kind=state_badge(a.state)>{a.state.title_ru()}</Badge>
        </p>
        <p data-testid="attestation-category">{category}</p>
        <p data-testid="attestation-training">{training}</p>
        <div class="table-wrap">
            <table class="table table-stack">
                <thead>
                    <tr>
                        <th scope="col">"Мероприятие"</th>
                        <th scope="col">"Окончание"</th>
                        <th scope="col">"Часов"</th>
                        <th scope="col">"Откуда"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
