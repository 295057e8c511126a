//! «Структура»: the unit tree (region → district → municipality → school) in the person's
//! part of it; creating, renaming, archiving and restoring by those who own each level; the
//! region's rules for routes.

use std::sync::Arc;

use leptos::prelude::*;
use shared::UnitKind;
use shared::dto::{CreateUnit, RegionPolicyDto, UnitDto, UpdateUnit};
use uuid::Uuid;
use validator::Validate;

use crate::api::{ApiError, endpoints, use_api};
use crate::components::{
    Alert, AlertKind, Badge, BadgeKind, Choice, ErrorAlert, FormAlert, FormState, Input, Loading,
    PageHeader, Select, error_fallback, opt,
};
use crate::routes;

use super::{Scope, confirm, label, scope_resource};

/// What the page shares with every node of the tree.
#[derive(Clone, Copy)]
struct TreeCtx {
    scope: LocalResource<Result<Arc<Scope>, ApiError>>,
    show_archived: RwSignal<bool>,
    /// The node whose form is open: (unit, what) — one form at a time.
    open: RwSignal<Option<(Uuid, Form)>>,
    message: RwSignal<Option<(AlertKind, String)>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Rename,
    Add,
}

#[component]
pub fn UnitsPage() -> impl IntoView {
    let scope = scope_resource();
    let ctx = TreeCtx {
        scope,
        show_archived: RwSignal::new(false),
        open: RwSignal::new(None),
        message: RwSignal::new(None),
    };
    view! {
        <PageHeader
            title="Структура"
            lead="Регион, межмуниципальные округа, муниципалитеты и образовательные организации в вашей зоне ответственности."
        />
        {move || {
            ctx.message
                .get()
                .map(|(kind, text)| view! { <Alert kind=kind><p>{text}</p></Alert> })
        }}
        <label class="check">
            <input
                type="checkbox"
                data-testid="show-archived"
                prop:checked=move || ctx.show_archived.get()
                on:change=move |ev| ctx.show_archived.set(event_target_checked(&ev))
            />
            <span>"Показывать архивные"</span>
        </label>
        <Transition fallback=|| view! { <Loading label="Загружаем структуру…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    scope
                        .get()
                        .map(|result| {
                            result
                                .map(|scope| {
                                    let admin = scope.actor.is_admin();
                                    let roots: Vec<UnitDto> = scope
                                        .roots()
                                        .into_iter()
                                        .cloned()
                                        .collect();
                                    let trees = roots
                                        .into_iter()
                                        .map(|root| {
                                            let regional = root.kind == UnitKind::Region;
                                            view! {
                                                <section class="card unit-tree">
                                                    <ul class="tree">{node(ctx, scope.clone(), root.clone())}</ul>
                                                    {regional
                                                        .then(|| view! { <PolicyCard ctx=ctx scope=scope.clone() region=root /> })}
                                                </section>
                                            }
                                        })
                                        .collect_view();
                                    view! {
                                        {admin.then(|| view! { <NewRegion ctx=ctx /> })}
                                        {trees}
                                    }
                                })
                        })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

/// Closes a node's form once the write that ran from it has finished (closing it at once would
/// tear down the form while its own task is still running).
fn close_later(open: RwSignal<Option<(Uuid, Form)>>) {
    set_timeout(move || open.set(None), std::time::Duration::ZERO);
}

/// The kinds that may sit directly under a unit of `kind`.
fn child_kinds(kind: UnitKind) -> Vec<UnitKind> {
    UnitKind::ALL
        .iter()
        .copied()
        .filter(|k| k.allowed_parents().contains(&kind))
        .collect()
}

/// One unit and (recursively) the units under it.
fn node(ctx: TreeCtx, scope: Arc<Scope>, unit: UnitDto) -> AnyView {
    let mut children: Vec<UnitDto> = scope
        .units
        .iter()
        .filter(|u| u.parent_id == Some(unit.id))
        .cloned()
        .collect();
    children.sort_by_key(|u| (u.kind, u.name.to_lowercase()));
    let actor = &scope.actor;
    let can_rename = actor.can_manage_unit(&unit.path);
    let can_archive = actor.can_archive_unit(&unit.path);
    let addable: Vec<UnitKind> = if unit.archived {
        Vec::new()
    } else {
        child_kinds(unit.kind)
            .into_iter()
            .filter(|k| actor.can_create_unit(*k, &unit.path))
            .collect()
    };
    let id = unit.id;
    let archived = unit.archived;
    let hidden = move || archived && !ctx.show_archived.get();
    let api = use_api();
    let busy = RwSignal::new(false);
    let archive_name = unit.name.clone();
    let toggle_archive = move |_| {
        if busy.get_untracked() {
            return;
        }
        let question = if archived {
            format!("Вернуть «{archive_name}» из архива?")
        } else {
            format!(
                "Перевести «{archive_name}» в архив? История маршрутов сохранится, новые назначения станут невозможны."
            )
        };
        if !confirm(&question) {
            return;
        }
        busy.set(true);
        let part = if archived { "restore" } else { "archive" };
        let name = archive_name.clone();
        leptos::task::spawn_local(async move {
            let result: Result<UnitDto, ApiError> =
                api.post_empty(&endpoints::unit_part(id, part), &[]).await;
            busy.try_set(false);
            match result {
                Ok(_) => {
                    let text = if archived {
                        format!("«{name}» возвращено из архива.")
                    } else {
                        format!("«{name}» переведено в архив.")
                    };
                    ctx.message.try_set(Some((AlertKind::Success, text)));
                    ctx.scope.refetch();
                }
                Err(e) => {
                    ctx.message.try_set(Some((AlertKind::Error, e.message())));
                }
            }
        });
    };
    let has_addable = !addable.is_empty();
    let people_link = format!("{}?unit={id}", routes::ADMIN_PEOPLE);
    let for_rename = unit.clone();
    let for_add = unit.clone();
    let kids = children
        .into_iter()
        .map(|c| node(ctx, scope.clone(), c))
        .collect_view();
    view! {
        <li class="tree-node" class:tree-archived=archived hidden=hidden data-testid="unit">
            <div class="tree-row">
                <span class="unit-kind">{unit.kind.title_ru()}</span>
                <span class="tree-name">{unit.name.clone()}</span>
                {unit
                    .short_name
                    .clone()
                    .filter(|s| !s.is_empty() && *s != unit.name)
                    .map(|s| view! { <span class="small muted">{format!("({s})")}</span> })}
                {archived.then(|| view! { <Badge kind=BadgeKind::Neutral>"в архиве"</Badge> })}
                <span class="tree-actions">
                    {(!archived)
                        .then(|| {
                            view! {
                                <a class="btn btn-ghost btn-small" href=people_link.clone()>
                                    "Сотрудники"
                                </a>
                            }
                        })}
                    {(can_rename && !archived)
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="btn btn-ghost btn-small"
                                    on:click=move |_| ctx.open.set(Some((id, Form::Rename)))
                                >
                                    "Изменить"
                                </button>
                            }
                        })}
                    {has_addable
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="btn btn-ghost btn-small"
                                    data-testid="add-unit"
                                    on:click=move |_| ctx.open.set(Some((id, Form::Add)))
                                >
                                    "Добавить"
                                </button>
                            }
                        })}
                    {can_archive
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="btn btn-ghost btn-small"
                                    aria-disabled=move || busy.get().then_some("true")
                                    on:click=toggle_archive.clone()
                                >
                                    {if archived { "Вернуть из архива" } else { "В архив" }}
                                </button>
                            }
                        })}
                </span>
            </div>
            {move || match ctx.open.get() {
                Some((open, Form::Rename)) if open == id => {
                    view! { <RenameForm ctx=ctx unit=for_rename.clone() /> }.into_any()
                }
                Some((open, Form::Add)) if open == id => {
                    view! { <AddForm ctx=ctx parent=for_add.clone() kinds=addable.clone() /> }.into_any()
                }
                _ => ().into_any(),
            }}
            <ul class="tree">{kids}</ul>
        </li>
    }
    .into_any()
}

