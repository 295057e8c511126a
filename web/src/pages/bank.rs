//! «Банк методических продуктов»: the region's products that passed expertise, published with
//! their authors' consent. Search by words, competency and level; a product's page with its
//! files and the expert's verdict; «Рекомендовать» for tutors and managers; «Добавить в мой
//! маршрут» for teachers (the activity «изучить опыт коллеги» is filled in for them); the
//! author's card on the route page that publishes a product in one click.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use shared::bank::{BankStatus, EducationLevel};
use shared::dto::{
    AdoptInput, BankProductDto, BankProductSummary, Page, ProductPublication, PublishInput,
    RouteDto, RouteSummary, WithdrawInput,
};
use shared::{Role, RouteStatus};
use uuid::Uuid;

use crate::api::{ApiError, ApiRequest, endpoints, use_api};
use crate::components::{
    Alert, AlertKind, Badge, BadgeKind, Choice, FormAlert, FormState, Input, Loading, PageHeader,
    Select, TextArea, WebLink, error_fallback, opt, optional_enum_choices,
};
use crate::format;
use crate::pages::catalogue::Recommend;
use crate::routes;
use crate::session::use_session;

fn counts(p: &BankProductSummary) -> String {
    format!(
        "{} · {} {} · в {} {}",
        format::date(p.published_at.date_naive()),
        p.views,
        format::plural(p.views, "просмотр", "просмотра", "просмотров"),
        p.uses,
        format::plural(p.uses, "маршруте", "маршрутах", "маршрутах"),
    )
}

