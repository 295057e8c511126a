//! «Диагностики»: the campaigns of the person's region, and a new one for those who organise
//! them (everything prefilled: the organiser from the person's role, the framework, today).

use leptos::prelude::*;
use shared::dto::{CampaignDto, CampaignInput, FrameworkDto, FrameworkStatus, MeResponse};
use shared::{DiagnosticKind, EventLevel, Role, UnitKind};
use uuid::Uuid;
use validator::Validate;

use super::{DiagnosticsNav, pages, paths};
use crate::api::use_api;
use crate::components::{
    Choice, FormAlert, FormState, Input, Loading, PageHeader, Select, enum_choices, error_fallback,
};
use crate::format;
use crate::session::use_session;

/// The units a person organises diagnostics for, with the level that fits each.
fn organiser_units(me: &MeResponse) -> Vec<(Uuid, String, EventLevel)> {
    me.roles
        .iter()
        .filter(|g| {
            matches!(
                g.role,
                Role::RegionalManager
                    | Role::MunicipalCoordinator
                    | Role::Director
                    | Role::SchoolCoordinator
            )
        })
        .filter_map(|g| {
            let u = g.unit.as_ref()?;
            let level = match u.kind {
                UnitKind::Region => EventLevel::Regional,
                UnitKind::District | UnitKind::Municipality => EventLevel::Municipal,
                UnitKind::School => EventLevel::Institutional,
            };
            Some((u.id, u.name.clone(), level))
        })
        .collect()
}

