//! «Интеграции»: clients of the integration API (regional platforms and other systems) for
//! administrators and regional managers — registering one (its secret shown once, with a copy
//! button), rotating credentials with an overlap, revoking; webhooks per client with their
//! delivery log and re-delivery.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::access::ClientScope;
use shared::dto::{
    ClientDto, CreateClient, CreateWebhook, DeliveryDto, DeliveryStatus, IssuedCredentials,
    RotateCredentials, WebhookDto, WebhookEvent,
};
use shared::{Role, UnitKind};
use uuid::Uuid;
use validator::Validate;

use crate::api::{ApiError, endpoints, use_api};
use crate::components::{
    Alert, AlertKind, Badge, BadgeKind, DetailRow, Details, ErrorAlert, FormAlert, FormState,
    Input, Loading, PageHeader, Select, TextArea, error_fallback, opt,
};
use crate::format;
use crate::pages::admin::{CodeChecks, Scope, SecretValue, confirm, scope_resource};
use crate::routes;

/// Units a client may be bound to by this person: regions and municipalities they manage.
fn client_units(scope: &Scope) -> Vec<&shared::dto::UnitDto> {
    scope
        .units
        .iter()
        .filter(|u| {
            !u.archived
                && matches!(u.kind, UnitKind::Region | UnitKind::Municipality)
                && (scope.actor.is_admin() || scope.actor.covers(Role::RegionalManager, &u.path))
        })
        .collect()
}

