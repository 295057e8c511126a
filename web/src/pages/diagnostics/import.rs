//! The import wizard: choose how people are matched, upload a CSV or XLSX (with progress), see
//! the preview with per-row errors and unmatched people, then commit all or nothing.

use leptos::prelude::*;
use shared::dto::{FrameworkDto, MatchBy, ResultsImportPreview, ResultsImportResult};
use uuid::Uuid;
use wasm_bindgen::JsCast;

use super::paths;
use crate::api::{ApiRequest, transfer, use_api};
use crate::components::{
    Alert, AlertKind, Badge, BadgeKind, FormAlert, FormState, Select, enum_choices,
};

#[component]
pub fn ImportWizard(campaign: Uuid, fw: FrameworkDto, on_done: Callback<()>) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let match_by = RwSignal::new(MatchBy::Email.as_str().to_owned());
    let progress = RwSignal::new(None::<f64>);
    let preview = RwSignal::new(None::<ResultsImportPreview>);
    let done = RwSignal::new(None::<ResultsImportResult>);
    let codes: Vec<String> = fw.competencies().map(|c| c.code.clone()).collect();
    let example = format!(
        "ФИО; Email; {}",
        codes.iter().take(4).cloned().collect::<Vec<_>>().join("; ")
    );
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|list| list.get(0)) else {
            return;
        };
        input.set_value("");
        preview.set(None);
        done.set(None);
        let name = file.name();
        let url = format!(
            "{}?name={}&match_by={}",
            paths::campaign_part(campaign, "imports"),
            String::from(js_sys::encode_uri_component(&name)),
            match_by.get_untracked()
        );
        progress.set(Some(0.0));
        form.run(
            async move {
                let result = transfer::upload::<ResultsImportPreview, _>(
                    api,
                    &url,
                    &file,
                    "application/octet-stream",
                    move |p| {
                        progress.try_set(Some(p));
                    },
                )
                .await;
                progress.try_set(None);
                preview.try_set(Some(result?));
                Ok(())
            },
            || {},
        );
    };
    let commit = move |skip: bool| {
        let Some(p) = preview.get_untracked() else {
            return;
        };
        form.run(
            async move {
                let r: ResultsImportResult = api
                    .call(
                        ApiRequest::new(gloo_net::http::Method::POST, paths::import_commit(p.id))
                            .query("skip_unmatched", skip),
                    )
                    .await?;
                done.try_set(Some(r));
                preview.try_set(None);
                Ok(())
            },
            move || on_done.run(()),
        );
    };
    view! {
        <section class="card" aria-labelledby="import-title">
            <h2 class="card-title" id="import-title">"Загрузка результатов из файла"</h2>
            <p class="small muted">
                "CSV (UTF-8 или Windows-1251) или XLSX, как выгружает платформа тестирования: строка на педагога со столбцами-кодами компетенций ("
                {example}
                ") или строка на результат (Email; Компетенция; Балл или Уровень). Ничего не записывается до подтверждения; при ошибках не записывается ничего."
            </p>
            <Select label="Как искать педагогов" id="import-match" value=match_by
                choices=enum_choices(MatchBy::ALL, MatchBy::as_str, MatchBy::title_ru) />
            <label class="label" for="import-file">"Файл с результатами"</label>
            <input type="file" class="file-input" id="import-file" data-testid="import-file"
                accept=".csv,.xlsx,.xls,.ods,text/csv"
                disabled=move || form.busy.get() on:change=on_change />
            {move || {
                progress.get().map(|p| {
                    let pct = (p * 100.0).round().clamp(0.0, 100.0) as u32;
                    view! {
                        <div class="upload-progress" role="status">
                            <progress max="100" value=pct aria-label="Загрузка файла"></progress>
                            <span class="small">{format!("{pct} %")}</span>
                        </div>
                    }
                })
            }}
            <FormAlert form=form />
            {move || preview.get().map(|p| view! { <Preview p=p commit=Callback::new(commit) busy=form.busy /> })}
            {move || {
                done.get().map(|r| {
                    let skipped = if r.unmatched.is_empty() {
                        String::new()
                    } else {
                        format!(" Пропущены не найденные: {}.", r.unmatched.join(", "))
                    };
                    view! {
                        <Alert kind=AlertKind::Success>
                            <span data-testid="import-done">
                                {format!("Загружено: педагогов — {}, результатов — {}.{skipped}", r.people, r.results)}
                            </span>
                        </Alert>
                    }
                })
            }}
        </section>
    }
}

#[component]
fn Preview(p: ResultsImportPreview, commit: Callback<bool>, busy: RwSignal<bool>) -> impl IntoView {
    let summary = format!(
        "Файл «{}» ({}): педагогов — {}, результатов — {}, строк с ошибками — {}, не найдено — {}.",
        p.file_name,
        p.layout.title_ru().to_lowercase(),
        p.people,
        p.results,
        p.errors,
        p.unmatched
    );
    let has_errors = p.errors > 0;
    let has_unmatched = p.unmatched > 0;
    let rows = p
        .rows
        .iter()
        .filter(|r| !r.errors.is_empty() || r.unmatched || r.person.is_some())
        .take(500)
        .map(|r| {
            let (kind, status) = if !r.errors.is_empty() {
                (BadgeKind::Danger, "ошибка")
            } else if r.unmatched {
                (BadgeKind::Warning, "не найден")
            } else {
                (BadgeKind::Success, "готово")
            };
            let errors = r
                .errors
                .iter()
                .map(|e| format!("{}: {}", e.column, e.message))
                .collect::<Vec<_>>()
                .join("; ");
            view! {
                <tr data-testid="import-row">
                    <td data-label="Строка">{r.row}</td>
                    <td data-label="Педагог">
                        {r.person.as_ref().map_or_else(|| r.key.clone(), |p| p.full_name.clone())}
                    </td>
                    <td data-label="Результатов">{r.results}</td>
                    <td data-label="Дефицитов">{r.deficits}</td>
                    <td data-label="Состояние"><Badge kind=kind>{status}</Badge></td>
                    <td data-label="Ошибки" class="small">{errors}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="import-preview" data-testid="import-preview">
            <p>{summary}</p>
            <div class="table-wrap">
                <table class="table table-stack table-compact">
                    <thead>
                        <tr>
                            <th scope="col">"Строка"</th>
                            <th scope="col">"Педагог"</th>
                            <th scope="col">"Результатов"</th>
                            <th scope="col">"Дефицитов"</th>
                            <th scope="col">"Состояние"</th>
                            <th scope="col">"Ошибки"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {if has_errors {
                view! {
                    <p class="small">"Исправьте ошибки в файле и загрузите его снова: пока они есть, ничего не записывается."</p>
                }
                .into_any()
            } else {
                view! {
                    <div class="form-buttons">
                        <button type="button" class="btn btn-primary" data-testid="import-commit"
                            disabled=move || busy.get() on:click=move |_| commit.run(has_unmatched)>
                            {if has_unmatched { "Загрузить без не найденных" } else { "Загрузить результаты" }}
                        </button>
                    </div>
                }
                .into_any()
            }}
        </div>
    }
}
