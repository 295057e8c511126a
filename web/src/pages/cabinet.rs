//! «Личный кабинет»: a greeting and, for each of the person's roles, what matters to it.

use leptos::prelude::*;
use shared::Role;
use shared::dto::{AssignmentDto, AssignmentKind, ConsentInput, MeResponse, RoleGrantDto, UnitDto};
use shared::org::UnitKind;

use crate::api::{ApiError, endpoints, use_api};
use crate::components::{
    Alert, AlertKind, Badge, BadgeKind, ErrorAlert, Loading, PageHeader, error_fallback,
};
use crate::format;
use crate::routes;
use crate::session::use_session;

#[component]
pub fn CabinetPage() -> impl IntoView {
    // Read once: the page must not be rebuilt (losing the focus) when an action on it updates
    // the cached `/me`; coming back to the page shows the update.
    let me = use_session().me().get_untracked();
    // Units are counted only for those who administer a region, district, municipality or the
    // platform (a school has no units below it).
    let needs_units = me.as_ref().is_some_and(|m| {
        m.roles.iter().any(|g| {
            g.role == Role::Admin
                || (g.role.manages_unit()
                    && g.unit.as_ref().is_some_and(|u| u.kind != UnitKind::School))
        })
    });
    let api = use_api();
    let units = LocalResource::new(move || async move {
        if needs_units {
            api.get::<Vec<UnitDto>>(endpoints::UNITS).await
        } else {
            Ok(Vec::new())
        }
    });

    view! {
        <PageHeader title="Личный кабинет" />
        {me.map(|me| view! { <Cabinet me=me units=units /> })}
    }
}

