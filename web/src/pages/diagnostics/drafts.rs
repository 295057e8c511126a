//! «Подготовить черновики ИОМ»: the ЦНППМ manager drafts routes in bulk from a campaign —
//! chooses whom (everyone with deficits, one unit, or picked people) and the period, starts the
//! job, watches its progress bar and reads the result (created / skipped / failed with reasons).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::UnitKind;
use shared::drafting::DraftSelection;
use shared::dto::{
    DraftJobStatus, Page, PersonResultsDto, RouteDraftJobDto, RouteDraftsInput, UnitDto,
};
use uuid::Uuid;

use super::paths;
use crate::api::{Api, ApiRequest, endpoints, use_api};
use crate::components::{Alert, AlertKind, CheckList, Choice, FormAlert, FormState, Input, Select};
use crate::format;

/// How often a running job is asked for its progress.
const POLL: std::time::Duration = std::time::Duration::from_millis(1500);

/// Asks for the job's progress until it is finished (or the page is left).
fn poll(api: Api, id: Uuid, job: RwSignal<Option<RouteDraftJobDto>>) {
    set_timeout(
        move || {
            spawn_local(async move {
                let Ok(j) = api
                    .get::<RouteDraftJobDto>(&paths::route_drafts_job(id))
                    .await
                else {
                    return;
                };
                let finished = j.status.finished();
                if job.try_set(Some(j)).is_none() && !finished {
                    poll(api, id, job);
                }
            });
        },
        POLL,
    );
}