#[component]
fn ProductCard(p: BankProductSummary) -> impl IntoView {
    let meta = [
        p.kind.clone(),
        p.subject.clone(),
        p.level.map(|l| l.title_ru().to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let author = match &p.author.school {
        Some(s) => format!("{}, {s}", p.author.full_name),
        None => p.author.full_name.clone(),
    };
    let withdrawn = p.status == BankStatus::Withdrawn;
    view! {
        <li class="event-card" data-testid="bank-product">
            <a class="event-title" href=routes::bank_page(p.id)>{p.title.clone()}</a>
            {withdrawn.then(|| view! { <Badge kind=BadgeKind::Neutral>"снят с публикации"</Badge> })}
            {(!meta.is_empty()).then(|| view! { <p class="small">{meta}</p> })}
            <p class="small muted">{author}</p>
            <p class="small">
                {p.competencies
                    .iter()
                    .map(|c| view! { <span class="chip" title=c.name.clone()>{format!("{} {}", c.code, c.name)}</span> })
                    .collect_view()}
            </p>
            <p class="small muted">{format!("Опубликован {}", counts(&p))}</p>
        </li>
    }
}

/// The bank's list with its filters, kept in the address.
#[component]
pub fn BankPage() -> impl IntoView {
    let api = use_api();
    let query = use_query_map();
    let navigate = use_navigate();
    let q = |name: &'static str| query.with_untracked(|m| m.get(name).unwrap_or_default());
    let text = RwSignal::new(q("q"));
    let competency = RwSignal::new(q("competency_id"));
    let level = RwSignal::new(q("level"));
    let recommended = RwSignal::new(q("recommended") == "true");
    let competency_choices = crate::pages::catalogue::competency_filter(api);
    let chosen = move || -> Vec<(&'static str, String)> {
        let mut v = vec![
            ("q", text.get()),
            ("competency_id", competency.get()),
            ("level", level.get()),
        ];
        if recommended.get() {
            v.push(("recommended", "true".into()));
        }
        v
    };
    Effect::new(move |_| {
        let query: leptos_router::params::ParamsMap = chosen()
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .collect();
        navigate(
            &format!("{}{}", routes::BANK, query.to_query_string()),
            leptos_router::NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    });
    let list = LocalResource::new(move || {
        let mut request =
            ApiRequest::new(gloo_net::http::Method::GET, endpoints::PRODUCTS).query("limit", 50);
        for (k, v) in chosen() {
            if !v.trim().is_empty() {
                request = request.query(k, v.trim().to_owned());
            }
        }
        async move { api.call::<Page<BankProductSummary>>(request).await }
    });
    view! {
        <PageHeader
            title="Банк методических продуктов"
            lead="Продукты педагогов региона, получившие положительное экспертное заключение и опубликованные с согласия авторов. Найдите решение для своего дефицита и добавьте его в маршрут одним нажатием."
        />
        <section class="card filters" aria-label="Фильтры">
            <div class="form-grid">
                <Input label="Поиск" id="bank-q" value=text hint="Название, предмет или автор" />
                {move || {
                    view! {
                        <Select
                            label="Компетенция"
                            id="bank-competency"
                            value=competency
                            choices=competency_choices()
                        />
                    }
                }}
                <Select
                    label="Уровень образования"
                    id="bank-level"
                    value=level
                    choices=optional_enum_choices(EducationLevel::ALL, EducationLevel::as_str, EducationLevel::title_ru, "Любой уровень")
                />
            </div>
            <label class="check" for="bank-recommended">
                <input type="checkbox" id="bank-recommended" bind:checked=recommended />
                <span>"Только рекомендованные мне"</span>
            </label>
        </section>
        <Transition fallback=|| view! { <Loading label="Ищем продукты…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    list.get()
                        .map(|r| {
                            r.map(|page| {
                                if page.items.is_empty() {
                                    return view! {
                                        <p class="empty" data-testid="bank-empty">
                                            "Продуктов по этим условиям нет. Измените условия поиска."
                                        </p>
                                    }
                                        .into_any();
                                }
                                view! {
                                    <p class="small muted">{format!("Найдено: {}", page.total)}</p>
                                    <ul class="event-list" data-testid="bank-list">
                                        {page.items.into_iter().map(|p| view! { <ProductCard p=p /> }).collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            })
                        })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

/// One product of the bank.
#[component]
pub fn BankProductPage() -> impl IntoView {
    let params = use_params_map();
    let api = use_api();
    let id = move || params.with(|p| p.get(routes::ID_PARAM).and_then(|s| s.parse::<Uuid>().ok()));
    let version = RwSignal::new(0u32);
    let product = LocalResource::new(move || {
        version.track();
        let id = id();
        async move {
            match id {
                Some(id) => api.get::<BankProductDto>(&endpoints::product(id)).await,
                None => Err(ApiError::Decode("нет такого продукта".into())),
            }
        }
    });
    let reload = Callback::new(move |()| version.update(|v| *v += 1));
    view! {
        <Transition fallback=|| view! { <Loading label="Загружаем продукт…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || product.get().map(|r| r.map(|p| view! { <ProductView p=p reload=reload /> }))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn ProductView(p: BankProductDto, reload: Callback<()>) -> impl IntoView {
    let s = p.summary.clone();
    crate::components::set_title(&s.title);
    let is_teacher = use_session()
        .me()
        .get_untracked()
        .is_some_and(|m| m.has_role(Role::Teacher) && m.person.id != s.author.id);
    let published = s.status == BankStatus::Published;
    let verdict = match (&p.verdict.expert, p.verdict.evaluated_at) {
        (Some(e), Some(at)) => format!("Эксперт: {e}, {}", format::date_time(at)),
        (Some(e), None) => format!("Эксперт: {e}"),
        _ => "Экспертное заключение положительное".to_owned(),
    };
    view! {
        <PageHeader title=s.title.clone() lead=format!("{} · {}", s.author.full_name, s.author.school.clone().unwrap_or_default()) />
        <p class="toolbar"><a href=routes::BANK>"← Банк продуктов"</a></p>
        {(!published)
            .then(|| {
                let why = p.withdrawn_reason.clone().map(|r| format!(" Причина: {r}")).unwrap_or_default();
                view! {
                    <Alert kind=AlertKind::Warning>
                        <span data-testid="bank-withdrawn">{format!("Продукт снят с публикации.{why}")}</span>
                    </Alert>
                }
            })}
        {p.recommended_to_me
            .clone()
            .into_iter()
            .map(|r| {
                let note = r.note.clone().map(|n| format!(": «{n}»")).unwrap_or_default();
                view! {
                    <Alert kind=AlertKind::Info>
                        <span data-testid="bank-recommended-to-me">
                            {format!("Рекомендует {} ({}){note}", r.by, format::date_time(r.at))}
                        </span>
                    </Alert>
                }
            })
            .collect_view()}
        <section class="card" aria-labelledby="bank-about">
            <h2 class="card-title" id="bank-about">"О продукте"</h2>
            <dl class="details">
                {s.kind.clone().map(|k| view! { <dt>"Вид"</dt><dd>{k}</dd> })}
                {s.subject.clone().map(|k| view! { <dt>"Предмет"</dt><dd>{k}</dd> })}
                {s.level.map(|l| view! { <dt>"Уровень образования"</dt><dd>{l.title_ru()}</dd> })}
                <dt>"Маршрут"</dt>
                <dd>{format!("{} ({} — {})", p.route_title, format::date(p.route_start), format::date(p.route_end))}</dd>
                <dt>"Опубликован"</dt>
                <dd data-testid="bank-counts">{counts(&s)}</dd>
            </dl>
            {p.description.clone().map(|d| view! { <p class="pre-line">{d}</p> })}
            {p.link.clone().map(|l| view! { <p><WebLink href=l /></p> })}
            {(!p.files.is_empty())
                .then(|| {
                    view! {
                        <h3>"Материалы"</h3>
                        <ul class="plain">
                            {p.files
                                .iter()
                                .map(|f| view! { <li><a href=f.url.clone() download=f.name.clone()>{f.name.clone()}</a></li> })
                                .collect_view()}
                        </ul>
                    }
                })}
        </section>
        <section class="card" aria-labelledby="bank-deficits">
            <h2 class="card-title" id="bank-deficits">"Какие дефициты закрывает"</h2>
            <p class="small">
                {s.competencies
                    .iter()
                    .map(|c| view! { <span class="chip">{format!("{} {}", c.code, c.name)}</span> })
                    .collect_view()}
            </p>
            <ul>{p.deficits.iter().map(|d| view! { <li>{d.clone()}</li> }).collect_view()}</ul>
            <p class="small muted">{verdict}</p>
            {p.verdict.comment.clone().map(|c| view! { <blockquote class="note">{c}</blockquote> })}
        </section>
        {(published && is_teacher).then(|| view! { <Adopt id=s.id /> })}
        {p.can_recommend
            .then(|| {
                view! {
                    <Recommend
                        path=endpoints::product_part(s.id, "recommendations")
                        where_="Продукт появится у них в списке «Что сделать»."
                    />
                }
            })}
        {p.can_withdraw.then(|| view! { <Withdraw id=s.id reload=reload /> })}
    }
}

/// Routes a teacher can still add activities to.
const OPEN: &[RouteStatus] = &[
    RouteStatus::Draft,
    RouteStatus::Returned,
    RouteStatus::Approved,
    RouteStatus::InProgress,
];

/// «Добавить в мой маршрут»: the product becomes «Изучение опыта коллеги» in the roadmap.
#[component]
fn Adopt(id: Uuid) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let route = RwSignal::new(String::new());
    let done = RwSignal::new(None::<Uuid>);
    let mine = LocalResource::new(move || async move {
        let request = ApiRequest::new(gloo_net::http::Method::GET, endpoints::ROUTES)
            .query("mine", "true")
            .query("limit", 50);
        api.call::<Page<RouteSummary>>(request).await
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(route_id) = route.get_untracked().parse::<Uuid>() else {
            form.fail("route_id", "Выберите маршрут.");
            return;
        };
        form.run(
            async move {
                api.post::<_, RouteDto>(
                    &endpoints::product_part(id, "adoption"),
                    &AdoptInput { route_id },
                )
                .await
                .map(|_| ())
            },
            move || done.set(Some(route_id)),
        );
    };
    view! {
        <section class="card" aria-labelledby="bank-adopt">
            <h2 class="card-title" id="bank-adopt">"Добавить в мой маршрут"</h2>
            <p class="small muted">
                "В дорожную карту добавится мероприятие «Изучение опыта коллеги» с компетенциями и дефицитами, которые закрывает продукт. Сроки и часы можно уточнить в маршруте."
            </p>
            <form class="form" on:submit=submit novalidate>
                <FormAlert form=form />
                {move || {
                    done.get()
                        .map(|r| {
                            view! {
                                <Alert kind=AlertKind::Success>
                                    <span data-testid="bank-adopted">"Мероприятие добавлено. "</span>
                                    <a href=routes::route_tab(r, "activity")>"Открыть дорожную карту"</a>
                                </Alert>
                            }
                        })
                }}
                <Transition fallback=|| view! { <Loading /> }>
                    {move || {
                        mine.get()
                            .map(|r| match r {
                                Ok(page) => {
                                    let open: Vec<(String, String)> = page
                                        .items
                                        .into_iter()
                                        .filter(|r| OPEN.contains(&r.status))
                                        .map(|r| (r.id.to_string(), r.title))
                                        .collect();
                                    if open.is_empty() {
                                        return view! {
                                            <p class="empty">"Нет маршрута, в который можно добавить мероприятие."</p>
                                        }
                                            .into_any();
                                    }
                                    if open.len() == 1 {
                                        route.set(open[0].0.clone());
                                    }
                                    let mut choices = vec![Choice::One(String::new(), "Выберите маршрут".into())];
                                    choices.extend(open.into_iter().map(|(v, t)| Choice::One(v, t)));
                                    view! {
                                        <Select label="Маршрут" id="bank-route" value=route choices=choices error=form.field("route_id") />
                                        <p class="actions">
                                            <button type="submit" class="btn btn-primary" data-testid="bank-adopt" disabled=move || form.busy.get()>
                                                "Добавить в маршрут"
                                            </button>
                                        </p>
                                    }
                                        .into_any()
                                }
                                Err(e) => view! { <crate::components::ErrorAlert error=e /> }.into_any(),
                            })
                    }}
                </Transition>
            </form>
        </section>
    }
}

/// «Снять с публикации», for the author and the region's manager.
#[component]
fn Withdraw(id: Uuid, reload: Callback<()>) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let reason = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let confirmed = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message("Снять продукт с публикации в банке?")
                    .ok()
            })
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        let input = WithdrawInput {
            reason: opt(reason),
        };
        form.run(
            async move {
                api.post::<_, BankProductDto>(&endpoints::product_part(id, "withdrawal"), &input)
                    .await
                    .map(|_| ())
            },
            move || reload.run(()),
        );
    };
    view! {
        <section class="card" aria-labelledby="bank-withdraw">
            <h2 class="card-title" id="bank-withdraw">"Снять с публикации"</h2>
            <form class="form" on:submit=submit novalidate>
                <FormAlert form=form />
                <TextArea
                    label="Причина"
                    id="bank-withdraw-reason"
                    value=reason
                    rows=2
                    hint="Необязательно: автор увидит её в уведомлении"
                    error=form.field("reason")
                />
                <p class="actions">
                    <button type="submit" class="btn btn-danger" data-testid="bank-withdraw" disabled=move || form.busy.get()>
                        "Снять с публикации"
                    </button>
                </p>
            </form>
        </section>
    }
}

/// The author's card on the route page: each product and where it stands with the bank, with
/// «Опубликовать в банке» when it may be published (the subject prefilled from the profile).
#[component]
pub fn PublishCard(route_id: Uuid) -> impl IntoView {
    let api = use_api();
    let version = RwSignal::new(0u32);
    let states = LocalResource::new(move || {
        version.track();
        async move {
            api.get::<Vec<ProductPublication>>(&endpoints::route_part(route_id, "publication"))
                .await
        }
    });
    let reload = Callback::new(move |()| version.update(|v| *v += 1));
    view! {
        <section class="card" aria-labelledby="publish-title" data-testid="publish-card">
            <h2 class="card-title" id="publish-title">"Банк методических продуктов"</h2>
            <p class="small muted">
                "Продукт с положительным экспертным заключением можно опубликовать в банке региона: коллеги найдут его по своим дефицитам."
            </p>
            <Transition fallback=|| view! { <Loading /> }>
                {move || {
                    states.get()
                        .map(|r| match r {
                            Ok(list) => {
                                list.into_iter()
                                    .map(|p| view! { <PublishItem p=p route_id=route_id reload=reload /> })
                                    .collect_view()
                                    .into_any()
                            }
                            Err(e) => view! { <crate::components::ErrorAlert error=e /> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn PublishItem(p: ProductPublication, route_id: Uuid, reload: Callback<()>) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let subject = RwSignal::new(p.suggested_subject.clone().unwrap_or_default());
    let level = RwSignal::new(String::new());
    let product_id = p.product_id;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = PublishInput {
            subject: opt(subject),
            level: level.get_untracked().parse::<EducationLevel>().ok(),
        };
        form.run(
            async move {
                api.post::<_, BankProductDto>(
                    &endpoints::route_part(route_id, &format!("products/{product_id}/publication")),
                    &input,
                )
                .await
                .map(|_| ())
            },
            move || reload.run(()),
        );
    };
    let published = p.status == Some(BankStatus::Published);
    let link = p.bank_product_id.map(routes::bank_page);
    let body = if published {
        view! {
            <p>
                <Badge kind=BadgeKind::Success>"опубликован"</Badge>
                " "
                {link.map(|l| view! { <a href=l data-testid="publish-link">"Открыть в банке"</a> })}
            </p>
        }
        .into_any()
    } else if let Some(b) = p.blocked.clone() {
        view! { <p class="small muted" data-testid="publish-blocked">{b.message}</p> }.into_any()
    } else {
        view! {
            <form class="form" on:submit=submit novalidate>
                <FormAlert form=form />
                <div class="form-grid">
                    <Input label="Предмет" id=format!("pub-subject-{product_id}") value=subject hint="Необязательно" />
                    <Select
                        label="Уровень образования"
                        id=format!("pub-level-{product_id}")
                        value=level
                        choices=optional_enum_choices(EducationLevel::ALL, EducationLevel::as_str, EducationLevel::title_ru, "Не указан")
                    />
                </div>
                <p class="actions">
                    <button type="submit" class="btn btn-primary" data-testid="publish" disabled=move || form.busy.get()>
                        "Опубликовать в банке"
                    </button>
                </p>
            </form>
        }
        .into_any()
    };
    view! {
        <div class="item" data-testid="publish-item">
            <h3>{p.title.clone()}</h3>
            {body}
        </div>
    }
}