#[component]
fn RenameForm(ctx: TreeCtx, unit: UnitDto) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let name = RwSignal::new(unit.name.clone());
    let short = RwSignal::new(unit.short_name.clone().unwrap_or_default());
    let code = RwSignal::new(unit.external_id.clone().unwrap_or_default());
    let id = unit.id;
    let prefix = format!("unit-{id}");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = UpdateUnit {
            name: name.get_untracked().trim().to_owned(),
            short_name: opt(short),
            external_id: opt(code),
        };
        if !form.check(request.validate()) {
            return;
        }
        form.run(
            async move {
                let _: UnitDto = api.put(&endpoints::unit(id), &request).await?;
                Ok(())
            },
            move || {
                ctx.scope.refetch();
                ctx.message.set(Some((
                    AlertKind::Success,
                    "Изменения сохранены.".to_owned(),
                )));
                close_later(ctx.open);
            },
        );
    };
    view! {
        <form class="form item-form" on:submit=submit novalidate=true>
            <FormAlert form=form />
            <Input label="Полное название" id=format!("{prefix}-name") value=name error=form.field("name") required=true />
            <div class="form-row">
                <Input label="Краткое название" id=format!("{prefix}-short") value=short error=form.field("short_name") />
                <Input
                    label="Код в системах региона"
                    id=format!("{prefix}-code")
                    value=code
                    error=form.field("external_id")
                    hint="Для загрузок и интеграций; можно оставить пустым."
                />
            </div>
            <div class="form-buttons">
                <button type="submit" class="btn btn-primary" aria-disabled=move || form.busy.get().then_some("true")>
                    "Сохранить"
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| ctx.open.set(None)>
                    "Отмена"
                </button>
            </div>
        </form>
    }
}