#[component]
pub fn RouteDrafts(campaign: Uuid) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let open = RwSignal::new(false);
    let kind = RwSignal::new("all".to_owned());
    let unit = RwSignal::new(String::new());
    let picked = RwSignal::new(Vec::<Uuid>::new());
    let today = format::today();
    let start = RwSignal::new(format::iso_date(today));
    let end = RwSignal::new(format::iso_date(shared::workflow::add_months(today, 9)));
    let title = RwSignal::new(String::new());
    let track = RwSignal::new(String::new());
    let job = RwSignal::new(None::<RouteDraftJobDto>);

    // The last job of the campaign, followed while it runs.
    spawn_local(async move {
        if let Ok(list) = api
            .get::<Vec<RouteDraftJobDto>>(&paths::campaign_part(campaign, "route-drafts"))
            .await
            && let Some(last) = list.into_iter().next()
        {
            let (id, finished) = (last.id, last.status.finished());
            if job.try_set(Some(last)).is_none() && !finished {
                poll(api, id, job);
            }
        }
    });
    // Units and people to choose from, once the form is opened.
    let units = LocalResource::new(move || async move {
        if !open.get() {
            return Vec::new();
        }
        api.get::<Vec<UnitDto>>(endpoints::UNITS)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|u| !u.archived && u.kind != UnitKind::Region)
            .map(|u| (u.id, u.kind, u.name))
            .collect::<Vec<_>>()
    });
    let people = LocalResource::new(move || async move {
        if kind.get() != "teachers" {
            return Vec::new();
        }
        api.call::<Page<PersonResultsDto>>(
            ApiRequest::new(
                gloo_net::http::Method::GET,
                paths::campaign_part(campaign, "results"),
            )
            .query("limit", 500),
        )
        .await
        .map(|p| {
            p.items
                .into_iter()
                .filter(|r| !r.proposed_deficits.is_empty())
                .map(|r| {
                    let text = format!(
                        "{}{} — дефицитов: {}",
                        r.person.full_name,
                        r.school.map(|s| format!(" ({s})")).unwrap_or_default(),
                        r.proposed_deficits.len()
                    );
                    (r.person.id, text)
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(period_start), Some(period_end)) = (
            format::parse_iso_date(&start.get_untracked()),
            format::parse_iso_date(&end.get_untracked()),
        ) else {
            form.fail("period_end", "Укажите даты начала и окончания.");
            return;
        };
        let selection = match kind.get_untracked().as_str() {
            "unit" => match unit.get_untracked().parse::<Uuid>() {
                Ok(unit_id) => DraftSelection::Unit { unit_id },
                Err(_) => {
                    form.fail("selection", "Выберите муниципалитет или организацию.");
                    return;
                }
            },
            "teachers" => DraftSelection::Teachers {
                teacher_ids: picked.get_untracked(),
            },
            _ => DraftSelection::All,
        };
        let body = RouteDraftsInput {
            selection,
            period_start,
            period_end,
            title: Some(title.get_untracked()).filter(|t| !t.trim().is_empty()),
            track: Some(track.get_untracked()).filter(|t| !t.trim().is_empty()),
        };
        form.run(
            async move {
                let started: RouteDraftJobDto = api
                    .post(&paths::campaign_part(campaign, "route-drafts"), &body)
                    .await?;
                let (id, finished) = (started.id, started.status.finished());
                job.set(Some(started));
                if !finished {
                    poll(api, id, job);
                }
                Ok(())
            },
            move || open.set(false),
        );
    };

    let kinds = vec![
        Choice::One("all".into(), "Все педагоги с дефицитами".into()),
        Choice::One(
            "unit".into(),
            "Педагоги муниципалитета или организации".into(),
        ),
        Choice::One("teachers".into(), "Выбранные педагоги".into()),
    ];
    view! {
        <section class="card" aria-labelledby="drafts-title" data-testid="route-drafts">
            <h2 class="card-title" id="drafts-title">"Черновики ИОМ по итогам диагностики"</h2>
            <p class="small muted">
                "Каждому выбранному педагогу готовится черновик маршрута: сведения из профиля, результаты и дефициты этой диагностики, задача на каждый дефицит и мероприятия каталога, которые развивают эти компетенции в пределах периода. Педагог с тьютором дополняют черновик и отправляют его на согласование. У кого уже есть маршрут по этой диагностике, тот пропускается."
            </p>
            {move || job.get().map(|j| view! { <JobView j=j /> })}
            {move || {
                if open.get() {
                    let kinds = kinds.clone();
                    view! {
                        <form class="form" on:submit=submit novalidate>
                            <Select label="Для кого" id="drafts-kind" value=kind choices=kinds
                                error=form.field("selection") />
                            {move || (kind.get() == "unit").then(|| {
                                let choices = units
                                    .get()
                                    .unwrap_or_default()
                                    .into_iter()
                                    .map(|(id, k, name)| Choice::One(id.to_string(), format!("{name} ({})", k.title_ru().to_lowercase())))
                                    .collect::<Vec<_>>();
                                let mut all = vec![Choice::One(String::new(), "— выберите —".into())];
                                all.extend(choices);
                                view! { <Select label="Муниципалитет или организация" id="drafts-unit" value=unit choices=all /> }
                            })}
                            {move || (kind.get() == "teachers").then(|| {
                                let options = people.get().unwrap_or_default();
                                view! {
                                    <CheckList legend="Педагоги с дефицитами" id="drafts-people"
                                        options=options selected=picked />
                                }
                            })}
                            <Input label="Начало маршрута" id="drafts-start" value=start input_type="date" required=true
                                error=form.field("period_start") />
                            <Input label="Окончание маршрута" id="drafts-end" value=end input_type="date" required=true
                                error=form.field("period_end") />
                            <Input label="Название (необязательно)" id="drafts-title" value=title
                                hint="По умолчанию: «ИОМ по итогам диагностики «…»». {диагностика} заменяется названием диагностики."
                                error=form.field("title") />
                            <Input label="Тематическая линия (необязательно)" id="drafts-track" value=track
                                error=form.field("track") />
                            <FormAlert form=form />
                            <div class="form-buttons">
                                <button type="submit" class="btn btn-primary" data-testid="drafts-start"
                                    disabled=move || form.busy.get()>"Начать подготовку"</button>
                                <button type="button" class="btn btn-secondary"
                                    on:click=move |_| open.set(false)>"Отмена"</button>
                            </div>
                        </form>
                    }
                    .into_any()
                } else {
                    let running = job.get().is_some_and(|j| !j.status.finished());
                    view! {
                        <p>
                            <button type="button" class="btn btn-primary" data-testid="drafts-open"
                                disabled=running on:click=move |_| open.set(true)>
                                "Подготовить черновики ИОМ"
                            </button>
                        </p>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

/// A job's progress and result.
#[component]
fn JobView(j: RouteDraftJobDto) -> impl IntoView {
    let pct = u32::from(shared::drafting::percent(j.done, j.total));
    let summary = format!(
        "{} · {} · период {}",
        j.status.title_ru(),
        j.selection.title_ru(),
        format::period(j.period_start, j.period_end)
    );
    let result = format!(
        "Обработано {} из {}: создано черновиков — {}, пропущено (маршрут уже есть) — {}, не создано — {}.",
        j.done, j.total, j.created, j.skipped, j.failed
    );
    let finished = j.status.finished();
    let failed_job = j.status == DraftJobStatus::Failed;
    let failures = j
        .failures
        .iter()
        .map(|f| {
            view! {
                <li data-testid="drafts-failure">
                    <strong>{f.teacher_name.clone()}</strong>
                    ": "
                    {f.reason.clone()}
                </li>
            }
        })
        .collect_view();
    let has_failures = !j.failures.is_empty();
    view! {
        <div class="drafts-job" data-testid="drafts-job">
            <p class="small">{summary}</p>
            <div class="upload-progress" role="status">
                <progress max="100" value=pct aria-label="Подготовка черновиков"></progress>
                <span class="small">{format!("{pct} %")}</span>
            </div>
            <p data-testid="drafts-result">{result}</p>
            {failed_job.then(|| view! {
                <Alert kind=AlertKind::Error>
                    "Подготовка прервана из-за ошибки. Готовые черновики сохранены; запустите подготовку снова — уже подготовленные будут пропущены."
                </Alert>
            })}
            {has_failures.then(|| view! {
                <details>
                    <summary>"Почему не созданы"</summary>
                    <ul>{failures}</ul>
                </details>
            })}
            {(finished && j.created > 0).then(|| view! {
                <p>
                    <a class="btn btn-secondary btn-small" href=crate::routes::ROUTES data-testid="drafts-routes">
                        "Перейти к списку маршрутов"
                    </a>
                </p>
            })}
        </div>
    }
}
