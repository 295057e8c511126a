//! Every client-side path in one place, and the navigation as data.
//!
//! A new page adds its path here, a `<Route>` in [`crate::app`], and (when it belongs in the
//! menu) a [`NavItem`] in [`NAVIGATION`] saying which roles see it.

use leptos_router::params::ParamsMap;
use shared::Role;

/// «Личный кабинет», the home page after signing in.
pub const CABINET: &str = "/";
/// The sign-in page; takes `?next=/path` to return to after signing in.
pub const LOGIN: &str = "/login";
/// «Мой профиль и роли».
pub const PROFILE: &str = "/profile";
/// «Кто видел мои данные»: who else opened the person's route, profile, files and results.
pub const ACCESS_LOG: &str = "/access-log";
/// «Уведомления»: the notification centre (the bell in the header leads here).
pub const NOTIFICATIONS: &str = "/notifications";
/// «Мои маршруты»: the teacher's own routes.
pub const MY_ROUTES: &str = "/my-routes";
/// «Новый маршрут»: the short form that creates a route.
pub const NEW_ROUTE: &str = "/my-routes/new";
/// «Маршруты»: every route in the person's scope, with filters (school, municipal, regional roles).
pub const ROUTES: &str = "/routes";
/// «Согласование»: the routes awaiting the person's agreement, approval or conclusion.
pub const QUEUE: &str = "/queue";
/// «Мои педагоги»: the routes of a tutor's or methodist's teachers.
pub const TUTEES: &str = "/tutees";
/// «Экспертиза»: the products awaiting an expert's evaluation.
pub const EXPERTISE: &str = "/expertise";
/// The path segment of one route's page: `/routes/{id}`.
pub const ROUTE_ID_PARAM: &str = "id";

/// One route's page, on its first tab.
pub fn route_page(id: uuid::Uuid) -> String {
    format!("{ROUTES}/{id}")
}

/// One route's page on a tab (`?tab=activity`).
pub fn route_tab(id: uuid::Uuid, tab: &str) -> String {
    format!("{ROUTES}/{id}?tab={tab}")
}

/// «Календарь мероприятий»: the catalogue (`?view=month` for the month grid, filters in the query).
pub const CATALOGUE: &str = "/catalogue";
/// A new event (`?competency_id=…&teachers=…` prefills a webinar for a cohort).
pub const NEW_EVENT: &str = "/catalogue/new";
/// The path segment of one event's page: `/catalogue/{id}`.
pub const EVENT_ID_PARAM: &str = "event_id";
/// «Рекомендовано мне».
pub const RECOMMENDED: &str = "/recommended";
/// «Группы по дефицитам».
pub const COHORTS: &str = "/cohorts";

/// One event's page.
pub fn event_page(id: uuid::Uuid) -> String {
    format!("{CATALOGUE}/{id}")
}

/// An event's editor.
pub fn event_edit(id: uuid::Uuid) -> String {
    format!("{CATALOGUE}/{id}/edit")
}
/// «Банк продуктов»: the region's methodological products (`?q=&competency_id=&level=`).
pub const BANK: &str = "/bank";

/// One product of the bank.
pub fn bank_page(id: uuid::Uuid) -> String {
    format!("{BANK}/{id}")
}

/// «Мониторинг ИОМ»: the route dashboard of a unit (`?unit=&from=&to=`).
pub const MONITORING: &str = "/monitoring";
/// «Диагностики»: campaigns, results, import, the managers' view.
pub const DIAGNOSTICS: &str = "/diagnostics";
/// «Мои диагностики»: a teacher's results and self-assessment.
pub const MY_DIAGNOSTICS: &str = "/my-diagnostics";
/// «Рамки компетенций»: the frameworks and their versions (in the diagnostics area).
pub const FRAMEWORKS: &str = "/frameworks";

/// One framework version: its tree, and the editor of a draft.
pub fn framework_page(id: uuid::Uuid) -> String {
    format!("{FRAMEWORKS}/{id}")
}

/// The public verification of a certificate, `/verify/{code}` (what its QR code opens).
pub const VERIFY: &str = "verify";
/// The path segment of the verification code.
pub const VERIFY_CODE_PARAM: &str = "code";

/// The verification page of a certificate.
pub fn verify_page(code: &str) -> String {
    format!("/{VERIFY}/{code}")
}

