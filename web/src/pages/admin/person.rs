//! A person's card for those who manage them: the profile (edited in place), deactivation,
//! the invitation, roles (granted only where the manager may), tutor, mentor and expert.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::Role;
use shared::dto::{
    AssignmentDto, AssignmentInput, AssignmentKind, GrantInput, InvitationState, InvitationStatus,
    Page, PendingEmailChange, PersonDetail, PersonSummary, ProfileInput, RoleGrantDto,
    UpdatePerson,
};
use uuid::Uuid;
use validator::Validate;

use crate::api::{ApiError, ApiRequest, endpoints, use_api};
use crate::components::{
    Alert, AlertKind, Badge, BadgeKind, Choice, DetailRow, Details, ErrorAlert, FormAlert,
    FormState, Input, Loading, PageHeader, Select, error_fallback, opt,
};
use crate::format;
use crate::routes;

use super::people::invitation_badge;
use super::{Scope, confirm, scope_resource};

type Card = LocalResource<Result<PersonDetail, ApiError>>;

/// What the sections of the card share.
#[derive(Clone, Copy)]
struct CardCtx {
    id: Uuid,
    card: Card,
    message: RwSignal<Option<(AlertKind, String)>>,
}

impl CardCtx {
    fn done(self, text: impl Into<String>) {
        self.message.set(Some((AlertKind::Success, text.into())));
        self.card.refetch();
    }

    fn failed(self, error: &ApiError) {
        self.message.set(Some((AlertKind::Error, error.message())));
    }
}

