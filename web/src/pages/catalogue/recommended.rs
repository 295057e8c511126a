//! «Рекомендовано мне»: events chosen for my deficits, with the reasons, and those my tutor or
//! managers recommended; a short card of it in the cabinet.

use leptos::prelude::*;
use shared::dto::catalogue::{PersonalRecommendation, RankedEvent, RecommendationsDto};

use super::EventCard;
use crate::api::{endpoints, use_api};
use crate::components::{Loading, PageHeader, error_fallback};
use crate::format;
use crate::routes;

#[component]
fn Personal(item: PersonalRecommendation) -> impl IntoView {
    view! {
        <div class="recommendation" data-testid="personal-recommendation">
            <p class="small">
                {format!(
                    "Рекомендует {} · {}",
                    item.recommended_by.full_name,
                    format::date_time(item.at),
                )}
            </p>
            {item.note.clone().map(|n| view! { <blockquote class="note">{n}</blockquote> })}
            <ul class="event-list">
                <EventCard event=item.event.clone() />
            </ul>
        </div>
    }
}

#[component]
fn Ranked(item: RankedEvent) -> impl IntoView {
    view! {
        <div class="recommendation" data-testid="ranked-recommendation">
            <ul class="event-list">
                <EventCard event=item.event.clone() />
            </ul>
            <ul class="reasons small" aria-label="Почему рекомендовано">
                {item.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
pub fn RecommendedPage() -> impl IntoView {
    let api = use_api();
    let recs = LocalResource::new(move || async move {
        api.get::<RecommendationsDto>(endpoints::CATALOGUE_RECOMMENDATIONS)
            .await
    });
    view! {
        <PageHeader
            title="Рекомендовано мне"
            lead="Ближайшие мероприятия, которые развивают компетенции из ваших дефицитов, — сначала те, что закрывают больше дефицитов, ближе к вам, со свободными местами и в сроки маршрута."
        />
        <Transition fallback=|| view! { <Loading label="Подбираем мероприятия…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    recs.get()
                        .map(|r| {
                            r.map(|d| {
                                view! {
                                    <section class="card" aria-labelledby="rec-personal">
                                        <h2 class="card-title" id="rec-personal">"Рекомендовали коллеги"</h2>
                                        {if d.personal.is_empty() {
                                            view! { <p class="empty">"Пока никто ничего не рекомендовал."</p> }.into_any()
                                        } else {
                                            d.personal
                                                .into_iter()
                                                .map(|p| view! { <Personal item=p /> })
                                                .collect_view()
                                                .into_any()
                                        }}
                                    </section>
                                    <section class="card" aria-labelledby="rec-ranked">
                                        <h2 class="card-title" id="rec-ranked">"По вашим дефицитам"</h2>
                                        {if d.ranked.is_empty() {
                                            view! {
                                                <p class="empty">
                                                    "Подходящих мероприятий нет: укажите в маршруте дефициты с компетенциями или загляните в "
                                                    <a href=routes::CATALOGUE>"календарь"</a> "."
                                                </p>
                                            }
                                                .into_any()
                                        } else {
                                            d.ranked
                                                .into_iter()
                                                .map(|r| view! { <Ranked item=r /> })
                                                .collect_view()
                                                .into_any()
                                        }}
                                    </section>
                                }
                            })
                        })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

/// The cabinet's card: the first three of each list.
#[component]
pub fn RecommendedCard() -> impl IntoView {
    let api = use_api();
    let recs = LocalResource::new(move || async move {
        let request = crate::api::ApiRequest::new(
            gloo_net::http::Method::GET,
            endpoints::CATALOGUE_RECOMMENDATIONS,
        )
        .query("limit", 3);
        api.call::<RecommendationsDto>(request).await
    });
    view! {
        <section class="card" aria-labelledby="cabinet-recommended" data-testid="recommended-card">
            <h2 class="card-title" id="cabinet-recommended">"Рекомендовано мне"</h2>
            <Transition fallback=|| view! { <Loading /> }>
                {move || {
                    recs.get()
                        .and_then(Result::ok)
                        .map(|d| {
                            let personal = d.personal.into_iter().take(3).map(|p| {
                                view! {
                                    <li>
                                        <a href=routes::event_page(p.event.id)>{p.event.title.clone()}</a>
                                        <span class="small muted block">
                                            {format!("рекомендует {}", format::short_full_name(&p.recommended_by.full_name))}
                                        </span>
                                    </li>
                                }
                            });
                            let ranked = d.ranked.into_iter().take(3).map(|r| {
                                let why = r.reasons.first().cloned().unwrap_or_default();
                                view! {
                                    <li>
                                        <a href=routes::event_page(r.event.id)>{r.event.title.clone()}</a>
                                        <span class="small muted block">{why}</span>
                                    </li>
                                }
                            });
                            view! {
                                <ul class="plain">
                                    {personal.collect_view()}
                                    {ranked.collect_view()}
                                </ul>
                            }
                        })
                }}
            </Transition>
            <p>
                <a class="link-arrow" href=routes::RECOMMENDED>"Все рекомендации"</a>
            </p>
        </section>
    }
}
