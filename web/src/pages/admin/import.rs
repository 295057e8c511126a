//! «Загрузка сотрудников из файла»: a wizard in three steps — the file (CSV or XLSX) with a
//! progress bar, a preview with every row's problems (row and column), and the all-or-nothing
//! commit with its result.

use std::sync::Arc;

use leptos::prelude::*;
use shared::dto::{ImportAction, ImportPreview, ImportResult, ImportRowDto};
use wasm_bindgen::JsCast;

use crate::api::{ApiError, endpoints, transfer, use_api};
use crate::components::{
    Alert, AlertKind, Badge, BadgeKind, Checkbox, ErrorAlert, Loading, PageHeader, Select,
    error_fallback,
};
use crate::format;
use crate::routes;

use super::{Scope, scope_resource};

/// Rows shown at once (a file may hold thousands; problems always come first).
const SHOWN_ROWS: usize = 300;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Choose,
    Preview(Arc<ImportPreview>),
    Done(ImportResult),
}

fn content_type(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_lowercase();
    match ext.as_str() {
        "csv" | "txt" => Some("text/csv"),
        "xlsx" => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        _ => None,
    }
}

/// Every message of a refused upload: the file's problems (missing columns, encoding) one by
/// one, or the general message.
fn problems(error: &ApiError) -> Vec<String> {
    match error {
        ApiError::Http { problem, .. } if !problem.errors.is_empty() => {
            let mut out: Vec<String> = problem.detail.iter().cloned().collect();
            out.extend(problem.errors.values().flatten().cloned());
            out
        }
        _ => vec![error.message()],
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let scope = scope_resource();
    let step = RwSignal::new(Step::Choose);
    // The choices of the first step outlive it: «Выбрать другой файл» keeps them.
    let school = RwSignal::new(None::<String>);
    let invite = RwSignal::new(true);
    view! {
        <PageHeader
            title="Загрузка сотрудников"
            lead="Файл CSV (UTF-8 или Windows-1251) или XLSX: сначала проверка каждой строки, затем загрузка целиком. Уже зарегистрированные по адресу почты обновляются, а не дублируются."
        />
        <ol class="wizard-steps" aria-label="Шаги">
            <li class:current=move || step.with(|s| matches!(s, Step::Choose))>"1. Файл"</li>
            <li class:current=move || step.with(|s| matches!(s, Step::Preview(_)))>"2. Проверка"</li>
            <li class:current=move || step.with(|s| matches!(s, Step::Done(_)))>"3. Результат"</li>
        </ol>
        <Transition fallback=|| view! { <Loading /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    scope
                        .get()
                        .map(|result| {
                            result
                                .map(|scope| {
                                    move || match step.get() {
                                        Step::Choose => view! { <ChooseFile scope=scope.clone() step=step school=school invite=invite /> }.into_any(),
                                        Step::Preview(preview) => view! { <Preview preview=preview step=step /> }.into_any(),
                                        Step::Done(result) => view! { <Done result=result step=step /> }.into_any(),
                                    }
                                })
                        })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn ChooseFile(
    scope: Arc<Scope>,
    step: RwSignal<Step>,
    /// The school chosen before (kept across the wizard's steps); `None` at first.
    school: RwSignal<Option<String>>,
    invite: RwSignal<bool>,
) -> impl IntoView {
    let api = use_api();
    let schools = scope.managed(&[shared::UnitKind::School]);
    if school.get_untracked().is_none() {
        school.set(Some(if schools.len() == 1 {
            schools[0].id.to_string()
        } else {
            String::new()
        }));
    }
    let chosen = RwSignal::new(school.get_untracked().unwrap_or_default());
    Effect::new(move |_| school.set(Some(chosen.get())));
    let choices = scope.choices(&schools, Some("Указана в файле (столбец «ОО»)"));
    let progress = RwSignal::new(None::<f64>);
    let failure = RwSignal::new(None::<Vec<String>>);
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
        failure.set(None);
        let name = file.name();
        let Some(kind) = content_type(&name) else {
            failure.set(Some(vec![format!(
                "Файл «{name}» не подходит: нужен CSV или XLSX. Файл XLS сохраните в Excel как «Книга Excel (*.xlsx)»."
            )]));
            return;
        };
        if file.size() == 0.0 {
            failure.set(Some(vec![format!("Файл «{name}» пуст.")]));
            return;
        }
        let mut url = format!(
            "{}?name={}&invite={}",
            endpoints::PEOPLE_IMPORTS,
            String::from(js_sys::encode_uri_component(&name)),
            invite.get_untracked()
        );
        if let Ok(unit) = chosen.get_untracked().parse::<uuid::Uuid>() {
            url.push_str(&format!("&unit_id={unit}"));
        }
        progress.set(Some(0.0));
        leptos::task::spawn_local(async move {
            let result = transfer::upload::<ImportPreview, _>(api, &url, &file, kind, move |p| {
                progress.try_set(Some(p));
            })
            .await;
            progress.try_set(None);
            match result {
                Ok(preview) => {
                    step.try_set(Step::Preview(Arc::new(preview)));
                }
                Err(e) => {
                    failure.try_set(Some(problems(&e)));
                }
            }
        });
    };
    view! {
        <section class="card narrow">
            <div class="form">
                <Select
                    label="Образовательная организация"
                    id="import-school"
                    value=chosen
                    choices=choices
                    hint="Для строк, где организация не указана. Если в файле есть столбец «ОО», он главнее."
                />
                <Checkbox label="Отправить приглашения новым сотрудникам" id="import-invite" checked=invite />
                <div class="uploader">
                    <label class="label" for="import-file">"Файл со списком сотрудников"</label>
                    <p class="hint" id="import-file-hint">
                        "Столбцы: «Email», «ФИО» (или «Фамилия», «Имя», «Отчество»); по желанию — «Должность», «ОО», «Роль», «Телефон», «Стаж педагогический», «Стаж в должности», «Категория», «Дата категории». Первая строка — заголовки."
                    </p>
                    <input
                        type="file"
                        class="file-input"
                        id="import-file"
                        accept=".csv,.xlsx"
                        aria-describedby="import-file-hint"
                        data-testid="import-file"
                        disabled=move || progress.get().is_some()
                        on:change=on_change
                    />
                </div>
                {move || {
                    progress
                        .get()
                        .map(|p| {
                            let pct = (p * 100.0).round().clamp(0.0, 100.0) as u32;
                            let text = if pct < 100 {
                                format!("Отправляем файл: {pct} %")
                            } else {
                                "Файл получен, проверяем строки…".to_owned()
                            };
                            view! {
                                <div class="upload-progress" role="status">
                                    <progress max="100" value=pct aria-label="Загрузка файла"></progress>
                                    <span class="small">{text}</span>
                                </div>
                            }
                        })
                }}
                {move || {
                    failure
                        .get()
                        .map(|list| {
                            view! {
                                <Alert kind=AlertKind::Error title="Файл не принят">
                                    <ul>{list.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                                    <p>"Ничего не изменено. Исправьте файл и загрузите его снова."</p>
                                </Alert>
                            }
                        })
                }}
            </div>
        </section>
    }
}

fn action_badge(action: ImportAction) -> BadgeKind {
    match action {
        ImportAction::Create => BadgeKind::Success,
        ImportAction::Update => BadgeKind::Info,
        ImportAction::Error => BadgeKind::Danger,
    }
}

#[component]
fn Preview(preview: Arc<ImportPreview>, step: RwSignal<Step>) -> impl IntoView {
    let api = use_api();
    let only_errors = RwSignal::new(preview.errors > 0);
    let committing = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let can_commit = preview.errors == 0 && preview.file_errors.is_empty();
    let id = preview.id;
    let commit = move |_| {
        if committing.get_untracked() {
            return;
        }
        committing.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            let result: Result<ImportResult, ApiError> = api
                .post_empty(&endpoints::people_import(id, Some("commit")), &[])
                .await;
            committing.try_set(false);
            match result {
                Ok(result) => {
                    step.try_set(Step::Done(result));
                }
                Err(e) => {
                    failure.try_set(Some(e));
                }
            }
        });
    };
    let rows_preview = preview.clone();
    let file_errors = preview.file_errors.clone();
    let rows = move || {
        let errors_only = only_errors.get();
        let mut list: Vec<ImportRowDto> = rows_preview
            .rows
            .iter()
            .filter(|r| !errors_only || r.action == ImportAction::Error)
            .cloned()
            .collect();
        // Problems first, then in the file's order.
        list.sort_by_key(|r| (r.action != ImportAction::Error, r.row));
        let hidden = list.len().saturating_sub(SHOWN_ROWS);
        let body = list
            .into_iter()
            .take(SHOWN_ROWS)
            .map(|r| {
                let problems = r
                    .errors
                    .iter()
                    .map(|e| view! { <li>{format!("«{}»: {}", e.column, e.message)}</li> })
                    .collect_view();
                view! {
                    <tr class:row-error=r.action == ImportAction::Error data-testid="import-row">
                        <td data-label="Строка">{r.row}</td>
                        <td data-label="Сотрудник">
                            {r.full_name.clone()}
                            <span class="small muted block">{r.email.clone()}</span>
                        </td>
                        <td data-label="Организация">{format::or_not_specified(r.school.clone())}</td>
                        <td data-label="Должность, роль">
                            {format::or_not_specified(r.position.clone())}
                            {r.role.map(|role| view! { <span class="small muted block">{role.title_ru()}</span> })}
                        </td>
                        <td data-label="Итог">
                            <Badge kind=action_badge(r.action)>{r.action.title_ru()}</Badge>
                            {(!r.errors.is_empty()).then(|| view! { <ul class="cell-list small">{problems}</ul> })}
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="table table-stack table-compact">
                    <thead>
                        <tr>
                            <th scope="col">"Строка"</th>
                            <th scope="col">"Сотрудник"</th>
                            <th scope="col">"Организация"</th>
                            <th scope="col">"Должность, роль"</th>
                            <th scope="col">"Итог"</th>
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
            {(hidden > 0)
                .then(|| {
                    view! {
                        <p class="small muted">
                            {format!("И ещё {hidden} {} — они в файле, но не показаны.", format::plural(hidden as i64, "строка", "строки", "строк"))}
                        </p>
                    }
                })}
        }
    };
    view! {
        <section class="card">
            <h2 class="card-title">{format!("Файл «{}»", preview.file_name)}</h2>
            <p data-testid="import-summary">
                {format!(
                    "Строк: {}. Будут созданы: {}. Будут обновлены: {}. С ошибками: {}.",
                    preview.total,
                    preview.to_create,
                    preview.to_update,
                    preview.errors,
                )}
            </p>
            {(!file_errors.is_empty())
                .then(|| {
                    view! {
                        <Alert kind=AlertKind::Error title="Файл нельзя загрузить">
                            <ul>{file_errors.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                        </Alert>
                    }
                })}
            {if can_commit {
                view! {
                    <Alert kind=AlertKind::Success>
                        <p>"Ошибок нет: можно загружать. Все строки будут записаны разом."</p>
                    </Alert>
                }
                    .into_any()
            } else if preview.errors > 0 {
                view! {
                    <Alert kind=AlertKind::Warning>
                        <p>
                            "Загрузка возможна, только когда ошибок нет: ни одна строка не будет записана частично. "
                            "Исправьте отмеченные строки в файле и загрузите его снова."
                        </p>
                    </Alert>
                }
                    .into_any()
            } else {
                ().into_any()
            }}
            {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
            <div class="button-row">
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="import-commit"
                    disabled=!can_commit
                    aria-disabled=move || committing.get().then_some("true")
                    on:click=commit
                >
                    {move || if committing.get() { "Загружаем…" } else { "Загрузить сотрудников" }}
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| step.set(Step::Choose)>
                    "Выбрать другой файл"
                </button>
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || only_errors.get()
                        on:change=move |ev| only_errors.set(event_target_checked(&ev))
                    />
                    <span>"Только строки с ошибками"</span>
                </label>
            </div>
            {move || {
                committing
                    .get()
                    .then(|| view! { <Loading label="Записываем сотрудников: для больших файлов это займёт несколько секунд…" /> })
            }}
            {rows}
        </section>
    }
}

#[component]
fn Done(result: ImportResult, step: RwSignal<Step>) -> impl IntoView {
    view! {
        <section class="card narrow">
            <Alert kind=AlertKind::Success title="Сотрудники загружены">
                <p data-testid="import-result">
                    {format!(
                        "Создано: {}. Обновлено: {}. Приглашений отправлено: {}.",
                        result.created,
                        result.updated,
                        result.invited,
                    )}
                </p>
            </Alert>
            <div class="button-row">
                <a class="btn btn-primary" href=routes::ADMIN_PEOPLE>"К списку сотрудников"</a>
                <button type="button" class="btn btn-secondary" on:click=move |_| step.set(Step::Choose)>
                    "Загрузить ещё файл"
                </button>
            </div>
        </section>
    }
}
