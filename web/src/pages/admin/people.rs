//! «Сотрудники»: people in the person's scope with search (name, e-mail), filters (unit, role,
//! active) kept in the address, and pages; «Новый сотрудник».

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::Role;
use shared::dto::{
    CreatePerson, GrantInput, InvitationState, Page, PersonDetail, PersonSummary, ProfileInput,
};
use uuid::Uuid;
use validator::Validate;

use crate::api::{ApiRequest, endpoints, use_api};
use crate::components::{
    Badge, BadgeKind, Checkbox, Choice, FormAlert, FormState, Input, Loading, PageHeader, Select,
    error_fallback, focus_element, opt,
};
use crate::format;
use crate::routes;

use super::{Pager, Scope, scope_resource};

const PAGE_SIZE: u64 = 25;

pub fn invitation_badge(state: InvitationState) -> BadgeKind {
    match state {
        InvitationState::None => BadgeKind::Neutral,
        InvitationState::Pending => BadgeKind::Info,
        InvitationState::Expired => BadgeKind::Warning,
        InvitationState::Accepted => BadgeKind::Success,
    }
}

#[component]
pub fn PeoplePage() -> impl IntoView {
    let api = use_api();
    let query = use_query_map();
    let param = move |name: &'static str| query.with(|q| q.get(name).unwrap_or_default());
    let scope = scope_resource();
    let list = LocalResource::new(move || {
        let mut request = ApiRequest::new(gloo_net::http::Method::GET, endpoints::PEOPLE)
            .query("limit", PAGE_SIZE);
        for (key, name) in [
            ("q", "q"),
            ("unit_id", "unit"),
            ("role", "role"),
            ("active", "active"),
            ("offset", "offset"),
        ] {
            let value = param(name);
            if !value.trim().is_empty() {
                request = request.query(key, value.trim());
            }
        }
        async move { api.call::<Page<PersonSummary>>(request).await }
    });
    let text = RwSignal::new(param("q"));
    let unit = RwSignal::new(param("unit"));
    let role = RwSignal::new(param("role"));
    let active = RwSignal::new(param("active"));
    Effect::new(move |_| {
        text.set(param("q"));
        unit.set(param("unit"));
        role.set(param("role"));
        active.set(param("active"));
    });
    let navigate = use_navigate();
    let go = Callback::new(move |offset: u64| {
        let mut parts: Vec<(&str, String)> = vec![
            ("q", text.get_untracked().trim().to_owned()),
            ("unit", unit.get_untracked()),
            ("role", role.get_untracked()),
            ("active", active.get_untracked()),
        ];
        if offset > 0 {
            parts.push(("offset", offset.to_string()));
        }
        let query: leptos_router::params::ParamsMap =
            parts.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        navigate(
            &format!("{}{}", routes::ADMIN_PEOPLE, query.to_query_string()),
            Default::default(),
        );
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        go.run(0);
    };
    let reset = move |_| {
        text.set(String::new());
        unit.set(String::new());
        role.set(String::new());
        active.set(String::new());
        go.run(0);
    };
    let mut roles = vec![Choice::One(String::new(), "Все роли".to_owned())];
    roles.extend(
        Role::ALL
            .iter()
            .map(|r| Choice::One(r.as_str().to_owned(), r.title_ru().to_owned())),
    );
    let states = vec![
        Choice::One(String::new(), "Все".to_owned()),
        Choice::One("true".to_owned(), "Активные".to_owned()),
        Choice::One("false".to_owned(), "Отключённые".to_owned()),
    ];
    let new_link = move || {
        let unit = param("unit");
        if unit.is_empty() {
            routes::ADMIN_PERSON_NEW.to_owned()
        } else {
            format!("{}?unit={unit}", routes::ADMIN_PERSON_NEW)
        }
    };
    view! {
        <PageHeader
            title="Сотрудники"
            lead="Педагоги и сотрудники в вашей зоне ответственности: профили, роли, тьюторы и наставники, приглашения."
        />
        <p class="button-row">
            <a class="btn btn-primary" href=new_link data-testid="new-person">
                "Добавить сотрудника"
            </a>
            <a class="btn btn-secondary" href=routes::ADMIN_IMPORT>
                "Загрузить из файла"
            </a>
        </p>
        <form class="card filters people-filters" role="search" aria-label="Фильтры" on:submit=submit>
            <div class="field">
                <label class="label" for="people-q">"ФИО или адрес почты"</label>
                <input class="input" id="people-q" type="search" bind:value=text />
            </div>
            {move || {
                scope
                    .get()
                    .and_then(Result::ok)
                    .map(|scope| {
                        let units = scope.workplaces();
                        let choices = scope.choices(&units, Some("Все организации"));
                        view! { <Select label="Организация" id="people-unit" value=unit choices=choices /> }
                    })
            }}
            <Select label="Роль" id="people-role" value=role choices=roles />
            <Select label="Состояние" id="people-active" value=active choices=states />
            <div class="filters-buttons">
                <button type="submit" class="btn btn-primary">"Найти"</button>
                <button type="button" class="btn btn-secondary" on:click=reset>"Сбросить"</button>
            </div>
        </form>
        <section class="card" aria-label="Найденные сотрудники">
            <Transition fallback=|| view! { <Loading label="Загружаем сотрудников…" /> }>
                <ErrorBoundary fallback=error_fallback>
                    {move || {
                        list.get()
                            .map(|result| {
                                result
                                    .map(|page| {
                                        let pager = view! {
                                            <Pager
                                                offset=page.offset
                                                shown=page.items.len()
                                                total=page.total
                                                page_size=PAGE_SIZE
                                                words=("сотрудника", "сотрудников", "сотрудников")
                                                go=go
                                            />
                                        };
                                        view! {
                                            {(!page.items.is_empty())
                                                .then(|| view! { <PeopleTable items=page.items.clone() /> })}
                                            {pager}
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
fn PeopleTable(items: Vec<PersonSummary>) -> impl IntoView {
    let rows = items
        .into_iter()
        .map(|p| {
            let mut roles: Vec<Role> = p.roles.clone();
            roles.sort();
            roles.dedup();
            let roles = roles
                .iter()
                .map(|r| r.title_ru())
                .collect::<Vec<_>>()
                .join(", ");
            view! {
                <tr data-testid="person-row">
                    <td data-label="ФИО">
                        <a class="route-link" href=routes::person_page(p.id)>{p.full_name.clone()}</a>
                        <span class="small muted block">{p.email.clone()}</span>
                    </td>
                    <td data-label="Место работы">
                        {format::or_not_specified(p.workplace.as_ref().map(|w| w.name.clone()))}
                        {p.position.clone().map(|pos| view! { <span class="small muted block">{pos}</span> })}
                    </td>
                    <td data-label="Роли">{roles}</td>
                    <td data-label="Состояние">
                        {if p.active {
                            view! { <Badge kind=invitation_badge(p.invitation)>{p.invitation.title_ru()}</Badge> }
                                .into_any()
                        } else {
                            view! { <Badge kind=BadgeKind::Danger>"отключён"</Badge> }.into_any()
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table table-stack">
                <thead>
                    <tr>
                        <th scope="col">"ФИО"</th>
                        <th scope="col">"Место работы"</th>
                        <th scope="col">"Роли"</th>
                        <th scope="col">"Вход"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
pub fn NewPersonPage() -> impl IntoView {
    let scope = scope_resource();
    let query = use_query_map();
    let unit = query.with_untracked(|q| q.get("unit").unwrap_or_default());
    view! {
        <PageHeader
            title="Новый сотрудник"
            lead="Достаточно адреса почты, фамилии, имени и места работы. Остальное человек заполнит сам после входа."
        />
        <Transition fallback=|| view! { <Loading /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    let unit = unit.clone();
                    scope
                        .get()
                        .map(|result| {
                            result.map(|scope| view! { <NewPersonForm scope=scope unit=unit /> })
                        })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

/// The roles that can be granted at this workplace right away (roles of the school level).
fn roles_at(scope: &Scope, workplace: Option<Uuid>) -> Vec<Role> {
    let Some(unit) = workplace.and_then(|w| scope.unit(w)) else {
        return Vec::new();
    };
    Role::ALL
        .iter()
        .copied()
        .filter(|r| {
            *r != Role::Admin
                && r.scope_kinds().contains(&unit.kind)
                && scope.actor.can_grant(*r, Some(&unit.path))
        })
        .collect()
}

#[component]
fn NewPersonForm(scope: Arc<Scope>, unit: String) -> impl IntoView {
    let api = use_api();
    let navigate = use_navigate();
    let form = FormState::new();
    let workplaces: Vec<Uuid> = scope.workplaces().iter().map(|u| u.id).collect();
    // The workplace: from the address, else the only school the person administers.
    let schools = scope.managed(&[shared::UnitKind::School]);
    let prefill = unit
        .parse::<Uuid>()
        .ok()
        .filter(|u| workplaces.contains(u))
        .or_else(|| (schools.len() == 1).then(|| schools[0].id));
    let email = RwSignal::new(String::new());
    let surname = RwSignal::new(String::new());
    let first_name = RwSignal::new(String::new());
    let patronymic = RwSignal::new(String::new());
    let position = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let workplace = RwSignal::new(prefill.map(|u| u.to_string()).unwrap_or_default());
    let role = RwSignal::new(Role::Teacher.as_str().to_owned());
    let invite = RwSignal::new(true);
    let units = scope.workplaces();
    let unit_choices = scope.choices(&units, Some("Выберите организацию"));
    let scope_for_roles = scope.clone();
    let role_choices = Memo::new(move |_| {
        let at = workplace.get().parse::<Uuid>().ok();
        roles_at(&scope_for_roles, at)
    });
    // Keep the chosen role valid for the workplace: a teacher when possible.
    Effect::new(move |_| {
        let allowed = role_choices.get();
        if allowed.is_empty() {
            // No workplace yet: keep the teacher chosen for when there is one.
            return;
        }
        let current = role.get_untracked().parse::<Role>().ok();
        if current.is_none_or(|r| !allowed.contains(&r)) && !role.get_untracked().is_empty() {
            let next = if allowed.contains(&Role::Teacher) {
                Role::Teacher.as_str().to_owned()
            } else {
                String::new()
            };
            role.set(next);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let workplace_id = workplace.get_untracked().parse::<Uuid>().ok();
        let roles = match (role.get_untracked().parse::<Role>().ok(), workplace_id) {
            (Some(role), Some(unit)) => vec![GrantInput {
                role,
                unit_id: Some(unit),
            }],
            _ => Vec::new(),
        };
        let request = CreatePerson {
            email: email.get_untracked().trim().to_owned(),
            profile: ProfileInput {
                surname: surname.get_untracked().trim().to_owned(),
                first_name: first_name.get_untracked().trim().to_owned(),
                patronymic: opt(patronymic),
                phone: opt(phone),
                position: opt(position),
                teaching_experience_years: None,
                position_experience_years: None,
                qualification_category: None,
                qualification_date: None,
            },
            workplace_id,
            external_id: None,
            roles,
            invite: invite.get_untracked(),
        };
        let valid = form.check(request.validate());
        if workplace_id.is_none() {
            form.fail("workplace_id", "Выберите место работы.");
        }
        if !valid || workplace_id.is_none() {
            for field in ["email", "surname", "first_name", "workplace_id"] {
                if form.errors.with_untracked(|e| e.contains_key(field)) {
                    focus_element(&format!("new-person-{field}"));
                    break;
                }
            }
            return;
        }
        let navigate = navigate.clone();
        form.run(
            async move {
                let created: PersonDetail = api.post(endpoints::PEOPLE, &request).await?;
                navigate(&routes::person_page(created.person.id), Default::default());
                Ok(())
            },
            || {},
        );
    };
    view! {
        <section class="card narrow">
            <form class="form" on:submit=submit novalidate=true>
                <FormAlert form=form />
                <Input
                    label="Адрес электронной почты"
                    id="new-person-email"
                    input_type="email"
                    value=email
                    error=form.field("email")
                    required=true
                    hint="На него придёт приглашение; это и логин для входа."
                />
                <div class="form-row">
                    <Input label="Фамилия" id="new-person-surname" value=surname error=form.field("surname") required=true />
                    <Input label="Имя" id="new-person-first_name" value=first_name error=form.field("first_name") required=true />
                </div>
                <div class="form-row">
                    <Input label="Отчество" id="new-person-patronymic" value=patronymic error=form.field("patronymic") />
                    <Input label="Телефон" id="new-person-phone" input_type="tel" value=phone error=form.field("phone") />
                </div>
                <Select
                    label="Место работы"
                    id="new-person-workplace_id"
                    value=workplace
                    choices=unit_choices
                    error=form.field("workplace_id")
                    required=true
                />
                <Input
                    label="Должность"
                    id="new-person-position"
                    value=position
                    error=form.field("position")
                    hint="Например: «Учитель математики»."
                />
                {move || {
                    let allowed = role_choices.get();
                    let mut choices = vec![Choice::One(String::new(), "Без роли (назначу позже)".to_owned())];
                    choices
                        .extend(
                            allowed
                                .iter()
                                .map(|r| Choice::One(r.as_str().to_owned(), r.title_ru().to_owned())),
                        );
                    view! {
                        <Select
                            label="Роль в организации"
                            id="new-person-role"
                            value=role
                            choices=choices
                            error=form.field("roles")
                            hint="Другие роли (методиста, эксперта, координатора) можно назначить в карточке."
                        />
                    }
                }}
                <Checkbox
                    label="Сразу отправить приглашение по почте"
                    id="new-person-invite"
                    checked=invite
                />
                <p class="hint">
                    "Письмо со ссылкой, по которой человек сам задаст пароль. Пароли по почте не отправляются."
                </p>
                <div class="form-buttons">
                    <button
                        type="submit"
                        class="btn btn-primary"
                        data-testid="create-person"
                        aria-disabled=move || form.busy.get().then_some("true")
                    >
                        {move || if form.busy.get() { "Сохраняем…" } else { "Добавить" }}
                    </button>
                    <a class="btn btn-secondary" href=routes::ADMIN_PEOPLE>"Отмена"</a>
                </div>
            </form>
        </section>
    }
}
