//! «Вход»: e-mail and password, with a short word about the product.

use std::time::Duration;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;
use shared::Role;
use shared::dto::LoginRequest;
use validator::Validate;

use crate::api::ApiError;
use crate::components::{
    Alert, AlertKind, ErrorAlert, Loading, PublicShell, TextField, focus_element, set_title,
};
use crate::routes;
use crate::session::{AuthState, SignedOutBecause, use_session};

/// The demo sign-ins seeded by a server started with demo data (`IOM_DEMO`).
const DEMO_LOGINS: &[(Role, &str)] = &[
    (Role::Teacher, "teacher@iom.test"),
    (Role::Tutor, "tutor@iom.test"),
    (Role::Methodist, "methodist@iom.test"),
    (Role::SchoolCoordinator, "coordinator@iom.test"),
    (Role::DeputyDirector, "deputy@iom.test"),
    (Role::Director, "director@iom.test"),
    (Role::MunicipalCoordinator, "municipal@iom.test"),
    (Role::RegionalManager, "manager@iom.test"),
    (Role::Expert, "expert@iom.test"),
    (Role::Admin, "admin@iom.test"),
];
const DEMO_PASSWORD: &str = "demo12345";

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    set_title("Вход");
    let state = Memo::new(move |_| session.state());
    move || match state.get() {
        AuthState::Restoring => view! { <Loading full_page=true /> }.into_any(),
        AuthState::SignedIn => {
            let next = routes::safe_next(query.with_untracked(|q| q.get("next")));
            let options = NavigateOptions {
                replace: true,
                ..Default::default()
            };
            view! { <Redirect path=next options=options /> }.into_any()
        }
        AuthState::SignedOut(because) => view! {
            <PublicShell>
                <SignIn because=because />
            </PublicShell>
        }
        .into_any(),
    }
}