#[component]
pub fn PersonPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| {
        p.get(routes::ID_PARAM)
            .and_then(|v| v.parse::<Uuid>().ok())
            .unwrap_or_default()
    });
    let api = use_api();
    let scope = scope_resource();
    let card: Card = LocalResource::new(move || async move {
        api.get::<PersonDetail>(&endpoints::person_part(id, "card"))
            .await
    });
    let ctx = CardCtx {
        id,
        card,
        message: RwSignal::new(None),
    };
    view! {
        <p class="breadcrumbs">
            <a href=routes::ADMIN_PEOPLE>"← Сотрудники"</a>
        </p>
        <Transition fallback=|| view! { <Loading label="Загружаем карточку…" /> }>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    let scope = scope.get();
                    card.get()
                        .zip(scope)
                        .map(|(card, scope)| {
                            let card = card?;
                            let scope = scope?;
                            Ok::<_, ApiError>(view! { <Card ctx=ctx scope=scope detail=card /> })
                        })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Card(ctx: CardCtx, scope: Arc<Scope>, detail: PersonDetail) -> impl IntoView {
    let p = detail.person.clone();
    let can_manage = detail.can_manage;
    let workplace_path = p.workplace.as_ref().and_then(|w| scope.path(w.id));
    let can_assign = workplace_path.is_some_and(|w| scope.actor.can_assign_to(&w));
    let title = p.full_name();
    let lead = [
        p.position.clone(),
        p.workplace.as_ref().map(|w| w.name.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    view! {
        <PageHeader title=title lead=lead />
        {move || {
            ctx.message
                .get()
                .map(|(kind, text)| view! { <Alert kind=kind><p data-testid="card-message">{text}</p></Alert> })
        }}
        <div class="stack">
            <Access ctx=ctx detail=detail.clone() />
            <Profile ctx=ctx scope=scope.clone() detail=detail.clone() editable=can_manage />
            <Roles ctx=ctx scope=scope.clone() grants=detail.roles.clone() />
            <Staff ctx=ctx staff=detail.staff.clone() can_assign=can_assign active=p.active />
            {(!detail.teachers.is_empty())
                .then(|| view! { <Teachers teachers=detail.teachers.clone() /> })}
            {can_manage
                .then(|| view! { <crate::pages::consents::PersonConsents person=ctx.id /> })}
        </div>
    }
}

/// Sign-in: active or not, the invitation, the last sign-in.
#[component]
fn Access(ctx: CardCtx, detail: PersonDetail) -> impl IntoView {
    let api = use_api();
    let busy = RwSignal::new(false);
    let active = detail.person.active;
    let can_manage = detail.can_manage;
    let InvitationStatus {
        state,
        sent_at,
        expires_at,
    } = detail.invitation.clone();
    let id = ctx.id;
    let email = StoredValue::new(detail.person.email.clone());
    let run = move |what: &'static str| {
        if busy.get_untracked() {
            return;
        }
        let question = match what {
            "deactivate" => Some(
                "Отключить учётную запись? Человек сразу перестанет входить; его маршруты сохранятся.",
            ),
            "revoke" => Some("Отозвать приглашение? Ссылка из письма перестанет действовать."),
            _ => None,
        };
        if question.is_some_and(|q| !confirm(q)) {
            return;
        }
        busy.set(true);
        let email = email.get_value();
        leptos::task::spawn_local(async move {
            let result: Result<String, ApiError> = match what {
                "invite" => api
                    .post_empty::<InvitationStatus>(&endpoints::person_part(id, "invitation"), &[])
                    .await
                    .map(|_| format!("Приглашение отправлено на {email}.")),
                "revoke" => api
                    .delete::<InvitationStatus>(&endpoints::person_part(id, "invitation"))
                    .await
                    .map(|_| "Приглашение отозвано.".to_owned()),
                "deactivate" => api
                    .post_empty::<PersonDetail>(&endpoints::person_part(id, "deactivate"), &[])
                    .await
                    .map(|_| "Учётная запись отключена.".to_owned()),
                _ => api
                    .post_empty::<PersonDetail>(&endpoints::person_part(id, "activate"), &[])
                    .await
                    .map(|_| "Учётная запись снова активна.".to_owned()),
            };
            busy.try_set(false);
            match result {
                Ok(text) => ctx.done(text),
                Err(e) => ctx.failed(&e),
            }
        });
    };
    // An invitation sets a first password: someone who has signed in restores a forgotten
    // one themselves, at the sign-in page.
    let can_invite = state != InvitationState::Accepted;
    let invite_label = match state {
        InvitationState::None => "Отправить приглашение",
        _ => "Отправить приглашение повторно",
    };
    let disabled = move || busy.get().then_some("true");
    view! {
        <section class="card" aria-labelledby="access-title">
            <div class="card-head">
                <h2 class="card-title" id="access-title">"Вход в систему"</h2>
                {if active {
                    view! { <Badge kind=invitation_badge(state)><span data-testid="invitation-state">{state.title_ru()}</span></Badge> }
                        .into_any()
                } else {
                    view! { <Badge kind=BadgeKind::Danger>"учётная запись отключена"</Badge> }.into_any()
                }}
            </div>
            <Details>
                <DetailRow label="Логин (почта)" value=Some(detail.person.email.clone()) />
                {detail.pending_email.clone().map(|p| view! { <PendingEmail pending=p /> })}
                <DetailRow label="Приглашение отправлено" value=sent_at.map(format::date_time) />
                {(state == InvitationState::Pending || state == InvitationState::Expired)
                    .then(|| view! { <DetailRow label="Ссылка действует до" value=expires_at.map(format::date_time) /> })}
                <DetailRow label="Последний вход" value=detail.last_login_at.map(format::date_time) />
            </Details>
            {can_manage
                .then(|| {
                    view! {
                        <div class="button-row">
                            {(active && can_invite)
                                .then(|| {
                                    view! {
                                        <button
                                            type="button"
                                            class="btn btn-primary"
                                            data-testid="invite"
                                            aria-disabled=disabled
                                            on:click=move |_| run("invite")
                                        >
                                            {invite_label}
                                        </button>
                                    }
                                })}
                            {(state == InvitationState::Pending)
                                .then(|| {
                                    view! {
                                        <button type="button" class="btn btn-secondary" aria-disabled=disabled on:click=move |_| run("revoke")>
                                            "Отозвать приглашение"
                                        </button>
                                    }
                                })}
                            {if active {
                                view! {
                                    <button type="button" class="btn btn-danger" aria-disabled=disabled on:click=move |_| run("deactivate")>
                                        "Отключить"
                                    </button>
                                }
                                    .into_any()
                            } else {
                                view! {
                                    <button type="button" class="btn btn-secondary" aria-disabled=disabled on:click=move |_| run("activate")>
                                        "Включить снова"
                                    </button>
                                }
                                    .into_any()
                            }}
                        </div>
                    }
                })}
        </section>
    }
}

/// A new e-mail address waiting for its confirmation: the old one stays in force until then.
#[component]
pub fn PendingEmail(pending: PendingEmailChange) -> impl IntoView {
    view! {
        <div class="details-row" data-testid="pending-email">
            <dt>"Новый адрес"</dt>
            <dd>
                {pending.email}
                " "
                <Badge kind=BadgeKind::Warning>"ждёт подтверждения"</Badge>
                <br />
                <span class="muted">
                    {format!(
                        "Ссылка для подтверждения отправлена на новый адрес и действует до {}. До подтверждения вход — по прежнему адресу.",
                        format::date_time(pending.expires_at),
                    )}
                </span>
            </dd>
        </div>
    }
}

#[component]
fn Profile(ctx: CardCtx, scope: Arc<Scope>, detail: PersonDetail, editable: bool) -> impl IntoView {
    let editing = RwSignal::new(false);
    let shown = detail.person.clone();
    let external = detail.external_id.clone();
    let pending = detail.pending_email.clone();
    view! {
        <section class="card" aria-labelledby="profile-title">
            <div class="card-head">
                <h2 class="card-title" id="profile-title">"Профиль"</h2>
                {editable
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="btn btn-secondary btn-small"
                                data-testid="edit-profile"
                                on:click=move |_| editing.update(|e| *e = !*e)
                            >
                                {move || if editing.get() { "Отмена" } else { "Изменить" }}
                            </button>
                        }
                    })}
            </div>
            {move || {
                if editing.get() {
                    view! {
                        <ProfileForm ctx=ctx scope=scope.clone() detail=detail.clone() editing=editing />
                    }
                        .into_any()
                } else {
                    let p = shown.clone();
                    let code = external.clone();
                    let waiting = pending.clone();
                    view! {
                        <Details>
                            <DetailRow label="Фамилия, имя, отчество" value=Some(p.full_name()) />
                            <DetailRow label="Электронная почта" value=Some(p.email.clone()) />
                            {waiting.map(|p| view! { <PendingEmail pending=p /> })}
                            <DetailRow label="Телефон" value=p.phone.clone() />
                            <DetailRow label="Место работы" value=p.workplace.as_ref().map(|w| w.name.clone()) />
                            <DetailRow label="Должность" value=p.position.clone() />
                            <DetailRow label="Стаж педагогической работы" value=p.teaching_experience_years.map(format::years) />
                            <DetailRow label="Стаж в данной должности" value=p.position_experience_years.map(format::years) />
                            <DetailRow label="Квалификационная категория" value=p.qualification_category.clone() />
                            <DetailRow label="Дата присвоения категории" value=p.qualification_date.map(format::date) />
                            <DetailRow label="Код в системах региона" value=code />
                        </Details>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

fn number(value: RwSignal<String>) -> Result<Option<i32>, ()> {
    match opt(value) {
        None => Ok(None),
        Some(v) => v.parse::<i32>().map(Some).map_err(|_| ()),
    }
}

#[component]
fn ProfileForm(
    ctx: CardCtx,
    scope: Arc<Scope>,
    detail: PersonDetail,
    editing: RwSignal<bool>,
) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let p = detail.person;
    let text = |v: &Option<String>| RwSignal::new(v.clone().unwrap_or_default());
    let surname = RwSignal::new(p.surname.clone());
    let first_name = RwSignal::new(p.first_name.clone());
    let patronymic = text(&p.patronymic);
    let email = RwSignal::new(p.email.clone());
    let phone = text(&p.phone);
    let position = text(&p.position);
    let teaching = RwSignal::new(
        p.teaching_experience_years
            .map(|v| v.to_string())
            .unwrap_or_default(),
    );
    let in_position = RwSignal::new(
        p.position_experience_years
            .map(|v| v.to_string())
            .unwrap_or_default(),
    );
    let category = text(&p.qualification_category);
    let category_date = RwSignal::new(
        p.qualification_date
            .map(format::iso_date)
            .unwrap_or_default(),
    );
    let external = text(&detail.external_id);
    let workplace = RwSignal::new(
        p.workplace
            .as_ref()
            .map(|w| w.id.to_string())
            .unwrap_or_default(),
    );
    let mut units = scope.workplaces();
    // The current workplace stays on the list even when it is outside what the manager runs.
    let current = p.workplace.as_ref().and_then(|w| scope.unit(w.id));
    if let Some(current) = current
        && !units.iter().any(|u| u.id == current.id)
    {
        units.push(current);
    }
    let unit_choices = scope.choices(&units, Some("Не указано"));
    let id = ctx.id;
    let current_email = shared::text::normalize_email(&p.email);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let readdressed = opt(email)
            .map(|e| shared::text::normalize_email(&e))
            .is_some_and(|e| e != current_email);
        let (Ok(teaching_years), Ok(position_years)) = (number(teaching), number(in_position))
        else {
            form.fail("teaching_experience_years", "Укажите целое число лет.");
            return;
        };
        let date = opt(category_date);
        let qualification_date = date.as_deref().and_then(format::parse_iso_date);
        if date.is_some() && qualification_date.is_none() {
            form.fail("qualification_date", "Укажите дату.");
            return;
        }
        let request = UpdatePerson {
            profile: ProfileInput {
                surname: surname.get_untracked().trim().to_owned(),
                first_name: first_name.get_untracked().trim().to_owned(),
                patronymic: opt(patronymic),
                phone: opt(phone),
                position: opt(position),
                teaching_experience_years: teaching_years,
                position_experience_years: position_years,
                qualification_category: opt(category),
                qualification_date,
            },
            email: opt(email),
            workplace_id: workplace.get_untracked().parse::<Uuid>().ok(),
            external_id: opt(external),
        };
        if !form.check(request.validate()) {
            return;
        }
        form.run(
            async move {
                let _: PersonDetail = api.put(&endpoints::person(id), &request).await?;
                Ok(())
            },
            move || {
                ctx.done(if readdressed {
                    "Профиль сохранён. На новый адрес отправлена ссылка для подтверждения, прежний адрес получил уведомление; адрес сменится после подтверждения."
                } else {
                    "Профиль сохранён."
                });
                set_timeout(move || editing.set(false), std::time::Duration::ZERO);
            },
        );
    };
    view! {
        <form class="form" on:submit=submit novalidate=true>
            <FormAlert form=form />
            <div class="form-row">
                <Input label="Фамилия" id="person-surname" value=surname error=form.field("surname") required=true />
                <Input label="Имя" id="person-first_name" value=first_name error=form.field("first_name") required=true />
                <Input label="Отчество" id="person-patronymic" value=patronymic error=form.field("patronymic") />
            </div>
            <div class="form-row">
                <Input label="Электронная почта" id="person-email" input_type="email" value=email error=form.field("email") required=true />
                <Input label="Телефон" id="person-phone" input_type="tel" value=phone error=form.field("phone") />
            </div>
            <Select label="Место работы" id="person-workplace" value=workplace choices=unit_choices error=form.field("workplace_id") />
            <Input label="Должность" id="person-position" value=position error=form.field("position") />
            <div class="form-row">
                <Input
                    label="Педагогический стаж, лет"
                    id="person-teaching"
                    input_type="number"
                    min="0"
                    max="70"
                    value=teaching
                    error=form.field("teaching_experience_years")
                />
                <Input
                    label="Стаж в должности, лет"
                    id="person-in-position"
                    input_type="number"
                    min="0"
                    max="70"
                    value=in_position
                    error=form.field("position_experience_years")
                />
            </div>
            <div class="form-row">
                <Input
                    label="Квалификационная категория"
                    id="person-category"
                    value=category
                    error=form.field("qualification_category")
                    list="person-categories"
                />
                <Input
                    label="Дата присвоения категории"
                    id="person-category-date"
                    input_type="date"
                    value=category_date
                    error=form.field("qualification_date")
                />
            </div>
            <datalist id="person-categories">
                <option value="Высшая"></option>
                <option value="Первая"></option>
                <option value="Соответствие занимаемой должности"></option>
                <option value="Без категории"></option>
            </datalist>
            <Input label="Код в системах региона" id="person-external" value=external error=form.field("external_id") />
            <div class="form-buttons">
                <button type="submit" class="btn btn-primary" data-testid="save-profile" aria-disabled=move || form.busy.get().then_some("true")>
                    "Сохранить"
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| editing.set(false)>"Отмена"</button>
            </div>
        </form>
    }
}

#[component]
fn Roles(ctx: CardCtx, scope: Arc<Scope>, grants: Vec<RoleGrantDto>) -> impl IntoView {
    let api = use_api();
    let busy = RwSignal::new(false);
    let rows = grants
        .iter()
        .map(|g| {
            let path = g.unit.as_ref().and_then(|u| scope.path(u.id));
            let may = scope.actor.is_admin()
                || (path.is_some() && scope.actor.can_grant(g.role, path.as_ref()));
            let grant_id = g.id;
            let title = g.role_title.clone();
            let revoke = move |_| {
                if busy.get_untracked() || !confirm(&format!("Снять роль «{title}»?")) {
                    return;
                }
                busy.set(true);
                let title = title.clone();
                leptos::task::spawn_local(async move {
                    let result: Result<PersonDetail, ApiError> =
                        api.delete(&endpoints::role_grant(grant_id)).await;
                    busy.try_set(false);
                    match result {
                        Ok(_) => ctx.done(format!("Роль «{title}» снята.")),
                        Err(e) => ctx.failed(&e),
                    }
                });
            };
            view! {
                <tr data-testid="role-row">
                    <td data-label="Роль"><strong>{g.role_title.clone()}</strong></td>
                    <td data-label="Подразделение">
                        {match &g.unit {
                            Some(u) => format::unit(u),
                            None => "Вся платформа".to_owned(),
                        }}
                    </td>
                    <td>
                        {may
                            .then(|| {
                                view! {
                                    <button type="button" class="btn btn-ghost btn-small" on:click=revoke.clone()>
                                        "Снять"
                                    </button>
                                }
                            })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let grantable = scope.grantable_roles();
    view! {
        <section class="card" aria-labelledby="roles-title">
            <h2 class="card-title" id="roles-title">"Роли"</h2>
            {if grants.is_empty() {
                view! { <p class="muted">"Ролей нет: человек не увидит ничего, кроме своего профиля."</p> }
                    .into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table table-stack">
                            <thead>
                                <tr>
                                    <th scope="col">"Роль"</th>
                                    <th scope="col">"Подразделение"</th>
                                    <th scope="col"><span class="visually-hidden">"Действия"</span></th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
            {(!grantable.is_empty()).then(|| view! { <GrantForm ctx=ctx scope=scope.clone() roles=grantable /> })}
        </section>
    }
}

#[component]
fn GrantForm(ctx: CardCtx, scope: Arc<Scope>, roles: Vec<Role>) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let role = RwSignal::new(String::new());
    let unit = RwSignal::new(String::new());
    let role_choices = {
        let mut c = vec![Choice::One(String::new(), "Выберите роль".to_owned())];
        c.extend(
            roles
                .iter()
                .map(|r| Choice::One(r.as_str().to_owned(), r.title_ru().to_owned())),
        );
        c
    };
    let for_units = scope.clone();
    let units = Memo::new(move |_| {
        role.get()
            .parse::<Role>()
            .ok()
            .map(|r| {
                for_units
                    .grant_units(r)
                    .into_iter()
                    .map(|u| u.id)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    // Prefill the unit: the only one possible.
    Effect::new(move |_| {
        let list = units.get();
        let current = unit.get_untracked().parse::<Uuid>().ok();
        if current.is_none_or(|c| !list.contains(&c)) {
            unit.set(if list.len() == 1 {
                list[0].to_string()
            } else {
                String::new()
            });
        }
    });
    let id = ctx.id;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let Ok(chosen) = role.get_untracked().parse::<Role>() else {
            form.fail("role", "Выберите роль.");
            return;
        };
        let unit_id = unit.get_untracked().parse::<Uuid>().ok();
        if chosen != Role::Admin && unit_id.is_none() {
            form.fail("unit_id", "Выберите подразделение.");
            return;
        }
        let request = GrantInput {
            role: chosen,
            unit_id: if chosen == Role::Admin { None } else { unit_id },
        };
        form.run(
            async move {
                let _: PersonDetail = api
                    .post(&endpoints::person_part(id, "roles"), &request)
                    .await?;
                Ok(())
            },
            move || {
                ctx.done(format!("Роль «{}» назначена.", chosen.title_ru()));
            },
        );
    };
    view! {
        <form class="form item-form" on:submit=submit novalidate=true>
            <h3 class="card-subtitle">"Назначить роль"</h3>
            <FormAlert form=form />
            <div class="form-row">
                <Select label="Роль" id="grant-role" value=role choices=role_choices error=form.field("role") />
                {move || {
                    let is_admin = role.get() == Role::Admin.as_str();
                    let ids = units.get();
                    (!is_admin && !role.get().is_empty())
                        .then(|| {
                            let list: Vec<&shared::dto::UnitDto> = ids
                                .iter()
                                .filter_map(|id| scope.unit(*id))
                                .collect();
                            let choices = scope.choices(&list, (list.len() != 1).then_some("Выберите подразделение"));
                            view! { <Select label="Где" id="grant-unit" value=unit choices=choices error=form.field("unit_id") /> }
                        })
                }}
            </div>
            <div class="form-buttons">
                <button type="submit" class="btn btn-secondary" data-testid="grant-role" aria-disabled=move || form.busy.get().then_some("true")>
                    "Назначить"
                </button>
            </div>
        </form>
    }
}

/// The role a staff member needs for an assignment of this kind.
fn role_for(kind: AssignmentKind) -> Role {
    match kind {
        AssignmentKind::Tutor => Role::Tutor,
        AssignmentKind::Mentor => Role::Methodist,
        AssignmentKind::Expert => Role::Expert,
    }
}

#[component]
fn Staff(ctx: CardCtx, staff: Vec<AssignmentDto>, can_assign: bool, active: bool) -> impl IntoView {
    let api = use_api();
    let busy = RwSignal::new(false);
    let items = staff
        .iter()
        .map(|a| {
            let assignment = a.id;
            let name = a.person.full_name.clone();
            let remove = move |_| {
                if busy.get_untracked() || !confirm(&format!("Снять назначение: {name}?")) {
                    return;
                }
                busy.set(true);
                leptos::task::spawn_local(async move {
                    let result: Result<(), ApiError> =
                        api.delete(&endpoints::assignment(assignment)).await;
                    busy.try_set(false);
                    match result {
                        Ok(()) => ctx.done("Назначение снято."),
                        Err(e) => ctx.failed(&e),
                    }
                });
            };
            let tutor = a.kind == AssignmentKind::Tutor;
            let consent = a.consent_at;
            view! {
                <li class="person" data-testid="staff-row">
                    <div class="person-main">
                        <span class="person-role">{a.kind.title_ru()}</span>
                        <span class="person-name">{a.person.full_name.clone()}</span>
                        <span class="person-email">{a.person.email.clone()}</span>
                    </div>
                    <div class="person-side">
                        {tutor
                            .then(|| match consent {
                                Some(at) => view! {
                                    <Badge kind=BadgeKind::Success>{format!("согласие с {}", format::date(at.date_naive()))}</Badge>
                                }
                                    .into_any(),
                                None => view! { <Badge kind=BadgeKind::Warning>"согласие не дано"</Badge> }.into_any(),
                            })}
                        {can_assign
                            .then(|| {
                                view! {
                                    <button type="button" class="btn btn-ghost btn-small" on:click=remove.clone()>
                                        "Снять"
                                    </button>
                                }
                            })}
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="staff-title">
            <h2 class="card-title" id="staff-title">"Тьютор, наставник, эксперты"</h2>
            {if staff.is_empty() {
                view! { <p class="muted">"Никто не назначен."</p> }.into_any()
            } else {
                view! { <ul class="people-list">{items}</ul> }.into_any()
            }}
            <p class="small muted">
                "Тьютор видит маршруты педагога только после его согласия; педагог даёт и отзывает согласие в личном кабинете."
            </p>
            {(can_assign && active).then(|| view! { <AssignForm ctx=ctx /> })}
        </section>
    }
}

#[component]
fn AssignForm(ctx: CardCtx) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    let kind = RwSignal::new(AssignmentKind::Tutor.as_str().to_owned());
    let staff = RwSignal::new(String::new());
    let candidates = LocalResource::new(move || {
        let role = kind
            .get()
            .parse::<AssignmentKind>()
            .map(role_for)
            .unwrap_or(Role::Tutor);
        async move {
            api.call::<Page<PersonSummary>>(
                ApiRequest::new(gloo_net::http::Method::GET, endpoints::PEOPLE)
                    .query("role", role.as_str())
                    .query("active", "true")
                    .query("limit", 200),
            )
            .await
        }
    });
    let kinds: Vec<Choice> = AssignmentKind::ALL
        .iter()
        .map(|k| Choice::One(k.as_str().to_owned(), k.title_ru().to_owned()))
        .collect();
    let teacher = ctx.id;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let (Ok(kind), Ok(staff_id)) = (
            kind.get_untracked().parse::<AssignmentKind>(),
            staff.get_untracked().parse::<Uuid>(),
        ) else {
            form.fail("staff_id", "Выберите сотрудника.");
            return;
        };
        let request = AssignmentInput {
            kind,
            staff_id,
            teacher_id: teacher,
        };
        form.run(
            async move {
                let _: AssignmentDto = api.post(endpoints::ASSIGNMENTS, &request).await?;
                Ok(())
            },
            move || {
                ctx.done(format!(
                    "Назначение добавлено: {}.",
                    kind.title_ru().to_lowercase()
                ))
            },
        );
    };
    view! {
        <form class="form item-form" on:submit=submit novalidate=true>
            <h3 class="card-subtitle">"Назначить"</h3>
            <FormAlert form=form />
            <div class="form-row">
                <Select label="Кого" id="assign-kind" value=kind choices=kinds error=form.field("kind") />
                <Transition fallback=|| view! { <Loading label="Загружаем сотрудников…" /> }>
                    {move || {
                        candidates
                            .get()
                            .map(|result| match result {
                                Ok(page) => {
                                    let people: Vec<&PersonSummary> = page
                                        .items
                                        .iter()
                                        .filter(|p| p.id != teacher)
                                        .collect();
                                    if people.is_empty() {
                                        return view! {
                                            <p class="small muted">
                                                "В вашей зоне ответственности нет сотрудников с подходящей ролью: сначала назначьте роль в их карточке."
                                            </p>
                                        }
                                            .into_any();
                                    }
                                    let mut choices = vec![Choice::One(String::new(), "Выберите сотрудника".to_owned())];
                                    choices
                                        .extend(
                                            people
                                                .iter()
                                                .map(|p| {
                                                    let place = p
                                                        .workplace
                                                        .as_ref()
                                                        .map(|w| format!(" — {}", w.name))
                                                        .unwrap_or_default();
                                                    Choice::One(p.id.to_string(), format!("{}{place}", p.full_name))
                                                }),
                                        );
                                    view! {
                                        <Select label="Сотрудник" id="assign-staff" value=staff choices=choices error=form.field("staff_id") />
                                    }
                                        .into_any()
                                }
                                Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                            })
                    }}
                </Transition>
            </div>
            <div class="form-buttons">
                <button type="submit" class="btn btn-secondary" aria-disabled=move || form.busy.get().then_some("true")>
                    "Назначить"
                </button>
            </div>
        </form>
    }
}

#[component]
fn Teachers(teachers: Vec<AssignmentDto>) -> impl IntoView {
    let items = teachers
        .into_iter()
        .map(|a| {
            view! {
                <li class="person">
                    <div class="person-main">
                        <span class="person-role">{a.kind.title_ru()}</span>
                        <a class="person-name" href=routes::person_page(a.person.id)>{a.person.full_name.clone()}</a>
                        <span class="person-email">{a.person.email.clone()}</span>
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="teachers-title">
            <h2 class="card-title" id="teachers-title">"Сопровождает педагогов"</h2>
            <ul class="people-list">{items}</ul>
        </section>
    }
}
