//! Consent to the processing of personal data: asked once, before anything else, and kept in
//! the profile where each consent can be withdrawn or given again.

use std::collections::HashMap;

use leptos::prelude::*;
use shared::consent::ConsentMethod;
use shared::dto::{ConsentAnswer, ConsentStanding, ConsentsDto};
use uuid::Uuid;

use crate::api::{ApiError, endpoints, use_api};
use crate::components::{ErrorAlert, Loading};
use crate::format;
use crate::session::use_session;

/// Shows `children` once the person has answered every purpose that waits for them; until
/// then, the consent screen and nothing else.
#[component]
pub fn ConsentGate(children: ChildrenFn) -> impl IntoView {
    let api = use_api();
    let version = RwSignal::new(0u32);
    let consents = LocalResource::new(move || {
        version.track();
        async move { api.get::<ConsentsDto>(endpoints::MY_CONSENTS).await }
    });
    let done = Callback::new(move |()| version.update(|v| *v += 1));
    move || match consents.get() {
        None => view! { <Loading full_page=true /> }.into_any(),
        Some(Ok(c)) if c.pending > 0 => view! { <ConsentScreen consents=c done=done /> }.into_any(),
        // A failure to load the consents does not lock the person out: the server decides
        // what each purpose allows, and the profile asks again.
        Some(_) => children().into_any(),
    }
}