#[component]
pub fn CampaignsPage() -> impl IntoView {
    let api = use_api();
    let me = use_session().me();
    let version = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        version.track();
        api.get::<Vec<CampaignDto>>(paths::CAMPAIGNS)
    });
    let organises =
        Memo::new(move |_| me.with(|m| m.as_ref().map(organiser_units).unwrap_or_default()));
    view! {
        <PageHeader
            title="Диагностики"
            lead="Входные, промежуточные и итоговые диагностики профессиональных компетенций и самооценка педагогов."
        />
        <DiagnosticsNav current=crate::routes::DIAGNOSTICS />
        {move || {
            let units = organises.get();
            (!units.is_empty())
                .then(|| view! { <NewCampaign units=units on_done=Callback::new(move |_| version.update(|v| *v += 1)) /> })
        }}
        <section class="card" aria-label="Список диагностик">
            <Transition fallback=|| view! { <Loading label="Загружаем диагностики…" /> }>
                <ErrorBoundary fallback=error_fallback>
                    {move || {
                        list.get()
                            .map(|r| {
                                r.map(|items| {
                                    if items.is_empty() {
                                        view! { <p class="empty">"Диагностик пока нет."</p> }.into_any()
                                    } else {
                                        view! { <CampaignTable items=items /> }.into_any()
                                    }
                                })
                            })
                    }}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn CampaignTable(items: Vec<CampaignDto>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table table-stack">
                <thead>
                    <tr>
                        <th scope="col">"Диагностика"</th>
                        <th scope="col">"Вид"</th>
                        <th scope="col">"Уровень"</th>
                        <th scope="col">"Дата"</th>
                        <th scope="col">"Организатор"</th>
                        <th scope="col">"Прошли"</th>
                    </tr>
                </thead>
                <tbody>
                    {items
                        .into_iter()
                        .map(|c| {
                            view! {
                                <tr data-testid="campaign-row">
                                    <td data-label="Диагностика">
                                        <a href=pages::campaign(c.id)>{c.name.clone()}</a>
                                    </td>
                                    <td data-label="Вид">{c.kind.title_ru()}</td>
                                    <td data-label="Уровень">{c.level.title_ru()}</td>
                                    <td data-label="Дата">{c.date.map(format::date).unwrap_or_default()}</td>
                                    <td data-label="Организатор">{c.organiser.name.clone()}</td>
                                    <td data-label="Прошли">{c.assessed}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn NewCampaign(units: Vec<(Uuid, String, EventLevel)>, on_done: Callback<()>) -> impl IntoView {
    let api = use_api();
    let open = RwSignal::new(false);
    let form = FormState::new();
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(DiagnosticKind::Entry.as_str().to_owned());
    let first = units.first().cloned();
    let organiser = RwSignal::new(first.as_ref().map(|u| u.0.to_string()).unwrap_or_default());
    let level = RwSignal::new(
        first
            .as_ref()
            .map_or(EventLevel::Regional, |u| u.2)
            .as_str()
            .to_owned(),
    );
    let date = RwSignal::new(format::iso_date(format::today()));
    let framework = RwSignal::new(String::new());
    let frameworks = LocalResource::new(move || api.get::<Vec<FrameworkDto>>(paths::FRAMEWORKS));
    // The newest published framework of the region, else the platform's default.
    Effect::new(move |_| {
        if let Some(Ok(list)) = frameworks.get() {
            let best = list
                .iter()
                .filter(|f| f.status == FrameworkStatus::Published)
                .max_by_key(|f| (f.region_id.is_some(), f.published_at));
            if let Some(f) = best
                && framework.get_untracked().is_empty()
            {
                framework.set(f.id.to_string());
            }
        }
    });
    let unit_choices: Vec<Choice> = units
        .iter()
        .map(|(id, n, _)| Choice::One(id.to_string(), n.clone()))
        .collect();
    let levels = units.clone();
    Effect::new(move |_| {
        let o = organiser.get();
        if let Some(u) = levels.iter().find(|u| u.0.to_string() == o) {
            level.set(u.2.as_str().to_owned());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = CampaignInput {
            name: name.get_untracked().trim().to_owned(),
            level: level
                .get_untracked()
                .parse()
                .unwrap_or(EventLevel::Regional),
            kind: kind
                .get_untracked()
                .parse()
                .unwrap_or(DiagnosticKind::Entry),
            framework_id: framework.get_untracked().parse().unwrap_or_default(),
            date: format::parse_iso_date(&date.get_untracked()),
            organiser_id: organiser.get_untracked().parse().unwrap_or_default(),
            unit_id: None,
            description: None,
        };
        if !form.check(input.validate()) {
            return;
        }
        form.run(
            async move {
                let c: CampaignDto = api.post(paths::CAMPAIGNS, &input).await?;
                let _ = c;
                Ok(())
            },
            move || {
                open.set(false);
                name.set(String::new());
                on_done.run(());
            },
        );
    };
    view! {
        {move || {
            (!open.get())
                .then(|| {
                    view! {
                        <p>
                            <button type="button" class="btn btn-primary" data-testid="new-campaign" on:click=move |_| open.set(true)>
                                "Новая диагностика"
                            </button>
                        </p>
                    }
                })
        }}
        <Show when=move || open.get()>
            <section class="card" aria-labelledby="new-campaign-title">
                <h2 class="card-title" id="new-campaign-title">"Новая диагностика"</h2>
                <form class="form" on:submit=submit novalidate>
                    <FormAlert form=form />
                    <Input label="Название" id="campaign-name" value=name required=true error=form.field("name") />
                    <Select label="Вид" id="campaign-kind" value=kind choices=enum_choices(DiagnosticKind::ALL, DiagnosticKind::as_str, DiagnosticKind::title_ru) />
                    <Select label="Организатор" id="campaign-organiser" value=organiser choices=unit_choices.clone() />
                    <Select label="Уровень" id="campaign-level" value=level choices=enum_choices(EventLevel::ALL, EventLevel::as_str, EventLevel::title_ru) />
                    <Input label="Дата" id="campaign-date" value=date input_type="date" />
                    {move || {
                        let choices: Vec<Choice> = frameworks
                            .get()
                            .and_then(Result::ok)
                            .unwrap_or_default()
                            .into_iter()
                            .filter(|f| f.status == FrameworkStatus::Published)
                            .map(|f| Choice::One(f.id.to_string(), format!("{} (версия {})", f.name, f.version)))
                            .collect();
                        view! { <Select label="Рамка компетенций" id="campaign-framework" value=framework choices=choices error=form.field("framework_id") /> }
                    }}
                    <div class="form-buttons">
                        <button type="submit" class="btn btn-primary" disabled=move || form.busy.get()>"Создать"</button>
                        <button type="button" class="btn btn-secondary" on:click=move |_| open.set(false)>"Отмена"</button>
                    </div>
                </form>
            </section>
        </Show>
    }
}
