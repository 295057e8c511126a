//! «Группы по дефицитам»: teachers of a unit sharing a deficit — confirmed in their routes or
//! found in a chosen diagnostic campaign (the latest by default); a webinar for a group,
//! published and recommended to all of them in one go.

use leptos::prelude::*;
use shared::dto::catalogue::CohortDto;
use shared::dto::{CampaignDto, UnitDto};

use crate::api::{ApiRequest, endpoints, use_api};
use crate::components::{Choice, Loading, PageHeader, Select, error_fallback};
use crate::routes;
use crate::session::use_session;

#[component]
pub fn CohortsPage() -> impl IntoView {
    let api = use_api();
    let me = use_session().me().get_untracked();
    // The units the person manages, the widest first.
    let mut managed: Vec<(String, String)> = me
        .map(|m| {
            m.roles
                .iter()
                .filter(|g| g.role.manages_unit())
                .filter_map(|g| g.unit.as_ref().map(|u| (u.id.to_string(), u.name.clone())))
                .collect()
        })
        .unwrap_or_default();
    managed.dedup();
    let unit = RwSignal::new(managed.first().map(|u| u.0.clone()).unwrap_or_default());
    let units =
        LocalResource::new(move || async move { api.get::<Vec<UnitDto>>(endpoints::UNITS).await });
    // The campaign whose results also form groups: the latest one, until the person chooses.
    let campaign = RwSignal::new(String::new());
    let campaigns = LocalResource::new(move || async move {
        api.get::<Vec<CampaignDto>>(crate::pages::diagnostics::paths::CAMPAIGNS)
            .await
    });
    let prefilled = RwSignal::new(false);
    Effect::new(move || {
        if let Some(Ok(list)) = campaigns.get()
            && !prefilled.get_untracked()
        {
            prefilled.set(true);
            if let Some(latest) = list.first() {
                campaign.set(latest.id.to_string());
            }
        }
    });
    let cohorts = LocalResource::new(move || {
        let u = unit.get();
        let c = campaign.get();
        let ready = prefilled.get();
        async move {
            let mut request =
                ApiRequest::new(gloo_net::http::Method::GET, endpoints::CATALOGUE_COHORTS)
                    .query("unit_id", u);
            if ready && !c.is_empty() {
                request = request.query("campaign_id", c);
            }
            api.call::<Vec<CohortDto>>(request).await
        }
    });
    let campaign_choices = move || {
        let mut list = vec![Choice::One(
            String::new(),
            "Только подтверждённые дефициты маршрутов".into(),
        )];
        if let Some(Ok(all)) = campaigns.get() {
            list.extend(all.iter().map(|c| {
                let date = c
                    .date
                    .map(|d| format!(" ({})", d.format("%d.%m.%Y")))
                    .unwrap_or_default();
                Choice::One(c.id.to_string(), format!("{}{date}", c.name))
            }));
        }
        list
    };
    let choices = move || {
        let mut list: Vec<Choice> = managed
            .iter()
            .map(|(id, name)| Choice::One(id.clone(), name.clone()))
            .collect();
        if let Some(Ok(all)) = units.get() {
            let below: Vec<(String, String)> = all
                .iter()
                .filter(|u| !managed.iter().any(|(id, _)| *id == u.id.to_string()))
                .map(|u| (u.id.to_string(), u.name.clone()))
                .collect();
            if !below.is_empty() {
                list.push(Choice::Group("Подразделения".into(), below));
            }
        }
        list
    };
    view! {
        <PageHeader
            title="Группы по дефицитам"
            lead="Педагоги с одним и тем же дефицитом — подтверждённым в маршруте или выявленным диагностикой: для них удобно провести общий вебинар или семинар."
        />
        <section class="card filters">
            {move || view! { <Select label="Организация" id="cohort-unit" value=unit choices=choices() /> }}
            {move || {
                view! {
                    <Select
                        label="Диагностика"
                        id="cohort-campaign"
                        value=campaign
                        choices=campaign_choices()
                        hint="Дефициты по правилу рамки в результатах выбранной диагностики"
                    />
                }
            }}
        </section>
        <Transition fallback=|| view! { <Loading label="Ищем группы…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    cohorts
                        .get()
                        .map(|r| {
                            r.map(|list| {
                                if list.is_empty() {
                                    return view! {
                                        <p class="empty">"Групп из двух и более педагогов с общим дефицитом нет."</p>
                                    }
                                        .into_any();
                                }
                                list.into_iter()
                                    .map(|c| {
                                        let teachers = c
                                            .members
                                            .iter()
                                            .map(|m| m.person.id.to_string())
                                            .collect::<Vec<_>>()
                                            .join(",");
                                        let href = format!(
                                            "{}?competency_id={}&teachers={}",
                                            routes::NEW_EVENT,
                                            c.competency.id,
                                            teachers
                                        );
                                        view! {
                                            <section class="card" data-testid="cohort">
                                                <h2 class="card-title">
                                                    {format!("{} {} — {} пед.", c.competency.code, c.competency.name, c.members.len())}
                                                </h2>
                                                <ul class="plain">
                                                    {c
                                                        .members
                                                        .iter()
                                                        .map(|m| {
                                                            view! {
                                                                <li>
                                                                    {match m.route_id {
                                                                        Some(r) => view! { <a href=routes::route_page(r)>{m.person.full_name.clone()}</a> }.into_any(),
                                                                        None => view! { <span>{m.person.full_name.clone()}</span> }.into_any(),
                                                                    }}
                                                                    {m.school.as_ref().map(|s| view! { <span class="small muted">{format!(" · {}", s.name)}</span> })}
                                                                    {m.in_campaign.then(|| view! { <span class="small muted">" · по диагностике"</span> })}
                                                                </li>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </ul>
                                                <p class="small muted">
                                                    {format!("Ближайших мероприятий по этой компетенции в календаре: {}", c.upcoming_events)}
                                                </p>
                                                <p class="actions">
                                                    <a class="btn btn-primary" href=href>"Провести вебинар для группы"</a>
                                                    <a class="btn" href=format!("{}?competency_id={}", routes::CATALOGUE, c.competency.id)>
                                                        "Мероприятия в календаре"
                                                    </a>
                                                </p>
                                            </section>
                                        }
                                    })
                                    .collect_view()
                                    .into_any()
                            })
                        })
                }}
            </ErrorBoundary>
        </Transition>
    }
}