fn scope_titles(scopes: &[ClientScope]) -> String {
    scopes
        .iter()
        .map(|s| s.title_ru())
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let api = use_api();
    let scope = scope_resource();
    let clients = LocalResource::new(move || async move {
        api.get::<Vec<ClientDto>>(endpoints::INTEGRATIONS).await
    });
    let issued = RwSignal::new(None::<IssuedCredentials>);
    let open = RwSignal::new(false);
    let added = RwSignal::new(Vec::<ClientDto>::new());
    // Owned by the page, not by the form: the form is hidden, never torn down, when a client
    // is created, so nothing it runs outlives its owner.
    let on_created = Callback::new(move |c: IssuedCredentials| {
        added.update(|a| a.push(c.client.clone()));
        issued.set(Some(c));
        open.set(false);
        clients.refetch();
    });
    view! {
        <PageHeader
            title="Интеграции"
            lead="Внешние системы (региональные платформы и другие), которые получают статусы маршрутов через API и уведомления через веб-хуки."
        />
        <p class="button-row">
            <button
                type="button"
                class="btn btn-primary"
                data-testid="new-client"
                on:click=move |_| {
                    issued.set(None);
                    open.update(|o| *o = !*o);
                }
            >
                "Подключить систему"
            </button>
            <a class="btn btn-secondary" href=routes::API_DOCS rel="external">"Документация API"</a>
        </p>
        {move || issued.get().map(|c| view! { <Issued credentials=c /> })}
        <div hidden=move || !open.get()>
            <Transition fallback=|| view! { <Loading /> }>
                <ErrorBoundary fallback=error_fallback>
                    {move || {
                        scope
                            .get()
                            .map(|result| {
                                result
                                    .map(|scope| {
                                        view! {
                                            <NewClient scope=scope on_created=on_created />
                                        }
                                    })
                            })
                    }}
                </ErrorBoundary>
            </Transition>
        </div>
        <section class="card" aria-label="Подключённые системы">
            <Transition fallback=|| view! { <Loading label="Загружаем клиентов…" /> }>
                <ErrorBoundary fallback=error_fallback>
                    {move || {
                        clients
                            .get()
                            .map(|result| {
                                result
                                    .map(|mut list| {
                                        for c in added.get() {
                                            if !list.iter().any(|l| l.id == c.id) {
                                                list.push(c);
                                            }
                                        }
                                        if list.is_empty() {
                                            view! {
                                                <p class="empty">
                                                    "Пока ни одна система не подключена. Нажмите «Подключить систему»: понадобятся только название и права."
                                                </p>
                                            }
                                                .into_any()
                                        } else {
                                            view! { <ClientTable clients=list /> }.into_any()
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
fn ClientTable(clients: Vec<ClientDto>) -> impl IntoView {
    let rows = clients
        .into_iter()
        .map(|c| {
            view! {
                <tr data-testid="client-row">
                    <td data-label="Система">
                        <a class="route-link" href=routes::integration_page(c.id)>{c.name.clone()}</a>
                    </td>
                    <td data-label="Данные">{format::unit(&c.unit)}</td>
                    <td data-label="Права" class="small">{scope_titles(&c.scopes)}</td>
                    <td data-label="Состояние">
                        {if c.revoked {
                            view! { <Badge kind=BadgeKind::Danger>"отключена"</Badge> }.into_any()
                        } else {
                            view! { <Badge kind=BadgeKind::Success>"подключена"</Badge> }.into_any()
                        }}
                    </td>
                    <td data-label="С">{format::date(c.created_at.date_naive())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table table-stack">
                <thead>
                    <tr>
                        <th scope="col">"Система"</th>
                        <th scope="col">"Данные"</th>
                        <th scope="col">"Права"</th>
                        <th scope="col">"Состояние"</th>
                        <th scope="col">"Подключена"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The secrets of new or rotated credentials, shown this once.
#[component]
fn Issued(credentials: IssuedCredentials) -> impl IntoView {
    view! {
        <section class="card issued" data-testid="issued" aria-labelledby="issued-title">
            <h2 class="card-title" id="issued-title">
                {format!("Учётные данные «{}»", credentials.client.name)}
            </h2>
            <Alert kind=AlertKind::Warning title="Секрет показан один раз">
                <p>
                    "Скопируйте его сейчас и передайте администратору внешней системы защищённым способом. "
                    "Мы храним только его хеш: потеряв секрет, выпустите новый («Сменить секрет»)."
                </p>
            </Alert>
            <SecretValue label="client_id" value=credentials.client_id.to_string() testid="client-id" />
            <SecretValue label="client_secret (OAuth 2.0, POST /api/v1/oauth/token)" value=credentials.client_secret.clone() testid="client-secret" />
            <SecretValue label="API-ключ (заголовок Authorization: Bearer …)" value=credentials.api_key.clone() testid="api-key" />
            <p class="small muted">
                "Подойдёт любой из двух способов: обмен client_id и client_secret на короткоживущий токен (OAuth 2.0 client credentials) или API-ключ в каждом запросе."
            </p>
            <p>
                <a href=routes::integration_page(credentials.client.id)>"Открыть карточку системы →"</a>
            </p>
        </section>
    }
}

#[component]
fn NewClient(scope: Arc<Scope>, on_created: Callback<IssuedCredentials>) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let units = client_units(&scope);
    // The region first: a regional platform sees the whole region.
    let default_unit = units
        .iter()
        .find(|u| u.kind == UnitKind::Region)
        .or(units.first())
        .map(|u| u.id.to_string())
        .unwrap_or_default();
    let unit_choices = scope.choices(&units, None);
    let name = RwSignal::new(String::new());
    let unit = RwSignal::new(default_unit);
    let scopes = RwSignal::new(vec![
        ClientScope::ReadRoutes.as_str().to_owned(),
        ClientScope::ReadPeople.as_str().to_owned(),
    ]);
    let ips = RwSignal::new(String::new());
    let rate = RwSignal::new(String::new());
    let scope_options: Vec<(String, String)> = ClientScope::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), s.title_ru().to_owned()))
        .collect();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let Ok(unit_id) = unit.get_untracked().parse::<Uuid>() else {
            form.fail("unit_id", "Выберите регион или муниципалитет.");
            return;
        };
        let rate_limit_per_minute = match opt(rate) {
            None => None,
            Some(v) => match v.parse::<i32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    form.fail("rate_limit_per_minute", "Укажите целое число.");
                    return;
                }
            },
        };
        let request = CreateClient {
            name: name.get_untracked().trim().to_owned(),
            unit_id,
            scopes: scopes
                .get_untracked()
                .iter()
                .filter_map(|s| s.parse::<ClientScope>().ok())
                .collect(),
            ip_allowlist: ips
                .get_untracked()
                .split([',', '\n', ';', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            rate_limit_per_minute,
        };
        if !form.check(request.validate()) {
            return;
        }
        form.run(
            async move {
                let issued: IssuedCredentials = api.post(endpoints::INTEGRATIONS, &request).await?;
                on_created.run(issued);
                Ok(())
            },
            move || {
                name.set(String::new());
                ips.set(String::new());
                rate.set(String::new());
            },
        );
    };
    view! {
        <section class="card narrow" aria-labelledby="new-client-title">
            <h2 class="card-title" id="new-client-title">"Новая система"</h2>
            <form class="form" on:submit=submit novalidate=true>
                <FormAlert form=form />
                <Input
                    label="Название"
                    id="client-name"
                    value=name
                    error=form.field("name")
                    required=true
                    hint="Чтобы узнать её в журнале: «Региональная платформа ИОМП»."
                />
                <Select
                    label="Чьи данные видит"
                    id="client-unit"
                    value=unit
                    choices=unit_choices
                    error=form.field("unit_id")
                    hint="Регион целиком или один муниципалитет: данных за его пределами система не увидит."
                />
                <CodeChecks legend="Права" id="client-scopes" options=scope_options selected=scopes error=form.field("scopes") />
                <TextArea
                    label="Разрешённые IP-адреса"
                    id="client-ips"
                    value=ips
                    rows=2
                    error=form.field("ip_allowlist")
                    hint="Необязательно. Адреса или сети (10.0.0.0/8) через запятую или с новой строки; пусто — с любого адреса."
                />
                <Input
                    label="Запросов в минуту"
                    id="client-rate"
                    input_type="number"
                    min="1"
                    value=rate
                    error=form.field("rate_limit_per_minute")
                    hint="Необязательно; по умолчанию 600."
                />
                <div class="form-buttons">
                    <button
                        type="submit"
                        class="btn btn-primary"
                        data-testid="create-client"
                        aria-disabled=move || form.busy.get().then_some("true")
                    >
                        {move || if form.busy.get() { "Подключаем…" } else { "Подключить и выдать секрет" }}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// One client: its details and credentials, rotation and revocation, its webhooks.
#[component]
pub fn IntegrationPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| {
        p.get(routes::ID_PARAM)
            .and_then(|v| v.parse::<Uuid>().ok())
            .unwrap_or_default()
    });
    let api = use_api();
    let client = LocalResource::new(move || async move {
        api.get::<ClientDto>(&endpoints::integration(id, None))
            .await
    });
    let issued = RwSignal::new(None::<IssuedCredentials>);
    view! {
        <p class="breadcrumbs">
            <a href=routes::INTEGRATIONS>"← Интеграции"</a>
        </p>
        <Transition fallback=|| view! { <Loading label="Загружаем…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    client
                        .get()
                        .map(|result| {
                            result
                                .map(|c| {
                                    view! {
                                        <ClientCard
                                            client=c
                                            issued=issued
                                            reload=Callback::new(move |_| client.refetch())
                                        />
                                    }
                                })
                        })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn ClientCard(
    client: ClientDto,
    issued: RwSignal<Option<IssuedCredentials>>,
    reload: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let id = client.id;
    let revoked = client.revoked;
    let failure = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let revoke = move |_| {
        if busy.get_untracked()
            || !confirm("Отключить систему? Все её ключи и токены перестанут работать сразу.")
        {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result: Result<ClientDto, ApiError> = api
                .post_empty(&endpoints::integration(id, Some("revoke")), &[])
                .await;
            busy.try_set(false);
            match result {
                Ok(_) => {
                    issued.try_set(None);
                    reload.run(());
                }
                Err(e) => {
                    failure.try_set(Some(e));
                }
            }
        });
    };
    let credentials = client
        .credentials
        .iter()
        .map(|c| {
            let state = if c.revoked {
                view! { <Badge kind=BadgeKind::Danger>"отозван"</Badge> }.into_any()
            } else if let Some(until) = c.expires_at {
                view! { <Badge kind=BadgeKind::Warning>{format!("действует до {}", format::date_time(until))}</Badge> }
                    .into_any()
            } else {
                view! { <Badge kind=BadgeKind::Success>"действует"</Badge> }.into_any()
            };
            view! {
                <tr>
                    <td data-label="Ключ"><code>{format!("{}…", c.key_prefix)}</code></td>
                    <td data-label="Выпущен">{format::date_time(c.created_at)}</td>
                    <td data-label="Последнее обращение">{format::or_not_specified(c.last_used_at.map(format::date_time))}</td>
                    <td data-label="Состояние">{state}</td>
                </tr>
            }
        })
        .collect_view();
    let ips = if client.ip_allowlist.is_empty() {
        "любые".to_owned()
    } else {
        client.ip_allowlist.join(", ")
    };
    view! {
        <PageHeader title=client.name.clone() lead=format!("Данные: {}", format::unit(&client.unit)) />
        {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
        {move || issued.get().map(|c| view! { <Issued credentials=c /> })}
        <div class="stack">
            <section class="card" aria-labelledby="client-title">
                <div class="card-head">
                    <h2 class="card-title" id="client-title">"Доступ"</h2>
                    {if revoked {
                        view! { <Badge kind=BadgeKind::Danger>"отключена"</Badge> }.into_any()
                    } else {
                        view! { <Badge kind=BadgeKind::Success>"подключена"</Badge> }.into_any()
                    }}
                </div>
                <Details>
                    <DetailRow label="client_id" value=Some(client.id.to_string()) />
                    <DetailRow label="Права" value=Some(scope_titles(&client.scopes)) />
                    <DetailRow label="Разрешённые IP-адреса" value=Some(ips) />
                    <DetailRow label="Запросов в минуту" value=Some(client.rate_limit_per_minute.to_string()) />
                    <DetailRow label="Подключена" value=Some(format::date_time(client.created_at)) />
                </Details>
                <h3 class="card-subtitle">"Ключи"</h3>
                <div class="table-wrap">
                    <table class="table table-stack table-compact">
                        <thead>
                            <tr>
                                <th scope="col">"Ключ"</th>
                                <th scope="col">"Выпущен"</th>
                                <th scope="col">"Последнее обращение"</th>
                                <th scope="col">"Состояние"</th>
                            </tr>
                        </thead>
                        <tbody>{credentials}</tbody>
                    </table>
                </div>
                {(!revoked)
                    .then(|| {
                        view! {
                            <Rotate id=id issued=issued reload=reload />
                            <div class="button-row">
                                <button
                                    type="button"
                                    class="btn btn-danger"
                                    aria-disabled=move || busy.get().then_some("true")
                                    on:click=revoke
                                >
                                    "Отключить систему"
                                </button>
                            </div>
                        }
                    })}
            </section>
            <Webhooks client=id revoked=revoked />
        </div>
    }
}

#[component]
fn Rotate(
    id: Uuid,
    issued: RwSignal<Option<IssuedCredentials>>,
    reload: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let overlap = RwSignal::new("24".to_owned());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let Ok(hours) = overlap.get_untracked().trim().parse::<i64>() else {
            form.fail("overlap_hours", "Укажите число часов (0 — сразу).");
            return;
        };
        let request = RotateCredentials {
            overlap_hours: Some(hours),
        };
        if !form.check(request.validate()) {
            return;
        }
        form.run(
            async move {
                let c: IssuedCredentials = api
                    .post(&endpoints::integration(id, Some("rotate")), &request)
                    .await?;
                issued.set(Some(c));
                reload.run(());
                Ok(())
            },
            || {},
        );
    };
    view! {
        <form class="form item-form" on:submit=submit novalidate=true>
            <h3 class="card-subtitle">"Сменить секрет"</h3>
            <FormAlert form=form />
            <Input
                label="Сколько часов будут действовать старые ключи"
                id="rotate-overlap"
                input_type="number"
                min="0"
                max="720"
                value=overlap
                error=form.field("overlap_hours")
                hint="Время, чтобы внешняя система перешла на новый секрет без перерыва. 0 — старые перестанут работать сразу."
            />
            <div class="form-buttons">
                <button type="submit" class="btn btn-secondary" aria-disabled=move || form.busy.get().then_some("true")>
                    "Выпустить новый секрет"
                </button>
            </div>
        </form>
    }
}

#[component]
fn Webhooks(client: Uuid, revoked: bool) -> impl IntoView {
    let api = use_api();
    let hooks = LocalResource::new(move || async move {
        api.get::<Vec<WebhookDto>>(&endpoints::integration(client, Some("webhooks")))
            .await
    });
    let created = RwSignal::new(None::<WebhookDto>);
    let reload = Callback::new(move |_| hooks.refetch());
    view! {
        <section class="card" aria-labelledby="hooks-title">
            <h2 class="card-title" id="hooks-title">"Веб-хуки"</h2>
            <p class="small muted">
                "Уведомления о событиях отправляются POST-запросом с подписью HMAC-SHA256 (заголовки с меткой времени и подписью), с повторами при сбоях. После многих неудач подряд подписка отключается."
            </p>
            {move || {
                created
                    .get()
                    .and_then(|h| h.secret.clone().map(|s| (h, s)))
                    .map(|(h, secret)| {
                        view! {
                            <Alert kind=AlertKind::Warning title="Секрет подписи показан один раз">
                                <p>{format!("Подписка на {} создана. Сохраните секрет для проверки подписи:", h.url)}</p>
                            </Alert>
                            <SecretValue label="Секрет подписи" value=secret testid="webhook-secret" />
                        }
                    })
            }}
            <Transition fallback=|| view! { <Loading label="Загружаем подписки…" /> }>
                <ErrorBoundary fallback=error_fallback>
                    {move || {
                        hooks
                            .get()
                            .map(|result| {
                                result
                                    .map(|list| {
                                        if list.is_empty() {
                                            view! { <p class="muted">"Подписок нет."</p> }.into_any()
                                        } else {
                                            view! {
                                                <ul class="item-list">
                                                    {list
                                                        .into_iter()
                                                        .map(|h| view! { <Webhook hook=h reload=reload /> })
                                                        .collect_view()}
                                                </ul>
                                            }
                                                .into_any()
                                        }
                                    })
                            })
                    }}
                </ErrorBoundary>
            </Transition>
            {(!revoked)
                .then(|| {
                    view! {
                        <NewWebhook
                            client=client
                            on_created=Callback::new(move |h: WebhookDto| {
                                created.set(Some(h));
                                hooks.refetch();
                            })
                        />
                    }
                })}
        </section>
    }
}

#[component]
fn NewWebhook(client: Uuid, on_created: Callback<WebhookDto>) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let url = RwSignal::new("https://".to_owned());
    let events = RwSignal::new(vec![
        WebhookEvent::RouteApproved.as_str().to_owned(),
        WebhookEvent::RouteCompleted.as_str().to_owned(),
    ]);
    let options: Vec<(String, String)> = WebhookEvent::ALL
        .iter()
        .map(|e| {
            (
                e.as_str().to_owned(),
                format!("{} ({})", e.title_ru(), e.as_str()),
            )
        })
        .collect();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let request = CreateWebhook {
            url: url.get_untracked().trim().to_owned(),
            events: events
                .get_untracked()
                .iter()
                .filter_map(|e| e.parse::<WebhookEvent>().ok())
                .collect(),
        };
        if !form.check(request.validate()) {
            return;
        }
        form.run(
            async move {
                let hook: WebhookDto = api
                    .post(&endpoints::integration(client, Some("webhooks")), &request)
                    .await?;
                on_created.run(hook);
                Ok(())
            },
            move || url.set("https://".to_owned()),
        );
    };
    view! {
        <form class="form item-form" on:submit=submit novalidate=true>
            <h3 class="card-subtitle">"Новая подписка"</h3>
            <FormAlert form=form />
            <Input label="Адрес получателя" id="hook-url" input_type="url" value=url error=form.field("url") required=true />
            <CodeChecks legend="События" id="hook-events" options=options selected=events error=form.field("events") />
            <div class="form-buttons">
                <button type="submit" class="btn btn-secondary" aria-disabled=move || form.busy.get().then_some("true")>
                    "Подписать"
                </button>
            </div>
        </form>
    }
}

#[component]
fn Webhook(hook: WebhookDto, reload: Callback<()>) -> impl IntoView {
    let api = use_api();
    let id = hook.id;
    let show_log = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let act = move |what: &'static str| {
        if busy.get_untracked() {
            return;
        }
        if what == "delete" && !confirm("Удалить подписку? Уведомления перестанут приходить.")
        {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result: Result<(), ApiError> = if what == "delete" {
                api.delete::<()>(&endpoints::webhook(id, None)).await
            } else {
                api.post_empty::<WebhookDto>(&endpoints::webhook(id, Some("enable")), &[])
                    .await
                    .map(|_| ())
            };
            busy.try_set(false);
            match result {
                Ok(()) => reload.run(()),
                Err(e) => {
                    failure.try_set(Some(e));
                }
            }
        });
    };
    let events = hook
        .events
        .iter()
        .map(|e| view! { <span class="chip">{e.as_str()}</span> })
        .collect_view();
    view! {
        <li class="item" data-testid="webhook">
            <div class="item-head">
                <span class="item-title"><code>{hook.url.clone()}</code></span>
                {if hook.active {
                    view! { <Badge kind=BadgeKind::Success>"включена"</Badge> }.into_any()
                } else {
                    view! {
                        <Badge kind=BadgeKind::Danger>
                            {match hook.disabled_at {
                                Some(at) => format!("отключена {}", format::date_time(at)),
                                None => "отключена".to_owned(),
                            }}
                        </Badge>
                    }
                        .into_any()
                }}
            </div>
            <div class="chips">{events}</div>
            {(hook.consecutive_failures > 0)
                .then(|| view! { <p class="small">{format!("Неудачных доставок подряд: {}", hook.consecutive_failures)}</p> })}
            {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
            <div class="button-row">
                <button type="button" class="btn btn-secondary btn-small" on:click=move |_| show_log.update(|s| *s = !*s)>
                    {move || if show_log.get() { "Скрыть журнал" } else { "Журнал доставок" }}
                </button>
                {(!hook.active)
                    .then(|| {
                        view! {
                            <button type="button" class="btn btn-secondary btn-small" on:click=move |_| act("enable")>
                                "Включить"
                            </button>
                        }
                    })}
                <button type="button" class="btn btn-ghost btn-small" on:click=move |_| act("delete")>
                    "Удалить"
                </button>
            </div>
            <Show when=move || show_log.get()>
                <Deliveries webhook=id />
            </Show>
        </li>
    }
}

fn delivery_badge(status: DeliveryStatus) -> BadgeKind {
    match status {
        DeliveryStatus::Pending => BadgeKind::Info,
        DeliveryStatus::Delivered => BadgeKind::Success,
        DeliveryStatus::Failed => BadgeKind::Danger,
    }
}

#[component]
fn Deliveries(webhook: Uuid) -> impl IntoView {
    let api = use_api();
    let log = LocalResource::new(move || async move {
        api.get::<Vec<DeliveryDto>>(&endpoints::webhook(webhook, Some("deliveries")))
            .await
    });
    let failure = RwSignal::new(None::<ApiError>);
    let redeliver = move |delivery: Uuid| {
        leptos::task::spawn_local(async move {
            let result: Result<DeliveryDto, ApiError> =
                api.post_empty(&endpoints::redeliver(delivery), &[]).await;
            match result {
                Ok(_) => log.refetch(),
                Err(e) => {
                    failure.try_set(Some(e));
                }
            }
        });
    };
    view! {
        {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
        <Transition fallback=|| view! { <Loading label="Загружаем журнал…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    log.get()
                        .map(|result| {
                            result
                                .map(|list| {
                                    if list.is_empty() {
                                        return view! { <p class="small muted">"Доставок пока не было."</p> }.into_any();
                                    }
                                    let rows = list
                                        .into_iter()
                                        .map(|d| {
                                            let delivery = d.id;
                                            view! {
                                                <tr data-testid="delivery">
                                                    <td data-label="Событие">
                                                        {d.event.title_ru()}
                                                        <span class="small muted block"><code>{d.event_id.to_string()}</code></span>
                                                    </td>
                                                    <td data-label="Состояние">
                                                        <Badge kind=delivery_badge(d.status)>{d.status.title_ru()}</Badge>
                                                    </td>
                                                    <td data-label="Ответ">
                                                        {d.last_status_code.map(|c| c.to_string()).unwrap_or_else(|| "—".to_owned())}
                                                        {d.last_error.clone().map(|e| view! { <span class="small muted block">{e}</span> })}
                                                    </td>
                                                    <td data-label="Попыток">{d.attempts}</td>
                                                    <td data-label="Создано">
                                                        {format::date_time(d.created_at)}
                                                        {d.delivered_at.map(|at| view! { <span class="small muted block">{format!("доставлено {}", format::date_time(at))}</span> })}
                                                    </td>
                                                    <td>
                                                        <button type="button" class="btn btn-ghost btn-small" on:click=move |_| redeliver(delivery)>
                                                            "Отправить снова"
                                                        </button>
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
                                                        <th scope="col">"Событие"</th>
                                                        <th scope="col">"Состояние"</th>
                                                        <th scope="col">"Код ответа"</th>
                                                        <th scope="col">"Попыток"</th>
                                                        <th scope="col">"Когда"</th>
                                                        <th scope="col"><span class="visually-hidden">"Действия"</span></th>
                                                    </tr>
                                                </thead>
                                                <tbody>{rows}</tbody>
                                            </table>
                                        </div>
                                    }
                                        .into_any()
                                })
                        })
                }}
            </ErrorBoundary>
        </Transition>
    }
}