#[component]
fn SignIn(because: SignedOutBecause) -> impl IntoView {
    let session = use_session();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // Problems found before sending, by field.
    let email_problem = RwSignal::new(None::<String>);
    let password_problem = RwSignal::new(None::<String>);
    // After a 429: seconds left of `Retry-After`, counted down; the button waits them out.
    let wait = RwSignal::new(0_u64);
    let countdown = StoredValue::new(None::<IntervalHandle>);
    let stop_countdown = move || {
        if let Some(handle) = countdown.try_get_value().flatten() {
            handle.clear();
        }
        countdown.try_set_value(None);
    };
    on_cleanup(stop_countdown);
    let start_countdown = move |secs: u64| {
        stop_countdown();
        wait.set(secs.min(3600));
        let tick = move || {
            let left = wait.try_update(|w| {
                *w = w.saturating_sub(1);
                *w
            });
            if left.unwrap_or(0) == 0 {
                stop_countdown();
            }
        };
        countdown.set_value(set_interval_with_handle(tick, Duration::from_secs(1)).ok());
    };

    let sign_in = Action::new_local(move |request: &LoginRequest| {
        let request = request.clone();
        async move {
            let result = session.sign_in(request).await;
            if let Err(ApiError::Http {
                retry_after: Some(secs),
                ..
            }) = &result
            {
                start_countdown(*secs);
            }
            result
        }
    });
    let failure = move || sign_in.value().get().and_then(Result::err);
    let email_error = Signal::derive(move || {
        email_problem
            .get()
            .or_else(|| failure().and_then(|e| e.field("email")))
    });
    let password_error = Signal::derive(move || {
        password_problem
            .get()
            .or_else(|| failure().and_then(|e| e.field("password")))
    });
    let busy = Signal::derive(move || sign_in.pending().get());

    // The button is marked `aria-disabled` rather than `disabled` while busy: a disabled
    // button drops the keyboard focus to the page's start.
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() || wait.get_untracked() > 0 {
            return;
        }
        let request = LoginRequest {
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        email_problem.set(None);
        password_problem.set(None);
        if let Err(errors) = request.validate() {
            let fields = errors.field_errors();
            // The first field with a problem, in the form's order, gets the focus.
            if let Some(first) = ["email", "password"]
                .into_iter()
                .find(|f| fields.contains_key(*f))
            {
                focus_element(&format!("field-{first}"));
            }
            for (field, list) in fields {
                let message = list
                    .iter()
                    .filter_map(|e| e.message.as_ref().map(ToString::to_string))
                    .collect::<Vec<_>>()
                    .join(" ");
                match field.as_ref() {
                    "email" => email_problem.set(Some(message)),
                    "password" => password_problem.set(Some(message)),
                    _ => {}
                }
            }
            return;
        }
        sign_in.dispatch(request);
    };

    let notice = match because {
        SignedOutBecause::Anonymous => None,
        SignedOutBecause::Deliberate => Some(
            view! { <Alert kind=AlertKind::Info>"Вы вышли из личного кабинета."</Alert> }
                .into_any(),
        ),
        SignedOutBecause::Expired => Some(
            view! {
                <Alert kind=AlertKind::Warning>
                    "Сеанс завершён. Войдите снова, чтобы продолжить работу."
                </Alert>
            }
            .into_any(),
        ),
        SignedOutBecause::Unreachable => Some(
            view! {
                <Alert kind=AlertKind::Error>
                    "Не удалось связаться с сервером. Проверьте подключение к сети и обновите страницу."
                </Alert>
            }
            .into_any(),
        ),
    };

    let fill = move |login: &'static str| {
        email.set(login.to_owned());
        password.set(DEMO_PASSWORD.to_owned());
        email_problem.set(None);
        password_problem.set(None);
    };

    view! {
        <div class="login-layout">
            <section class="login-intro">
                <h1>"Индивидуальный образовательный маршрут педагога"</h1>
                <p class="lead">
                    "Платформа, на которой педагог вместе с тьютором выстраивает свой план "
                    "профессионального развития: от диагностики дефицитов до методического продукта "
                    "и заключения."
                </p>
            </section>

            <section class="card login-card" aria-labelledby="login-title">
                <h2 id="login-title">"Вход в личный кабинет"</h2>
                {notice}
                {move || {
                    let left = wait.get();
                    if left > 0 {
                        Some(
                            view! {
                                <Alert kind=AlertKind::Error title="Слишком много попыток входа">
                                    <p>{format!("Повторите попытку через {left} с.")}</p>
                                </Alert>
                            }
                                .into_any(),
                        )
                    } else {
                        (!busy.get())
                            .then(failure)
                            .flatten()
                            .filter(|e| e.status() != Some(429))
                            .map(|e| view! { <ErrorAlert error=e /> }.into_any())
                    }
                }}
                <form class="form" on:submit=on_submit novalidate=true>
                    <TextField
                        label="Адрес электронной почты"
                        name="email"
                        input_type="email"
                        autocomplete="username"
                        value=email
                        error=email_error
                        required=true
                    />
                    <TextField
                        label="Пароль"
                        name="password"
                        input_type="password"
                        autocomplete="current-password"
                        value=password
                        error=password_error
                        required=true
                    />
                    <button
                        type="submit"
                        class="btn btn-primary btn-block"
                        aria-disabled=move || { (busy.get() || wait.get() > 0).then_some("true") }
                        aria-busy=move || busy.get().then_some("true")
                    >
                        {move || if busy.get() { "Выполняется вход…" } else { "Войти" }}
                    </button>
                </form>
                <p class="small">
                    <a
                        href=move || {
                            let typed = email.get();
                            let typed = typed.trim();
                            if typed.is_empty() {
                                routes::FORGOT_PASSWORD.to_owned()
                            } else {
                                format!(
                                    "{}?email={}",
                                    routes::FORGOT_PASSWORD,
                                    String::from(js_sys::encode_uri_component(typed)),
                                )
                            }
                        }
                        data-testid="forgot-password"
                    >
                        "Забыли пароль?"
                    </a>
                </p>
                <p class="small muted">
                    "Не получили приглашение? Обратитесь к координатору "
                    "вашей образовательной организации."
                </p>
            </section>

            <section class="login-about" aria-labelledby="about-title">
                <h2 id="about-title">"Что входит в маршрут"</h2>
                <ul class="checklist">
                    <li>"Диагностика: результаты по компетенциям и выявленные профессиональные дефициты."</li>
                    <li>"Задачи развития, каждая — против конкретных дефицитов."</li>
                    <li>
                        "Дорожная карта: курсы, семинары, наставничество, самообразование — со сроками и результатами."
                    </li>
                    <li>"Рефлексия, методический продукт, экспертная оценка и заключение."</li>
                    <li>"Согласование и утверждение маршрута в образовательной организации."</li>
                </ul>
                <details class="demo">
                    <summary>"Демонстрационные учётные записи"</summary>
                    <p class="small">
                        "Работают, если сервер запущен с демонстрационными данными. Пароль у всех: "
                        <code>{DEMO_PASSWORD}</code>
                    </p>
                    <ul class="demo-list">
                        {DEMO_LOGINS
                            .iter()
                            .map(|&(role, login)| {
                                view! {
                                    <li>
                                        <span class="demo-role">{role.title_ru()}</span>
                                        <code class="demo-email">{login}</code>
                                        <button
                                            type="button"
                                            class="btn btn-secondary btn-small"
                                            aria-label=format!("Подставить учётную запись: {}", role.title_ru())
                                            on:click=move |_| fill(login)
                                        >
                                            "Подставить"
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </details>
            </section>
        </div>
    }
}