/// «Структура»: the unit tree in the manager's scope and the region's rules.
pub const ADMIN_UNITS: &str = "/admin/units";
/// «Сотрудники»: people in scope, with search, filters and pages (`?q=&unit=&role=&active=`).
pub const ADMIN_PEOPLE: &str = "/admin/people";
/// «Новый сотрудник» (`?unit=` prefills the workplace).
pub const ADMIN_PERSON_NEW: &str = "/admin/people/new";
/// «Загрузка сотрудников из файла».
pub const ADMIN_IMPORT: &str = "/admin/import";
/// «Почта»: the outbox (administrators).
pub const ADMIN_OUTBOX: &str = "/admin/outbox";
/// «Интеграции»: clients of the integration API.
pub const INTEGRATIONS: &str = "/integrations";
/// «Восстановление пароля» (`?email=` prefills the address).
pub const FORGOT_PASSWORD: &str = "/forgot-password";
/// The path segment of an id (a person's, a client's) or a token.
pub const ID_PARAM: &str = "id";
pub const TOKEN_PARAM: &str = "token";

/// A person's card.
pub fn person_page(id: uuid::Uuid) -> String {
    format!("{ADMIN_PEOPLE}/{id}")
}

/// An integration client's page.
pub fn integration_page(id: uuid::Uuid) -> String {
    format!("{INTEGRATIONS}/{id}")
}

/// The API's interactive documentation, served by the API server (not a client route).
pub const API_DOCS: &str = "/api/docs/";

/// The sign-in page, asked to come back to `next` afterwards.
pub fn login_with_next(next: &str) -> String {
    if next.is_empty() || next == CABINET {
        return LOGIN.to_owned();
    }
    let query: ParamsMap = [("next", next.to_owned())].into_iter().collect();
    format!("{LOGIN}{}", query.to_query_string())
}

/// Where to go after signing in: `next` when it is a path inside this app (never another
/// site: `//host` and `/\host` are refused), else the cabinet.
pub fn safe_next(next: Option<String>) -> String {
    match next {
        Some(next)
            if next.starts_with('/')
                && !next.starts_with("//")
                && !next.starts_with("/\\")
                && !next.starts_with(LOGIN) =>
        {
            next
        }
        _ => CABINET.to_owned(),
    }
}

/// Who sees an item of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Everyone who is signed in.
    Everyone,
    /// People holding at least one of these roles.
    AnyOf(&'static [Role]),
}

impl Audience {
    pub fn admits(self, roles: &[Role]) -> bool {
        match self {
            Audience::Everyone => true,
            Audience::AnyOf(allowed) => roles.iter().any(|r| allowed.contains(r)),
        }
    }
}

/// An item of the main navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavItem {
    pub title: &'static str,
    pub path: &'static str,
    pub audience: Audience,
    /// Marked current only on this exact path (the cabinet at `/`), not below it.
    pub exact: bool,
}

/// The roles that see every route of their school, municipality or region.
pub const UNIT_ROLES: &[Role] = &[
    Role::SchoolCoordinator,
    Role::DeputyDirector,
    Role::Director,
    Role::MunicipalCoordinator,
    Role::RegionalManager,
];

