//! The region's retention periods and the report of what the nightly run removed: on the units
//! screen, for the region's manager.

use leptos::prelude::*;
use shared::dto::{RetentionDto, RetentionPolicyDto, RetentionRunDto};
use shared::retention::record_label;
use uuid::Uuid;
use validator::Validate;

use crate::api::{ApiError, endpoints, use_api};
use crate::components::{ErrorAlert, FormAlert, FormState, Input, Loading};
use crate::format;

/// What a run did, in one line: «маршруты обезличены: 2; файлы маршрутов удалены: 5».
fn outcome_line(outcome: &std::collections::BTreeMap<String, u64>) -> String {
    if outcome.is_empty() {
        return "ничего не истекло".to_owned();
    }
    outcome
        .iter()
        .map(|(k, n)| format!("{}: {n}", record_label(k)))
        .collect::<Vec<_>>()
        .join("; ")
}

#[component]
pub fn RetentionCard(region: Uuid) -> impl IntoView {
    let api = use_api();
    let version = RwSignal::new(0u32);
    let current = LocalResource::new(move || async move {
        api.get::<RetentionDto>(&endpoints::unit_part(region, "retention"))
            .await
    });
    let runs = LocalResource::new(move || {
        version.track();
        async move {
            api.get::<Vec<RetentionRunDto>>(&endpoints::unit_part(region, "retention/runs"))
                .await
        }
    });
    let failure = RwSignal::new(None::<ApiError>);
    let running = RwSignal::new(false);
    let run_now = move |_| {
        if !crate::pages::admin::confirm(
            "Применить сроки хранения сейчас? Истёкшие маршруты будут обезличены, истёкшие файлы, результаты и записи журнала — удалены.",
        ) {
            return;
        }
        failure.set(None);
        running.set(true);
        leptos::task::spawn_local(async move {
            let r = api
                .post::<_, RetentionRunDto>(
                    &endpoints::unit_part(region, "retention/runs"),
                    &serde_json::json!({}),
                )
                .await;
            running.try_set(false);
            match r {
                Ok(_) => {
                    version.try_update(|v| *v += 1);
                }
                Err(e) => {
                    failure.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <div class="policy" data-testid="retention">
            <h2 class="card-subtitle">"Сроки хранения персональных данных"</h2>
            <p class="small muted">
                "Завершённый или отозванный маршрут по истечении срока обезличивается: из него удаляются сведения о педагоге, комментарии и история, а свидетельство по-прежнему проверяется по номеру, но без имени. Правила применяются каждую ночь."
            </p>
            {move || match current.get() {
                None => view! { <Loading label="Загружаем сроки…" /> }.into_any(),
                Some(Err(e)) => view! { <ErrorAlert error=e /> }.into_any(),
                Some(Ok(c)) => view! {
                    <RetentionForm region=region policy=c.policy />
                }
                .into_any(),
            }}
            <h3 class="card-subtitle">"Отчёт о применении"</h3>
            {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
            <button
                type="button"
                class="btn btn-secondary btn-small"
                aria-disabled=move || running.get().then_some("true")
                on:click=run_now
            >
                "Выполнить сейчас"
            </button>
            {move || match runs.get() {
                None => view! { <Loading label="Загружаем отчёт…" /> }.into_any(),
                Some(Err(e)) => view! { <ErrorAlert error=e /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="small muted">"Правила ещё не применялись."</p>
                }
                .into_any(),
                Some(Ok(list)) => view! {
                    <ul class="plain stack small">
                        {list
                            .into_iter()
                            .map(|r| {
                                let who = match r.started_by {
                                    Some(n) => format!("вручную, {n}"),
                                    None => r.trigger.title_ru().to_lowercase(),
                                };
                                view! {
                                    <li data-testid="retention-run">
                                        <strong>{format::date_time(r.ran_at)}</strong>
                                        {format!(" ({who}): {}", outcome_line(&r.outcome))}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any(),
            }}
        </div>
    }
}

#[component]
fn RetentionForm(region: Uuid, policy: RetentionPolicyDto) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let done = RwSignal::new(false);
    let routes = RwSignal::new(policy.routes_years.to_string());
    let files = RwSignal::new(policy.files_years.to_string());
    let results = RwSignal::new(policy.results_years.to_string());
    let audit = RwSignal::new(policy.audit_years.to_string());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        let years = |s: RwSignal<String>| s.get_untracked().trim().parse::<i32>().unwrap_or(0);
        let request = RetentionPolicyDto {
            routes_years: years(routes),
            files_years: years(files),
            results_years: years(results),
            audit_years: years(audit),
        };
        if !form.check(request.validate()) {
            return;
        }
        if let Err(m) = request.policy().check() {
            form.fail("files_years", m);
            return;
        }
        form.run(
            async move {
                let _: RetentionDto = api
                    .put(&endpoints::unit_part(region, "retention"), &request)
                    .await?;
                Ok(())
            },
            move || done.set(true),
        );
    };
    let field = move |label: &'static str,
                      key: &'static str,
                      value: RwSignal<String>,
                      hint: &'static str| {
        view! {
            <Input
                label=label
                id=format!("retention-{region}-{key}")
                input_type="number"
                min="1"
                max="75"
                value=value
                error=form.field(key)
                hint=hint
            />
        }
    };
    view! {
        <form class="form" on:submit=submit novalidate=true>
            <FormAlert form=form />
            <div class="form-row">
                {field("Маршруты, лет после завершения", "routes_years", routes, "По положению — 3 года.")}
                {field("Файлы маршрутов, лет после завершения", "files_years", files, "Не дольше самого маршрута.")}
            </div>
            <div class="form-row">
                {field("Результаты диагностики, лет", "results_years", results, "Считается со дня внесения результата.")}
                {field("Журнал доступа к данным, лет", "audit_years", audit, "Записи о том, кто открывал данные педагогов.")}
            </div>
            <div class="form-buttons">
                <button type="submit" class="btn btn-primary" aria-disabled=move || form.busy.get().then_some("true")>
                    "Сохранить сроки"
                </button>
                {move || done.get().then(|| view! { <span class="small" role="status">"Сохранено."</span> })}
            </div>
        </form>
    }
}
