//! «Портфолио для аттестации» in the teacher's profile: what the platform knows, a section per
//! criterion of the commission, each item with a checkbox; the chosen ones download as DOCX or
//! PDF.

use leptos::prelude::*;
use shared::dto::portfolio::{PortfolioDto, PortfolioItemDto};

use crate::api::{ApiError, use_api};
use crate::components::{Alert, AlertKind, ErrorAlert, Loading};
use crate::format;
use crate::pages::documents::DownloadButton;

const MY_PORTFOLIO: &str = "/api/v1/me/portfolio";

#[component]
pub fn PortfolioCard() -> impl IntoView {
    let api = use_api();
    let portfolio =
        LocalResource::new(move || async move { api.get::<PortfolioDto>(MY_PORTFOLIO).await });
    view! {
        <section class="card" id="portfolio" aria-labelledby="portfolio-title" data-testid="portfolio">
            <h2 class="card-title" id="portfolio-title">"Портфолио для аттестации"</h2>
            {move || match portfolio.get() {
                None => view! { <Loading label="Собираем портфолио…" /> }.into_any(),
                Some(Err(e)) => view! { <ErrorAlert error=e /> }.into_any(),
                Some(Ok(p)) => view! { <Builder p=p /> }.into_any(),
            }}
        </section>
    }
}

fn when(i: &PortfolioItemDto) -> String {
    match (i.starts_on, i.ends_on) {
        (Some(a), Some(b)) if a != b => format!("{} — {}", format::date(a), format::date(b)),
        (_, Some(b)) => format::date(b),
        (Some(a), None) => format!("с {}", format::date(a)),
        (None, None) => String::new(),
    }
}

#[component]
fn Builder(p: PortfolioDto) -> impl IntoView {
    let all: Vec<String> = p
        .sections
        .iter()
        .flat_map(|s| s.items.iter().map(|i| i.key.clone()))
        .collect();
    let total = all.len();
    // Every item is in until the teacher takes it out.
    let chosen = RwSignal::new(all);
    let error = RwSignal::new(None::<ApiError>);
    let path = move |ext: &'static str| {
        Signal::derive(move || {
            let keys = chosen.get();
            if keys.len() == total {
                format!("{MY_PORTFOLIO}.{ext}")
            } else {
                format!("{MY_PORTFOLIO}.{ext}?items={}", keys.join(","))
            }
        })
    };
    let stem = format!(
        "Портфолио_{}",
        format::short_full_name(&p.full_name).replace(' ', "_")
    );
    let sections = p
        .sections
        .into_iter()
        .enumerate()
        .map(|(n, s)| {
            let items = if s.items.is_empty() {
                view! { <p class="small muted">"Платформе пока нечего сюда внести."</p> }.into_any()
            } else {
                s.items
                    .into_iter()
                    .map(|i| {
                        let key = i.key.clone();
                        let checked = key.clone();
                        let id = format!("pf-{}", i.key.replace(':', "-"));
                        let label_for = id.clone();
                        let meta = [
                            when(&i),
                            i.hours
                                .map(|h| format!("{} ч", format::hours(h)))
                                .unwrap_or_default(),
                        ]
                        .into_iter()
                        .filter(|x| !x.is_empty())
                        .collect::<Vec<_>>()
                        .join(" · ");
                        view! {
                            <label class="check" for=label_for>
                                <input
                                    type="checkbox"
                                    id=id
                                    data-key=i.key.clone()
                                    prop:checked=move || chosen.with(|c| c.contains(&checked))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let key = key.clone();
                                        chosen.update(|c| {
                                            c.retain(|x| *x != key);
                                            if on {
                                                c.push(key);
                                            }
                                        });
                                    }
                                />
                                <span>
                                    {i.title}
                                    <span class="small muted">" " {meta}</span>
                                </span>
                            </label>
                        }
                    })
                    .collect_view()
                    .into_any()
            };
            view! {
                <fieldset class="fieldset">
                    <legend>{format!("{}. {}", n + 1, s.title)}</legend>
                    <div class="checks">{items}</div>
                </fieldset>
            }
        })
        .collect_view();
    let years = p
        .hours_by_year
        .iter()
        .filter(|y| y.hours > 0.0)
        .map(|y| format!("{} — {} ч", y.label, format::hours(y.hours)))
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <p class="small muted">
            "Собрано из того, что уже есть на платформе. Отметьте, что включить, и скачайте документ для аттестационной комиссии."
        </p>
        <p data-testid="portfolio-hours">
            {format!(
                "Повышение квалификации: за 3 года — {} ч, за межаттестационный период (5 лет) — {} ч.",
                format::hours(p.hours_last_three_years),
                format::hours(p.hours_last_five_years)
            )}
            {(!years.is_empty()).then(|| view! { <span class="small muted">" " {years}</span> })}
        </p>
        {sections}
        <div class="document-downloads" role="group" aria-label="Скачать портфолио">
            <DownloadButton
                label="Скачать портфолио (DOCX)"
                busy_label="Готовим DOCX…"
                path=path("docx")
                file_name=format!("{stem}.docx")
                error=error
                test_id="portfolio-docx"
            />
            <DownloadButton
                label="Скачать портфолио (PDF)"
                busy_label="Готовим PDF…"
                path=path("pdf")
                file_name=format!("{stem}.pdf")
                error=error
                test_id="portfolio-pdf"
            />
            {move || chosen.with(Vec::is_empty).then(|| view! {
                <span class="small muted">"Ничего не выбрано: отметьте хотя бы один пункт."</span>
            })}
        </div>
        {move || error.get().map(|e| view! { <Alert kind=AlertKind::Error>{e.message()}</Alert> })}
    }
}