#[component]
fn ConsentScreen(consents: ConsentsDto, done: Callback<()>) -> impl IntoView {
    let api = use_api();
    let session = use_session();
    let pending: Vec<ConsentStanding> = consents
        .items
        .into_iter()
        .filter(|i| i.needs_answer)
        .collect();
    let choices = RwSignal::new(HashMap::<Uuid, bool>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let all = pending.len();
    let send = move |answers: Vec<(Uuid, i32, bool)>| {
        failure.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            for (id, version, given) in answers {
                let body = ConsentAnswer { given, version };
                if let Err(e) = api
                    .put::<_, ConsentsDto>(&endpoints::my_consent_answer(id), &body)
                    .await
                {
                    failure.try_set(Some(e));
                    busy.try_set(false);
                    return;
                }
            }
            busy.try_set(false);
            done.run(());
        });
    };
    let agree_all = {
        let pending = pending.clone();
        move |_| {
            send(
                pending
                    .iter()
                    .map(|i| (i.purpose.id, i.purpose.version, true))
                    .collect(),
            )
        }
    };
    let save = {
        let pending = pending.clone();
        move |_| {
            let chosen = choices.get_untracked();
            send(
                pending
                    .iter()
                    .filter_map(|i| {
                        chosen
                            .get(&i.purpose.id)
                            .map(|g| (i.purpose.id, i.purpose.version, *g))
                    })
                    .collect(),
            )
        }
    };
    let sign_out = Action::new_local(move |_: &()| session.sign_out());
    view! {
        <main class="consent-layout" id="main" data-testid="consent-screen">
            <section class="card consent-card" aria-labelledby="consent-title">
                <h1 id="consent-title">"Согласие на обработку персональных данных"</h1>
                <p class="lead">
                    "Прежде чем начать, прочтите, для чего региональный оператор платформы обрабатывает ваши данные, и ответьте по каждой цели. "
                    "Любое согласие можно отозвать в профиле в любой момент; отзыв тоже записывается."
                </p>
                {pending
                    .iter()
                    .any(|i| i.given == Some(true))
                    .then(|| view! { <p class="hint">"Текст некоторых согласий изменился — прочтите новую редакцию."</p> })}
                <ol class="consent-list">
                    {pending
                        .iter()
                        .map(|item| {
                            let id = item.purpose.id;
                            let name = format!("consent-{id}");
                            let (yes, no) = (format!("{name}-yes"), format!("{name}-no"));
                            let (yes_for, no_for) = (yes.clone(), no.clone());
                            view! {
                                <li class="consent-item" data-kind=item.purpose.kind.as_str()>
                                    <h2 class="card-title">{item.purpose.title.clone()}</h2>
                                    {item.purpose.required.then(|| view! {
                                        <p class="small muted">"Без этого согласия платформа не может вести ваш маршрут."</p>
                                    })}
                                    <div class="consent-text" tabindex="0">{item.purpose.text.clone()}</div>
                                    <fieldset class="checks">
                                        <legend class="visually-hidden">{item.purpose.title.clone()}</legend>
                                        <label class="check" for=yes_for>
                                            <input
                                                type="radio"
                                                id=yes
                                                name=name.clone()
                                                on:change=move |_| choices.update(|c| { c.insert(id, true); })
                                            />
                                            <span>"Согласен(на)"</span>
                                        </label>
                                        <label class="check" for=no_for>
                                            <input
                                                type="radio"
                                                id=no
                                                name=name
                                                on:change=move |_| choices.update(|c| { c.insert(id, false); })
                                            />
                                            <span>"Не согласен(на)"</span>
                                        </label>
                                    </fieldset>
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
                {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
                <div class="actions">
                    <button
                        type="button"
                        class="btn btn-primary"
                        data-testid="consent-agree-all"
                        disabled=move || busy.get()
                        on:click=agree_all
                    >
                        "Согласен(на) со всеми"
                    </button>
                    <button
                        type="button"
                        class="btn btn-secondary"
                        data-testid="consent-save"
                        disabled=move || busy.get() || choices.with(|c| c.len() < all)
                        on:click=save
                    >
                        "Сохранить ответы"
                    </button>
                    <button
                        type="button"
                        class="btn btn-link"
                        on:click=move |_| {
                            sign_out.dispatch(());
                        }
                    >
                        "Выйти"
                    </button>
                </div>
            </section>
        </main>
    }
}

/// The profile's card: where the person stands on each purpose, with the text, and a button to
/// withdraw or give it; every decision below.
#[component]
pub fn MyConsentsCard() -> impl IntoView {
    let api = use_api();
    let state = RwSignal::new(None::<ConsentsDto>);
    let failure = RwSignal::new(None::<ApiError>);
    let loaded =
        LocalResource::new(
            move || async move { api.get::<ConsentsDto>(endpoints::MY_CONSENTS).await },
        );
    Effect::new(move || match loaded.get() {
        Some(Ok(c)) => state.set(Some(c)),
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    let decide = move |id: Uuid, version: i32, given: bool| {
        failure.set(None);
        leptos::task::spawn_local(async move {
            let body = ConsentAnswer { given, version };
            match api
                .put::<_, ConsentsDto>(&endpoints::my_consent_answer(id), &body)
                .await
            {
                Ok(c) => {
                    state.try_set(Some(c));
                }
                Err(e) => {
                    failure.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="consents-title" data-testid="my-consents">
            <h2 class="card-title" id="consents-title">
                "Согласия на обработку персональных данных"
            </h2>
            {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
            {move || match state.get() {
                None => view! { <Loading label="Загружаем согласия…" /> }.into_any(),
                Some(c) if c.items.is_empty() => view! {
                    <p class="small muted">"Регион не запрашивает согласий."</p>
                }
                .into_any(),
                Some(c) => view! {
                    <ul class="plain stack">
                        {c.items
                            .into_iter()
                            .map(|item| {
                                let (id, version) = (item.purpose.id, item.purpose.version);
                                let given = item.given == Some(true);
                                let status = match (item.given, item.method) {
                                    (Some(true), Some(ConsentMethod::Paper)) => "Дано на бумаге".to_owned(),
                                    (Some(true), _) => "Дано".to_owned(),
                                    (Some(false), _) => "Не дано или отозвано".to_owned(),
                                    (None, _) => "Ожидает ответа".to_owned(),
                                };
                                let when = item.decided_at.map(format::date_time).unwrap_or_default();
                                view! {
                                    <li data-kind=item.purpose.kind.as_str()>
                                        <strong>{item.purpose.title.clone()}</strong>
                                        " — "
                                        <span data-testid="consent-status">{status}</span>
                                        <span class="small muted">{format!(" {when}")}</span>
                                        <details>
                                            <summary class="small">"Текст согласия"</summary>
                                            <p class="small">{item.purpose.text.clone()}</p>
                                        </details>
                                        <button
                                            type="button"
                                            class="btn btn-secondary btn-small"
                                            data-testid="consent-toggle"
                                            on:click=move |_| decide(id, version, !given)
                                        >
                                            {if given { "Отозвать согласие" } else { "Дать согласие" }}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    <details>
                        <summary class="small">{format!("История решений ({})", c.history.len())}</summary>
                        <ul class="plain">
                            {c.history
                                .into_iter()
                                .map(|r| view! {
                                    <li class="small">
                                        {format!(
                                            "{} · {} · {} · редакция {}{}",
                                            format::date_time(r.recorded_at),
                                            r.purpose_title,
                                            if r.given { "согласие" } else { "отказ или отзыв" },
                                            r.version,
                                            r.registered_by
                                                .map(|who| format!(" · на бумаге, зарегистрировал(а) {who}"))
                                                .unwrap_or_default(),
                                        )}
                                    </li>
                                })
                                .collect_view()}
                        </ul>
                    </details>
                }
                .into_any(),
            }}
        </section>
    }
}

/// The person card's section for whoever manages the person: where they stand on each purpose,
/// and a paper consent registered with its scan (prefilled: the purpose waiting longest, today).
#[component]
pub fn PersonConsents(person: Uuid) -> impl IntoView {
    use crate::components::{Choice, Input, Select};
    use wasm_bindgen::JsCast;

    let api = use_api();
    let version = RwSignal::new(0u32);
    let consents = LocalResource::new(move || {
        version.track();
        async move {
            api.get::<ConsentsDto>(&endpoints::person_consents(person))
                .await
        }
    });
    let purpose = RwSignal::new(String::new());
    let given = RwSignal::new("true".to_owned());
    let today = chrono::Utc::now().date_naive().to_string();
    let signed_on = RwSignal::new(today.clone());
    let scan = StoredValue::new_local(None::<web_sys::File>);
    let failure = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);
    Effect::new(move || {
        if let Some(Ok(c)) = consents.get()
            && purpose.get_untracked().is_empty()
        {
            let first = c
                .items
                .iter()
                .find(|i| i.needs_answer)
                .or(c.items.first())
                .map(|i| i.purpose.id.to_string())
                .unwrap_or_default();
            purpose.set(first);
        }
    });
    let on_file = move |ev: leptos::ev::Event| {
        let file = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|l| l.get(0));
        scan.set_value(file);
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        saved.set(false);
        let (Ok(purpose_id), Ok(date)) = (
            purpose.get_untracked().parse::<Uuid>(),
            signed_on.get_untracked().parse::<chrono::NaiveDate>(),
        ) else {
            return;
        };
        let body = shared::dto::PaperConsent {
            purpose_id,
            given: given.get_untracked() == "true",
            signed_on: date,
        };
        let file = scan.get_value();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = async {
                let record: shared::dto::ConsentRecordDto =
                    api.post(&endpoints::person_consents(person), &body).await?;
                if let Some(file) = file {
                    let content_type =
                        crate::route_text::content_type_for(&file.name()).unwrap_or("");
                    let url = format!("{}/{}/scan", endpoints::person_consents(person), record.id);
                    crate::api::transfer::upload::<shared::dto::ConsentRecordDto, _>(
                        api,
                        &url,
                        &file,
                        content_type,
                        |_| {},
                    )
                    .await?;
                }
                Ok::<_, ApiError>(())
            }
            .await;
            busy.try_set(false);
            match result {
                Ok(()) => {
                    saved.try_set(true);
                    version.update(|v| *v += 1);
                }
                Err(e) => {
                    failure.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="person-consents-title" data-testid="person-consents">
            <h2 class="card-title" id="person-consents-title">"Согласия на обработку персональных данных"</h2>
            {move || match consents.get() {
                None => view! { <Loading label="Загружаем согласия…" /> }.into_any(),
                Some(Err(e)) => view! { <ErrorAlert error=e /> }.into_any(),
                Some(Ok(c)) => {
                    let choices: Vec<Choice> = c
                        .items
                        .iter()
                        .map(|i| Choice::One(i.purpose.id.to_string(), i.purpose.title.clone()))
                        .collect();
                    view! {
                        <ul class="plain">
                            {c.items
                                .iter()
                                .map(|i| {
                                    let status = match (i.given, i.method) {
                                        (Some(true), Some(ConsentMethod::Paper)) => "дано на бумаге",
                                        (Some(true), _) => "дано",
                                        (Some(false), _) => "не дано или отозвано",
                                        (None, _) => "ожидает ответа",
                                    };
                                    view! {
                                        <li class="small" data-testid="person-consent">
                                            <strong>{i.purpose.title.clone()}</strong>
                                            {format!(" — {status}")}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                        <form class="form" on:submit=submit novalidate=true>
                            <h3>"Зарегистрировать согласие, подписанное на бумаге"</h3>
                            <Select label="Цель" id="paper-purpose" value=purpose choices=choices required=true />
                            <Select
                                label="Решение"
                                id="paper-given"
                                value=given
                                choices=vec![
                                    Choice::One("true".into(), "Согласие дано".into()),
                                    Choice::One("false".into(), "Согласие отозвано".into()),
                                ]
                            />
                            <Input
                                label="Дата подписания"
                                id="paper-signed-on"
                                value=signed_on
                                input_type="date"
                                max=today.clone()
                                required=true
                            />
                            <div class="field">
                                <label class="label" for="paper-scan">"Скан (PDF, JPEG или PNG)"</label>
                                <input
                                    type="file"
                                    id="paper-scan"
                                    accept=".pdf,.jpg,.jpeg,.png"
                                    on:change=on_file
                                />
                            </div>
                            <button
                                type="submit"
                                class="btn btn-primary"
                                data-testid="paper-consent-save"
                                disabled=move || busy.get()
                            >
                                "Зарегистрировать"
                            </button>
                        </form>
                    }
                    .into_any()
                }
            }}
            {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
            <p class="hint" role="status" data-testid="paper-consent-saved">
                {move || if saved.get() { "Согласие зарегистрировано" } else { "" }}
            </p>
        </section>
    }
}

/// The regional manager's list of the region's purposes: each text editable (a new text is a
/// new version, asked again), a purpose switched off, a new one added.
#[component]
pub fn RegionPurposes(region: Uuid) -> impl IntoView {
    use shared::dto::{ConsentPurposeDto, ConsentPurposeInput};

    let api = use_api();
    let version = RwSignal::new(0u32);
    let purposes = LocalResource::new(move || {
        version.track();
        async move {
            api.get::<Vec<ConsentPurposeDto>>(&endpoints::unit_consent_purposes(region))
                .await
        }
    });
    let failure = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(None::<String>);
    let save = move |id: Option<Uuid>, input: ConsentPurposeInput| {
        failure.set(None);
        saved.set(None);
        leptos::task::spawn_local(async move {
            let result = match id {
                Some(id) => {
                    api.put::<_, ConsentPurposeDto>(&endpoints::consent_purpose(id), &input)
                        .await
                }
                None => {
                    api.post::<_, ConsentPurposeDto>(
                        &endpoints::unit_consent_purposes(region),
                        &input,
                    )
                    .await
                }
            };
            match result {
                Ok(p) => {
                    saved.try_set(Some(format!(
                        "Сохранено: «{}», редакция {}",
                        p.title, p.version
                    )));
                    version.update(|v| *v += 1);
                }
                Err(e) => {
                    failure.try_set(Some(e));
                }
            }
        });
    };
    let editor = move |p: Option<ConsentPurposeDto>| {
        let id = p.as_ref().map(|p| p.id);
        let title = RwSignal::new(p.as_ref().map(|p| p.title.clone()).unwrap_or_default());
        let text = RwSignal::new(p.as_ref().map(|p| p.text.clone()).unwrap_or_default());
        let active = RwSignal::new(p.as_ref().is_none_or(|p| p.active));
        let kind = p
            .as_ref()
            .map_or(shared::consent::PurposeKind::Other, |p| p.kind);
        let required = p.as_ref().is_some_and(|p| p.required);
        let heading = match &p {
            Some(p) => format!("{} · редакция {}", p.kind.title_ru(), p.version),
            None => "Новая цель".to_owned(),
        };
        let key = id.map_or_else(|| "new".to_owned(), |i| i.to_string());
        let (title_id, text_id, active_id) = (
            format!("purpose-title-{key}"),
            format!("purpose-text-{key}"),
            format!("purpose-active-{key}"),
        );
        let active_for = active_id.clone();
        view! {
            <details class="purpose" data-testid="consent-purpose">
                <summary>{heading}{p.as_ref().map(|p| format!(": {}", p.title))}</summary>
                <form
                    class="form"
                    novalidate=true
                    on:submit=move |ev| {
                        ev.prevent_default();
                        save(
                            id,
                            ConsentPurposeInput {
                                kind,
                                title: title.get_untracked(),
                                text: text.get_untracked(),
                                required,
                                active: active.get_untracked(),
                            },
                        );
                    }
                >
                    <crate::components::Input label="Название" id=title_id value=title required=true />
                    <crate::components::TextArea
                        label="Текст согласия"
                        id=text_id
                        value=text
                        rows=6
                        hint="Новый текст — новая редакция: давшие согласие на прежнюю ответят ещё раз."
                    />
                    <label class="check" for=active_for>
                        <input
                            type="checkbox"
                            id=active_id
                            prop:checked=move || active.get()
                            on:change=move |ev| active.set(event_target_checked(&ev))
                        />
                        <span>"Запрашивать это согласие"</span>
                    </label>
                    <button type="submit" class="btn btn-secondary btn-small">"Сохранить"</button>
                </form>
            </details>
        }
    };
    view! {
        <div class="policy" data-testid="consent-purposes">
            <h2 class="card-subtitle">"Цели обработки персональных данных"</h2>
            <p class="small muted">
                "Каждую цель педагоги и сотрудники региона видят отдельным согласием при первом входе и могут отозвать в профиле."
            </p>
            {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
            <p class="hint" role="status">{move || saved.get().unwrap_or_default()}</p>
            {move || match purposes.get() {
                None => view! { <Loading label="Загружаем цели…" /> }.into_any(),
                Some(Err(e)) => view! { <ErrorAlert error=e /> }.into_any(),
                Some(Ok(list)) => view! {
                    {list.into_iter().map(|p| editor(Some(p))).collect_view()}
                    {editor(None)}
                }
                .into_any(),
            }}
        </div>
    }
}

/// The profile's «Удалить мои данные»: the request, and what became of earlier ones.
#[component]
pub fn MyErasureCard() -> impl IntoView {
    use shared::dto::{ErasureInput, ErasureRequestDto, ErasureStatus};

    let api = use_api();
    let version = RwSignal::new(0u32);
    let requests = LocalResource::new(move || {
        version.track();
        async move {
            api.get::<Vec<ErasureRequestDto>>(endpoints::MY_ERASURE_REQUESTS)
                .await
        }
    });
    let reason = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<ApiError>);
    let ask = move |_| {
        if !crate::pages::admin::confirm(
            "Попросить удалить все ваши данные? Решение примет региональный менеджер; после удаления войти будет нельзя.",
        ) {
            return;
        }
        failure.set(None);
        let body = ErasureInput {
            reason: Some(reason.get_untracked()),
        };
        leptos::task::spawn_local(async move {
            match api
                .post::<_, ErasureRequestDto>(endpoints::MY_ERASURE_REQUESTS, &body)
                .await
            {
                Ok(_) => version.update(|v| *v += 1),
                Err(e) => {
                    failure.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="erasure-title" data-testid="my-erasure">
            <h2 class="card-title" id="erasure-title">"Удаление моих данных"</h2>
            <p class="small">
                "Вы можете попросить удалить всё, что платформа хранит о вас. Выданные свидетельства останутся проверяемыми по номеру, но без вашего имени."
            </p>
            {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
            {move || match requests.get() {
                Some(Ok(list)) if list.iter().any(|r| r.status == ErasureStatus::Pending) => view! {
                    <p data-testid="erasure-pending">"Запрос отправлен и ждёт решения регионального менеджера."</p>
                }
                .into_any(),
                Some(Ok(list)) => view! {
                    {list
                        .first()
                        .filter(|r| r.status == ErasureStatus::Rejected)
                        .map(|r| view! {
                            <p class="small">
                                {format!("Прошлый запрос отклонён: {}", r.decision_note.clone().unwrap_or_default())}
                            </p>
                        })}
                    <crate::components::TextArea
                        label="Причина (необязательно)"
                        id="erasure-reason"
                        value=reason
                        rows=2
                    />
                    <button type="button" class="btn btn-secondary" data-testid="erasure-ask" on:click=ask>
                        "Попросить удалить мои данные"
                    </button>
                }
                .into_any(),
                Some(Err(e)) => view! { <ErrorAlert error=e /> }.into_any(),
                None => view! { <Loading label="Загружаем…" /> }.into_any(),
            }}
        </section>
    }
}

/// The region's requests to erase data, for its manager: carry out or refuse with a reason.
#[component]
pub fn ErasureRequests() -> impl IntoView {
    use shared::dto::{ErasureDecision, ErasureRequestDto, ErasureStatus};

    let api = use_api();
    let version = RwSignal::new(0u32);
    let requests = LocalResource::new(move || {
        version.track();
        async move {
            api.get::<Vec<ErasureRequestDto>>(endpoints::ERASURE_REQUESTS)
                .await
        }
    });
    let failure = RwSignal::new(None::<ApiError>);
    let decide = move |id: Uuid, execute: bool, note: Option<String>| {
        failure.set(None);
        leptos::task::spawn_local(async move {
            let body = ErasureDecision { note };
            match api
                .post::<_, ErasureRequestDto>(&endpoints::erasure_decision(id, execute), &body)
                .await
            {
                Ok(_) => version.update(|v| *v += 1),
                Err(e) => {
                    failure.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <div class="policy" data-testid="erasure-requests">
            <h2 class="card-subtitle">"Запросы на удаление данных"</h2>
            {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
            {move || match requests.get() {
                None => view! { <Loading label="Загружаем запросы…" /> }.into_any(),
                Some(Err(e)) => view! { <ErrorAlert error=e /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="small muted">"Запросов нет."</p>
                }
                .into_any(),
                Some(Ok(list)) => view! {
                    <ul class="plain stack">
                        {list
                            .into_iter()
                            .map(|r| {
                                let note = RwSignal::new(String::new());
                                let pending = r.status == ErasureStatus::Pending;
                                let who = r.subject_name.clone().unwrap_or_else(|| "Сведения о человеке удалены".into());
                                let id = r.id;
                                view! {
                                    <li data-testid="erasure-request">
                                        <strong>{who}</strong>
                                        {format!(
                                            " · {} · {}{}",
                                            format::date_time(r.created_at),
                                            r.status.title_ru(),
                                            r.reason.map(|x| format!(" · «{x}»")).unwrap_or_default(),
                                        )}
                                        {r.outcome.map(|o| view! {
                                            <p class="small muted">
                                                {o.iter()
                                                    .map(|(k, n)| format!("{}: {n}", shared::retention::record_label(k)))
                                                    .collect::<Vec<_>>()
                                                    .join("; ")}
                                            </p>
                                        })}
                                        {pending.then(|| view! {
                                            <div class="actions">
                                                <button
                                                    type="button"
                                                    class="btn btn-primary btn-small"
                                                    on:click=move |_| {
                                                        if crate::pages::admin::confirm("Удалить данные этого человека безвозвратно?") {
                                                            decide(id, true, None);
                                                        }
                                                    }
                                                >
                                                    "Удалить данные"
                                                </button>
                                                <input
                                                    class="input"
                                                    placeholder="Почему отклонён"
                                                    aria-label="Почему отклонён"
                                                    bind:value=note
                                                />
                                                <button
                                                    type="button"
                                                    class="btn btn-secondary btn-small"
                                                    on:click=move |_| decide(id, false, Some(note.get_untracked()))
                                                >
                                                    "Отклонить"
                                                </button>
                                            </div>
                                        })}
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