fn kind_choices(kinds: &[UnitKind]) -> Vec<Choice> {
    kinds
        .iter()
        .map(|k| Choice::One(k.as_str().to_owned(), k.title_ru().to_owned()))
        .collect()
}

#[component]
fn AddForm(ctx: TreeCtx, parent: UnitDto, kinds: Vec<UnitKind>) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    // The most likely kind first: a school under a municipality, a municipality under a region.
    let default_kind = kinds
        .iter()
        .copied()
        .find(|k| *k == UnitKind::School || *k == UnitKind::Municipality)
        .or_else(|| kinds.first().copied())
        .unwrap_or(UnitKind::School);
    let kind = RwSignal::new(default_kind.as_str().to_owned());
    let name = RwSignal::new(String::new());
    let short = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let parent_id = parent.id;
    let prefix = format!("add-{parent_id}");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(kind) = kind.get_untracked().parse::<UnitKind>() else {
            form.fail("kind", "Выберите вид подразделения.");
            return;
        };
        let request = CreateUnit {
            kind,
            name: name.get_untracked().trim().to_owned(),
            short_name: opt(short),
            parent_id: Some(parent_id),
            external_id: opt(code),
        };
        if !form.check(request.validate()) {
            return;
        }
        let created_name = request.name.clone();
        form.run(
            async move {
                let _: UnitDto = api.post(endpoints::UNITS, &request).await?;
                Ok(())
            },
            move || {
                ctx.scope.refetch();
                ctx.message.set(Some((
                    AlertKind::Success,
                    format!("«{created_name}» добавлено."),
                )));
                close_later(ctx.open);
            },
        );
    };
    view! {
        <form class="form item-form" on:submit=submit novalidate=true>
            <p class="small muted">{format!("В составе: {}", label(&parent))}</p>
            <FormAlert form=form />
            {(kinds.len() > 1)
                .then(|| {
                    view! {
                        <Select
                            label="Вид"
                            id=format!("{prefix}-kind")
                            value=kind
                            choices=kind_choices(&kinds)
                            error=form.field("kind")
                        />
                    }
                })}
            <Input
                label="Полное название"
                id=format!("{prefix}-name")
                value=name
                error=form.field("name")
                required=true
                hint="Как в уставе: «МБОУ «Средняя общеобразовательная школа № 3»»."
            />
            <div class="form-row">
                <Input label="Краткое название" id=format!("{prefix}-short") value=short error=form.field("short_name") />
                <Input label="Код в системах региона" id=format!("{prefix}-code") value=code error=form.field("external_id") />
            </div>
            <div class="form-buttons">
                <button type="submit" class="btn btn-primary" aria-disabled=move || form.busy.get().then_some("true")>
                    "Добавить"
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| ctx.open.set(None)>
                    "Отмена"
                </button>
            </div>
        </form>
    }
}