#[component]
fn Cabinet(me: MeResponse, units: LocalResource<Result<Vec<UnitDto>, ApiError>>) -> impl IntoView {
    let person = &me.person;
    let work = [
        person.position.clone(),
        person.workplace.as_ref().map(|w| w.name.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");

    // One card per role, in the domain's order, with every unit the role is held at.
    let mut roles: Vec<Role> = me.roles.iter().map(|g| g.role).collect();
    roles.sort();
    roles.dedup();
    let cards = roles
        .into_iter()
        .map(|role| {
            let grants: Vec<RoleGrantDto> = me
                .roles
                .iter()
                .filter(|g| g.role == role)
                .cloned()
                .collect();
            view! { <RoleCard role=role grants=grants me=me.clone() units=units /> }
        })
        .collect_view();

    view! {
        <section class="greeting" aria-label="Приветствие">
            <p class="greeting-hello">{format!("Здравствуйте, {}!", format::address(person))}</p>
            {(!work.is_empty()).then(|| view! { <p class="muted">{work}</p> })}
        </section>
        {me
            .roles
            .is_empty()
            .then(|| {
                view! {
                    <Alert kind=AlertKind::Info>
                        "Вам пока не назначена ни одна роль. Обратитесь к координатору вашей организации."
                    </Alert>
                }
            })}
        <crate::pages::notifications::TasksCard />
        <div class="card-grid">
            {me
                .roles
                .iter()
                .any(|g| {
                    matches!(
                        g.role,
                        Role::RegionalManager | Role::MunicipalCoordinator | Role::SchoolCoordinator
                    )
                })
                .then(|| view! { <crate::pages::monitoring::MonitoringCard /> })}
            {cards}
            {me
                .has_role(Role::Teacher)
                .then(|| view! { <crate::pages::catalogue::RecommendedCard /> })}
            {me
                .has_role(Role::Teacher)
                .then(|| view! { <crate::pages::documents::MyCertificates /> })}
            {me
                .has_role(Role::Teacher)
                .then(|| view! { <crate::pages::access_log::AccessLogCard /> })}
            <section class="card">
                <h2 class="card-title">"Мой профиль"</h2>
                <p>"Сведения о вас, которые попадают в информационный раздел маршрута, и ваши роли."</p>
                <p>
                    <a class="link-arrow" href=routes::PROFILE>
                        "Мой профиль и роли"
                    </a>
                </p>
            </section>
        </div>
    }
}

/// What a role is for, in a line (from the regulation and the regional algorithm).
fn role_summary(role: Role) -> &'static str {
    match role {
        Role::Teacher => {
            "Вы проходите диагностику, составляете свой маршрут и отмечаете продвижение по нему."
        }
        Role::Tutor => {
            "Вы помогаете педагогам составить маршрут, комментируете его и следите за продвижением."
        }
        Role::Methodist => {
            "Вы проводите индивидуальные консультации, анализ уроков и даёте рекомендации педагогам."
        }
        Role::SchoolCoordinator => {
            "Вы назначаете тьюторов и вместе с педагогами выстраиваете дорожные карты."
        }
        Role::DeputyDirector => "Вы согласуете маршруты педагогов организации («СОГЛАСОВАНО»).",
        Role::Director => "Вы утверждаете маршруты педагогов и заключения по ним («УТВЕРЖДАЮ»).",
        Role::MunicipalCoordinator => {
            "Вы видите маршруты педагогов муниципалитета и предлагаете муниципальные мероприятия."
        }
        Role::RegionalManager => {
            "Вы создаёте кабинеты, рекомендуете программы, анализируете продвижение и готовите заключения."
        }
        Role::Expert => "Вы оцениваете методические продукты педагогов: устранён ли дефицит.",
        Role::Admin => "Вы ведёте регионы, справочники и правила платформы.",
    }
}

#[component]
fn RoleCard(
    role: Role,
    grants: Vec<RoleGrantDto>,
    me: MeResponse,
    units: LocalResource<Result<Vec<UnitDto>, ApiError>>,
) -> impl IntoView {
    let scope = grants
        .iter()
        .map(|g| match &g.unit {
            Some(unit) => view! {
                <li>
                    <span class="unit-kind">{unit.kind.title_ru()}</span>
                    <span class="unit-name">{unit.name.clone()}</span>
                </li>
            }
            .into_any(),
            None => view! {
                <li>
                    <span class="unit-name">"Вся платформа"</span>
                </li>
            }
            .into_any(),
        })
        .collect_view();

    let body = match role {
        Role::Teacher => view! { <MyStaff staff=me.my_staff.clone() /> }.into_any(),
        Role::Tutor | Role::Methodist | Role::Expert => {
            let kind = match role {
                Role::Tutor => AssignmentKind::Tutor,
                Role::Methodist => AssignmentKind::Mentor,
                _ => AssignmentKind::Expert,
            };
            let teachers: Vec<AssignmentDto> = me
                .my_teachers
                .iter()
                .filter(|a| a.kind == kind)
                .cloned()
                .collect();
            view! { <MyTeachers kind=kind teachers=teachers /> }.into_any()
        }
        // A school has no units below it; a region or municipality does, and so does the platform.
        _ if role == Role::Admin
            || (role.manages_unit()
                && grants
                    .iter()
                    .any(|g| g.unit.as_ref().is_some_and(|u| u.kind != UnitKind::School))) =>
        {
            let ids: Vec<_> = grants
                .iter()
                .filter_map(|g| g.unit.as_ref().map(|u| u.id))
                .collect();
            view! { <UnitsInScope role=role unit_ids=ids units=units /> }.into_any()
        }
        _ => ().into_any(),
    };

    // Where the role's work is done.
    let link = match role {
        Role::Teacher => Some((routes::MY_ROUTES, "Мои маршруты")),
        Role::Tutor | Role::Methodist => Some((routes::TUTEES, "Маршруты моих педагогов")),
        Role::DeputyDirector | Role::Director => Some((routes::QUEUE, "Маршруты на согласовании")),
        Role::Expert => Some((routes::EXPERTISE, "Продукты на экспертизе")),
        Role::SchoolCoordinator | Role::MunicipalCoordinator | Role::RegionalManager => {
            Some((routes::ROUTES, "Маршруты педагогов"))
        }
        Role::Admin => None,
    };
    view! {
        <section class="card role-card" data-role=role.as_str()>
            <h2 class="card-title">{role.title_ru()}</h2>
            <ul class="scope-list" aria-label="Где действует роль">
                {scope}
            </ul>
            <p class="muted">{role_summary(role)}</p>
            {link
                .map(|(path, label)| {
                    view! {
                        <p>
                            <a class="link-arrow" href=path>
                                {label}
                            </a>
                        </p>
                    }
                })}
            {body}
        </section>
    }
}

/// A teacher's tutor, mentor and experts; the teacher gives or withdraws the tutor's consent.
#[component]
fn MyStaff(staff: Vec<AssignmentDto>) -> impl IntoView {
    if staff.is_empty() {
        return view! {
            <h3 class="card-subtitle">"Мой тьютор / наставник"</h3>
            <p>"Тьютор и наставник пока не назначены. Их назначает координатор вашей организации."</p>
        }
        .into_any();
    }
    let has_tutor = staff.iter().any(|a| a.kind == AssignmentKind::Tutor);
    view! {
        <h3 class="card-subtitle">"Мой тьютор / наставник"</h3>
        <ul class="people-list">
            {staff.into_iter().map(|a| view! { <StaffMember assignment=a /> }).collect_view()}
        </ul>
        {has_tutor
            .then(|| {
                view! {
                    <p class="small muted">
                        "Тьютор видит ваши маршруты только с вашего согласия. Согласие можно отозвать в любой момент."
                    </p>
                }
            })}
    }
    .into_any()
}

#[component]
fn StaffMember(assignment: AssignmentDto) -> impl IntoView {
    let session = use_session();
    let api = use_api();
    let id = assignment.id;
    let is_tutor = assignment.kind == AssignmentKind::Tutor;
    let consent = RwSignal::new(assignment.consent_at.is_some());
    let set_consent = Action::new_local(move |given: &bool| {
        let body = ConsentInput { given: *given };
        async move {
            let updated: AssignmentDto = api.put(&endpoints::my_consent(id), &body).await?;
            consent.set(updated.consent_at.is_some());
            session.update_me(|me| {
                if let Some(a) = me.my_staff.iter_mut().find(|a| a.id == updated.id) {
                    *a = updated;
                }
            });
            Ok::<(), ApiError>(())
        }
    });
    let error = move || set_consent.value().get().and_then(Result::err);
    let busy = move || set_consent.pending().get();

    view! {
        <li class="person">
            <div class="person-main">
                <span class="person-role">{assignment.kind.title_ru()}</span>
                <span class="person-name">{assignment.person.full_name.clone()}</span>
                <a class="person-email" href=format!("mailto:{}", assignment.person.email)>
                    {assignment.person.email.clone()}
                </a>
            </div>
            {is_tutor
                .then(|| {
                    view! {
                        <div class="person-side">
                            <ConsentBadge given=consent />
                            <button
                                type="button"
                                class="btn btn-secondary btn-small"
                                aria-disabled=move || busy().then_some("true")
                                on:click=move |_| {
                                    if !busy() {
                                        set_consent.dispatch(!consent.get_untracked());
                                    }
                                }
                            >
                                {move || {
                                    if consent.get() { "Отозвать согласие" } else { "Дать согласие" }
                                }}
                            </button>
                        </div>
                    }
                })}
            {move || error().map(|e| view! { <ErrorAlert error=e /> })}
        </li>
    }
}

#[component]
fn ConsentBadge(#[prop(into)] given: Signal<bool>) -> impl IntoView {
    move || {
        if given.get() {
            view! { <Badge kind=BadgeKind::Success>"согласие дано"</Badge> }
        } else {
            view! { <Badge kind=BadgeKind::Warning>"согласие не дано"</Badge> }
        }
    }
}

/// The teachers a tutor, mentor or expert supports.
#[component]
fn MyTeachers(kind: AssignmentKind, teachers: Vec<AssignmentDto>) -> impl IntoView {
    let heading = view! { <h3 class="card-subtitle">"Мои педагоги"</h3> };
    if teachers.is_empty() {
        return view! {
            {heading}
            <p>"За вами пока не закреплены педагоги."</p>
        }
        .into_any();
    }
    let count = teachers.len();
    view! {
        {heading}
        <p class="small muted">
            {format!(
                "{count} {}",
                format::plural(count as i64, "педагог", "педагога", "педагогов"),
            )}
        </p>
        <ul class="people-list">
            {teachers
                .into_iter()
                .map(|a| {
                    view! {
                        <li class="person">
                            <div class="person-main">
                                <span class="person-name">{a.person.full_name.clone()}</span>
                                <a class="person-email" href=format!("mailto:{}", a.person.email)>
                                    {a.person.email.clone()}
                                </a>
                            </div>
                            {(kind == AssignmentKind::Tutor)
                                .then(|| {
                                    view! {
                                        <div class="person-side">
                                            <ConsentBadge given=a.consent_at.is_some() />
                                        </div>
                                    }
                                })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        {(kind == AssignmentKind::Tutor)
            .then(|| {
                view! {
                    <p class="small muted">
                        "Маршруты педагога доступны вам только после его согласия."
                    </p>
                }
            })}
    }
    .into_any()
}

/// How many units lie inside the units a manager (or the administrator) is responsible for.
#[component]
fn UnitsInScope(
    role: Role,
    unit_ids: Vec<uuid::Uuid>,
    units: LocalResource<Result<Vec<UnitDto>, ApiError>>,
) -> impl IntoView {
    let summary = move || {
        units.get().map(|result| {
            result.map(|all| {
                let live: Vec<&UnitDto> = all.iter().filter(|u| !u.archived).collect();
                let inside = |u: &UnitDto| {
                    if role == Role::Admin {
                        return true;
                    }
                    unit_ids.iter().any(|id| {
                        *id != u.id
                            && live
                                .iter()
                                .any(|top| top.id == *id && top.path.contains(&u.path))
                    })
                };
                let counts = [
                    (UnitKind::Region, "регион", "региона", "регионов"),
                    (
                        UnitKind::District,
                        "методический округ",
                        "методических округа",
                        "методических округов",
                    ),
                    (
                        UnitKind::Municipality,
                        "муниципалитет",
                        "муниципалитета",
                        "муниципалитетов",
                    ),
                    (
                        UnitKind::School,
                        "образовательная организация",
                        "образовательные организации",
                        "образовательных организаций",
                    ),
                ]
                .into_iter()
                .filter_map(|(kind, one, few, many)| {
                    let n = live.iter().filter(|u| u.kind == kind && inside(u)).count();
                    (n > 0).then(|| format!("{n} {}", format::plural(n as i64, one, few, many)))
                })
                .collect::<Vec<_>>();
                if counts.is_empty() {
                    view! { <p>"Подчинённых подразделений нет."</p> }.into_any()
                } else {
                    let label = if role == Role::Admin {
                        "На платформе"
                    } else {
                        "В вашей зоне ответственности"
                    };
                    view! {
                        <p>
                            {label} ": " {counts.join(", ")} "."
                        </p>
                    }
                    .into_any()
                }
            })
        })
    };
    view! {
        <h3 class="card-subtitle">"Подразделения"</h3>
        <Transition fallback=|| view! { <Loading label="Загружаем подразделения…" /> }>
            <ErrorBoundary fallback=error_fallback>{summary}</ErrorBoundary>
        </Transition>
    }
}