/// The main navigation, in display order.
pub const NAVIGATION: &[NavItem] = &[
    NavItem {
        title: "Личный кабинет",
        path: CABINET,
        audience: Audience::Everyone,
        exact: true,
    },
    NavItem {
        title: "Мои маршруты",
        path: MY_ROUTES,
        audience: Audience::AnyOf(&[Role::Teacher]),
        exact: false,
    },
    NavItem {
        title: "Мои педагоги",
        path: TUTEES,
        audience: Audience::AnyOf(&[Role::Tutor, Role::Methodist]),
        exact: false,
    },
    NavItem {
        title: "Согласование",
        path: QUEUE,
        audience: Audience::AnyOf(&[
            Role::DeputyDirector,
            Role::Director,
            Role::SchoolCoordinator,
            Role::Tutor,
        ]),
        exact: false,
    },
    NavItem {
        title: "Экспертиза",
        path: EXPERTISE,
        audience: Audience::AnyOf(&[Role::Expert]),
        exact: false,
    },
    NavItem {
        title: "Маршруты",
        path: ROUTES,
        audience: Audience::AnyOf(UNIT_ROLES),
        exact: false,
    },
    NavItem {
        title: "Мониторинг ИОМ",
        path: MONITORING,
        audience: Audience::AnyOf(UNIT_ROLES),
        exact: false,
    },
    NavItem {
        title: "Календарь",
        path: CATALOGUE,
        audience: Audience::Everyone,
        exact: false,
    },
    NavItem {
        title: "Банк продуктов",
        path: BANK,
        audience: Audience::Everyone,
        exact: false,
    },
    NavItem {
        title: "Группы по дефицитам",
        path: COHORTS,
        audience: Audience::AnyOf(UNIT_ROLES),
        exact: false,
    },
    NavItem {
        title: "Мои диагностики",
        path: MY_DIAGNOSTICS,
        audience: Audience::AnyOf(&[Role::Teacher]),
        exact: false,
    },
    NavItem {
        title: "Диагностики",
        path: DIAGNOSTICS,
        audience: Audience::AnyOf(UNIT_ROLES),
        exact: false,
    },
    NavItem {
        title: "Структура",
        path: ADMIN_UNITS,
        audience: Audience::AnyOf(&[
            Role::Admin,
            Role::RegionalManager,
            Role::MunicipalCoordinator,
        ]),
        exact: false,
    },
    NavItem {
        title: "Сотрудники",
        path: ADMIN_PEOPLE,
        audience: Audience::AnyOf(&[
            Role::Admin,
            Role::RegionalManager,
            Role::MunicipalCoordinator,
            Role::Director,
            Role::DeputyDirector,
            Role::SchoolCoordinator,
        ]),
        exact: false,
    },
    NavItem {
        title: "Интеграции",
        path: INTEGRATIONS,
        audience: Audience::AnyOf(&[Role::Admin, Role::RegionalManager]),
        exact: false,
    },
    NavItem {
        title: "Почта",
        path: ADMIN_OUTBOX,
        audience: Audience::AnyOf(&[Role::Admin]),
        exact: false,
    },
    NavItem {
        title: "Профиль",
        path: PROFILE,
        audience: Audience::Everyone,
        exact: false,
    },
];

/// The items a person with these roles sees.
pub fn navigation_for(roles: &[Role]) -> impl Iterator<Item = &'static NavItem> + '_ {
    NAVIGATION.iter().filter(|item| item.audience.admits(roles))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_paths_outside_the_app_are_refused() {
        assert_eq!(safe_next(Some("/profile".into())), "/profile");
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\\evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(Some("/login?next=/".into())), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn everyone_sees_the_cabinet_and_role_items_only_their_roles() {
        assert!(navigation_for(&[Role::Expert]).any(|i| i.path == CABINET));
        let only_teachers = Audience::AnyOf(&[Role::Teacher]);
        assert!(only_teachers.admits(&[Role::Tutor, Role::Teacher]));
        assert!(!only_teachers.admits(&[Role::Director]));
    }

    #[test]
    fn each_role_finds_its_route_pages_in_the_menu() {
        let paths = |roles: &[Role]| navigation_for(roles).map(|i| i.path).collect::<Vec<_>>();
        assert!(paths(&[Role::Teacher]).contains(&MY_ROUTES));
        assert!(!paths(&[Role::Teacher]).contains(&QUEUE));
        assert!(paths(&[Role::Tutor]).contains(&TUTEES));
        assert!(paths(&[Role::Tutor]).contains(&QUEUE));
        assert!(paths(&[Role::Director]).contains(&QUEUE));
        assert!(paths(&[Role::Director]).contains(&ROUTES));
        assert!(paths(&[Role::Expert]).contains(&EXPERTISE));
        assert!(!paths(&[Role::Expert]).contains(&ROUTES));
        assert!(paths(&[Role::MunicipalCoordinator]).contains(&ROUTES));
        assert!(!paths(&[Role::MunicipalCoordinator]).contains(&QUEUE));
    }

    #[test]
    fn administration_is_in_the_menu_only_for_those_who_administer() {
        let paths = |roles: &[Role]| navigation_for(roles).map(|i| i.path).collect::<Vec<_>>();
        assert!(!paths(&[Role::Teacher, Role::Tutor]).contains(&ADMIN_PEOPLE));
        assert!(paths(&[Role::SchoolCoordinator]).contains(&ADMIN_PEOPLE));
        assert!(!paths(&[Role::SchoolCoordinator]).contains(&ADMIN_UNITS));
        assert!(paths(&[Role::RegionalManager]).contains(&INTEGRATIONS));
        assert!(!paths(&[Role::RegionalManager]).contains(&ADMIN_OUTBOX));
        assert!(paths(&[Role::Admin]).contains(&ADMIN_OUTBOX));
        assert!(!paths(&[Role::MunicipalCoordinator]).contains(&INTEGRATIONS));
    }
}