/// «Добавить регион» (the administrator).
#[component]
fn NewRegion(ctx: TreeCtx) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let open = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let short = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = CreateUnit {
            kind: UnitKind::Region,
            name: name.get_untracked().trim().to_owned(),
            short_name: opt(short),
            parent_id: None,
            external_id: None,
        };
        if !form.check(request.validate()) {
            return;
        }
        form.run(
            async move {
                let _: UnitDto = api.post(endpoints::UNITS, &request).await?;
                Ok(())
            },
            move || {
                ctx.scope.refetch();
                ctx.message
                    .set(Some((AlertKind::Success, "Регион добавлен.".to_owned())));
                name.set(String::new());
                short.set(String::new());
                set_timeout(move || open.set(false), std::time::Duration::ZERO);
            },
        );
    };
    view! {
        <p>
            <button type="button" class="btn btn-secondary" on:click=move |_| open.update(|o| *o = !*o)>
                "Добавить регион"
            </button>
        </p>
        <Show when=move || open.get()>
            <section class="card narrow">
                <form class="form" on:submit=submit novalidate=true>
                    <FormAlert form=form />
                    <Input label="Название региона" id="new-region-name" value=name error=form.field("name") required=true />
                    <Input label="Краткое название" id="new-region-short" value=short error=form.field("short_name") />
                    <div class="form-buttons">
                        <button type="submit" class="btn btn-primary">"Добавить"</button>
                    </div>
                </form>
            </section>
        </Show>
    }
}

/// The region's rules for routes: read by everyone here, changed by its managers.
#[component]
fn PolicyCard(ctx: TreeCtx, scope: Arc<Scope>, region: UnitDto) -> impl IntoView {
    let _ = ctx;
    let api = use_api();
    let id = region.id;
    let can_edit = scope.actor.is_admin()
        || scope
            .actor
            .covers(shared::Role::RegionalManager, &region.path);
    let policy = LocalResource::new(move || async move {
        api.get::<RegionPolicyDto>(&endpoints::unit_part(id, "policy"))
            .await
    });
    view! {
        <div class="policy">
            <h2 class="card-subtitle">"Правила региона для маршрутов"</h2>
            <Transition fallback=|| view! { <Loading label="Загружаем правила…" /> }>
                {move || {
                    policy
                        .get()
                        .map(|result| match result {
                            Ok(p) => view! { <PolicyForm region=id policy=p can_edit=can_edit /> }.into_any(),
                            Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                        })
                }}
            </Transition>
        </div>
        {can_edit.then(|| view! {
            <crate::pages::consents::RegionPurposes region=id />
            <crate::pages::consents::ErasureRequests />
            <crate::pages::retention::RetentionCard region=id />
        })}
    }
}

#[component]
fn PolicyForm(region: Uuid, policy: RegionPolicyDto, can_edit: bool) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let saved = RwSignal::new(false);
    let months = RwSignal::new(policy.max_route_months.to_string());
    let extension = RwSignal::new(policy.max_extension_months.to_string());
    let remind = RwSignal::new(policy.remind_before_days.to_string());
    let escalate = RwSignal::new(policy.escalate_after_days.to_string());
    if !can_edit {
        let reminders = match policy.remind_before_days {
            0 => "о сроках мероприятий не напоминаем".to_owned(),
            d => format!("о сроке мероприятия напоминаем за {d} дн."),
        };
        let escalation = match policy.escalate_after_days {
            0 => "ждущие маршруты координаторам не передаём".to_owned(),
            d => format!(
                "маршрут, который ждёт решения дольше {d} дн., видит координатор ОО, дольше {} дн. — муниципальный координатор",
                2 * d
            ),
        };
        return view! {
            <p>
                {format!(
                    "Маршрут — не дольше {} мес.; продление — не больше {} мес. за раз; {reminders}; {escalation}.",
                    policy.max_route_months,
                    policy.max_extension_months,
                )}
            </p>
        }
        .into_any();
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let (Ok(max_route_months), Ok(max_extension_months)) = (
            months.get_untracked().trim().parse::<i32>(),
            extension.get_untracked().trim().parse::<i32>(),
        ) else {
            form.fail("max_route_months", "Укажите целое число месяцев.");
            return;
        };
        let (Ok(remind_before_days), Ok(escalate_after_days)) = (
            remind.get_untracked().trim().parse::<i32>(),
            escalate.get_untracked().trim().parse::<i32>(),
        ) else {
            form.fail("remind_before_days", "Укажите целое число дней.");
            return;
        };
        let request = RegionPolicyDto {
            max_route_months,
            max_extension_months,
            remind_before_days,
            escalate_after_days,
        };
        if !form.check(request.validate()) {
            return;
        }
        form.run(
            async move {
                let _: RegionPolicyDto = api
                    .put(&endpoints::unit_part(region, "policy"), &request)
                    .await?;
                Ok(())
            },
            move || saved.set(true),
        );
    };
    view! {
        <form class="form" on:submit=submit novalidate=true>
            <FormAlert form=form />
            <div class="form-row">
                <Input
                    label="Наибольший срок маршрута, мес."
                    id=format!("policy-{region}-months")
                    input_type="number"
                    min="1"
                    max="60"
                    value=months
                    error=form.field("max_route_months")
                    hint="Обычно 12: маршрут рассчитан на учебный год."
                />
                <Input
                    label="Наибольшее продление, мес."
                    id=format!("policy-{region}-extension")
                    input_type="number"
                    min="0"
                    max="6"
                    value=extension
                    error=form.field("max_extension_months")
                />
            </div>
            <div class="form-row">
                <Input
                    label="Напоминать о сроке мероприятия за, дн."
                    id=format!("policy-{region}-remind")
                    input_type="number"
                    min="0"
                    max="30"
                    value=remind
                    error=form.field("remind_before_days")
                    hint="0 — не напоминать. О просроченных мероприятиях педагог и тьютор узнают всегда."
                />
                <Input
                    label="Передавать ждущий маршрут координатору через, дн."
                    id=format!("policy-{region}-escalate")
                    input_type="number"
                    min="0"
                    max="90"
                    value=escalate
                    error=form.field("escalate_after_days")
                    hint="Сначала координатору ОО, через вдвое больший срок — муниципальному координатору. 0 — не передавать."
                />
            </div>
            <div class="form-buttons">
                <button type="submit" class="btn btn-primary" aria-disabled=move || form.busy.get().then_some("true")>
                    "Сохранить правила"
                </button>
                {move || saved.get().then(|| view! { <span class="small" role="status">"Сохранено."</span> })}
            </div>
        </form>
    }
    .into_any()
}
