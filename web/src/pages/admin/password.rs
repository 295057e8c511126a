//! The pages of one-time links, seen before signing in: `/invite/{token}` (set a password from
//! an invitation), `/reset/{token}` (set a new one), `/confirm-email/{token}` (confirm a new
//! e-mail address), and «Забыли пароль?», which asks for a reset link by e-mail.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use shared::dto::{
    ConfirmEmailRequest, PasswordResetRequest, SetPasswordRequest, TokenInfo, TokenPurpose,
};

use crate::api::{ApiError, auth};
use crate::components::{
    Alert, AlertKind, ErrorAlert, Loading, PublicShell, TextField, focus_element, set_title,
};
use crate::format;
use crate::routes;
use crate::session::use_session;

/// What the password rules are, told before anyone types.
const RULES: &str = "Не короче 8 символов. Не используйте распространённые пароли, \
последовательности («12345678», «qwerty») и свой адрес почты. Удобно взять три-четыре \
случайных слова.";

#[component]
pub fn InvitePage() -> impl IntoView {
    view! { <SetPasswordPage purpose=TokenPurpose::Invitation /> }
}

#[component]
pub fn ResetPage() -> impl IntoView {
    view! { <SetPasswordPage purpose=TokenPurpose::PasswordReset /> }
}

#[component]
fn SetPasswordPage(purpose: TokenPurpose) -> impl IntoView {
    let params = use_params_map();
    let token = params.with_untracked(|p| p.get(routes::TOKEN_PARAM).unwrap_or_default());
    set_title(match purpose {
        TokenPurpose::Invitation => "Приглашение",
        TokenPurpose::PasswordReset | TokenPurpose::EmailChange => "Новый пароль",
    });
    let lookup = token.clone();
    let info = LocalResource::new(move || {
        let token = lookup.clone();
        async move { auth::link_info(&token).await }
    });
    let token = StoredValue::new(token);
    view! {
        <PublicShell>
            <section class="card narrow" aria-labelledby="set-password-title">
                <Transition fallback=|| view! { <Loading label="Проверяем ссылку…" /> }>
                    {move || {
                        info.get()
                            .map(|result| match result {
                                // A confirmation link is not a password link.
                                Ok(info) if info.purpose == TokenPurpose::EmailChange => {
                                    view! { <BadLink purpose=purpose error=ApiError::not_found() /> }
                                        .into_any()
                                }
                                Ok(info) => {
                                    view! {
                                        <SetPasswordForm
                                            token=token.get_value()
                                            purpose=info.purpose
                                            email=info.email
                                            full_name=info.full_name
                                            expires=format::date_time(info.expires_at)
                                        />
                                    }
                                        .into_any()
                                }
                                Err(e) => view! { <BadLink purpose=purpose error=e /> }.into_any(),
                            })
                    }}
                </Transition>
            </section>
        </PublicShell>
    }
}

/// The link is used, revoked, expired or mistyped.
#[component]
fn BadLink(purpose: TokenPurpose, error: ApiError) -> impl IntoView {
    if error.status() != Some(404) {
        return view! {
            <h1 id="set-password-title">"Не удалось проверить ссылку"</h1>
            <ErrorAlert error=error />
        }
        .into_any();
    }
    let advice = match purpose {
        TokenPurpose::Invitation => {
            "Попросите координатора вашей организации прислать приглашение ещё раз. Если пароль \
             вы уже задали, просто войдите."
        }
        TokenPurpose::PasswordReset => {
            "Запросите новую ссылку: она действует час и только один раз."
        }
        TokenPurpose::EmailChange => {
            "Ссылка действует сутки и только один раз. Если адрес нужно сменить, попросите \
             координатора вашей организации изменить его ещё раз."
        }
    };
    view! {
        <h1 id="set-password-title">"Ссылка недействительна"</h1>
        <Alert kind=AlertKind::Warning>
            <p>"Ссылка уже использована, отозвана или срок её действия истёк."</p>
            <p>{advice}</p>
        </Alert>
        <p class="button-row">
            <a class="btn btn-primary" href=routes::LOGIN>"Войти"</a>
            <a class="btn btn-secondary" href=routes::FORGOT_PASSWORD>"Восстановить пароль"</a>
        </p>
    }
    .into_any()
}

#[component]
fn SetPasswordForm(
    token: String,
    purpose: TokenPurpose,
    email: String,
    full_name: String,
    expires: String,
) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let password = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let password_problem = RwSignal::new(None::<String>);
    let repeat_problem = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let for_check = email.clone();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        password_problem.set(None);
        repeat_problem.set(None);
        failure.set(None);
        let value = password.get_untracked();
        if let Some(problem) = shared::password::problem(&value, Some(&for_check)) {
            password_problem.set(Some(problem));
            focus_element("field-password");
            return;
        }
        if repeat.get_untracked() != value {
            repeat_problem.set(Some("Пароли не совпадают.".to_owned()));
            focus_element("field-password2");
            return;
        }
        let request = SetPasswordRequest {
            token: token.clone(),
            password: value,
        };
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let result = match auth::set_password(&request).await {
                Ok(tokens) => session.adopt(tokens).await,
                Err(e) => Err(e),
            };
            busy.try_set(false);
            match result {
                Ok(()) => navigate(routes::CABINET, Default::default()),
                Err(e) => {
                    if let Some(m) = e.field("password") {
                        password_problem.try_set(Some(m));
                    } else {
                        failure.try_set(Some(e));
                    }
                }
            }
        });
    };
    let (title, lead) = match purpose {
        TokenPurpose::Invitation => (
            "Добро пожаловать!",
            "Вас пригласили в систему индивидуальных образовательных маршрутов. Задайте пароль — и сразу попадёте в личный кабинет.",
        ),
        TokenPurpose::PasswordReset | TokenPurpose::EmailChange => (
            "Новый пароль",
            "Задайте новый пароль. Прежний перестанет действовать, а вход на других устройствах завершится.",
        ),
    };
    view! {
        <h1 id="set-password-title">{title}</h1>
        <p class="lead">{lead}</p>
        <dl class="details">
            <div class="details-row">
                <dt>"Для кого"</dt>
                <dd data-testid="link-person">{full_name}</dd>
            </div>
            <div class="details-row">
                <dt>"Вход по адресу"</dt>
                <dd>{email.clone()}</dd>
            </div>
            <div class="details-row">
                <dt>"Ссылка действует до"</dt>
                <dd>{expires}</dd>
            </div>
        </dl>
        {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
        <form class="form" on:submit=submit novalidate=true>
            // The address, for password managers to store the new password under it.
            <input type="email" name="username" autocomplete="username" value=email hidden=true readonly=true />
            <TextField
                label="Новый пароль"
                name="password"
                input_type="password"
                autocomplete="new-password"
                value=password
                hint=RULES
                error=Signal::derive(move || password_problem.get())
                required=true
            />
            <TextField
                label="Повторите пароль"
                name="password2"
                input_type="password"
                autocomplete="new-password"
                value=repeat
                error=Signal::derive(move || repeat_problem.get())
                required=true
            />
            <button
                type="submit"
                class="btn btn-primary btn-block"
                data-testid="set-password"
                aria-disabled=move || busy.get().then_some("true")
            >
                {move || if busy.get() { "Сохраняем…" } else { "Задать пароль и войти" }}
            </button>
        </form>
    }
}

/// `/confirm-email/{token}`: the new address of an e-mail change is confirmed from its own
/// mailbox. Opening the link changes nothing by itself (mail scanners open links): the person
/// presses the button.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    set_title("Подтверждение адреса");
    let params = use_params_map();
    let token = params.with_untracked(|p| p.get(routes::TOKEN_PARAM).unwrap_or_default());
    let lookup = token.clone();
    let info = LocalResource::new(move || {
        let token = lookup.clone();
        async move { auth::link_info(&token).await }
    });
    let token = StoredValue::new(token);
    view! {
        <PublicShell>
            <section class="card narrow" aria-labelledby="set-password-title">
                <Transition fallback=|| view! { <Loading label="Проверяем ссылку…" /> }>
                    {move || {
                        info.get()
                            .map(|result| match result {
                                Ok(info) if info.purpose == TokenPurpose::EmailChange => {
                                    view! { <ConfirmEmailForm token=token.get_value() info=info /> }
                                        .into_any()
                                }
                                Ok(_) => {
                                    view! { <BadLink purpose=TokenPurpose::EmailChange error=ApiError::not_found() /> }
                                        .into_any()
                                }
                                Err(e) => {
                                    view! { <BadLink purpose=TokenPurpose::EmailChange error=e /> }
                                        .into_any()
                                }
                            })
                    }}
                </Transition>
            </section>
        </PublicShell>
    }
}

#[component]
fn ConfirmEmailForm(token: String, info: TokenInfo) -> impl IntoView {
    let session = use_session();
    let failure = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let new_email = info.new_email.clone().unwrap_or_default();
    let token = StoredValue::new(token);
    let confirm = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        failure.set(None);
        let request = ConfirmEmailRequest {
            token: token.get_value(),
        };
        leptos::task::spawn_local(async move {
            let result = auth::confirm_email(&request).await;
            busy.try_set(false);
            match result {
                Ok(confirmed) => {
                    // Every sign-in of the person has ended, this browser's too.
                    session.expire();
                    done.try_set(Some(confirmed.email));
                }
                Err(e) => {
                    failure.try_set(Some(e));
                }
            }
        });
    };
    view! {
        {move || match done.get() {
            Some(email) => {
                view! {
                    <h1 id="set-password-title">"Адрес подтверждён"</h1>
                    <Alert kind=AlertKind::Success>
                        <p data-testid="email-confirmed">
                            {format!("Теперь входите с адресом {email}. Все открытые сеансы завершены.")}
                        </p>
                    </Alert>
                    <p>
                        <a class="btn btn-primary" href=routes::LOGIN>"Войти"</a>
                    </p>
                }
                    .into_any()
            }
            None => {
                view! {
                    <h1 id="set-password-title">"Подтвердите новый адрес"</h1>
                    <p class="lead">
                        "После подтверждения входить нужно будет с новым адресом; все открытые сеансы завершатся."
                    </p>
                    <dl class="details">
                        <div class="details-row">
                            <dt>"Для кого"</dt>
                            <dd data-testid="link-person">{info.full_name.clone()}</dd>
                        </div>
                        <div class="details-row">
                            <dt>"Прежний адрес"</dt>
                            <dd>{info.email.clone()}</dd>
                        </div>
                        <div class="details-row">
                            <dt>"Новый адрес"</dt>
                            <dd data-testid="new-email">{new_email.clone()}</dd>
                        </div>
                        <div class="details-row">
                            <dt>"Ссылка действует до"</dt>
                            <dd>{format::date_time(info.expires_at)}</dd>
                        </div>
                    </dl>
                    {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
                    <button
                        type="button"
                        class="btn btn-primary btn-block"
                        data-testid="confirm-email"
                        aria-disabled=move || busy.get().then_some("true")
                        on:click=confirm
                    >
                        {move || if busy.get() { "Подтверждаем…" } else { "Подтвердить новый адрес" }}
                    </button>
                }
                    .into_any()
            }
        }}
    }
}

/// «Забыли пароль?»: a reset link by e-mail. The answer is the same whether or not the address
/// is registered, and so is what the page says.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    set_title("Восстановление пароля");
    let query = use_query_map();
    let email = RwSignal::new(query.with_untracked(|q| q.get("email").unwrap_or_default()));
    let problem = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<ApiError>);
    let sent = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        problem.set(None);
        failure.set(None);
        let address = email.get_untracked().trim().to_owned();
        if !address.contains('@') {
            problem.set(Some(
                "Укажите адрес электронной почты, с которым вы входите.".to_owned(),
            ));
            focus_element("field-email");
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = auth::request_reset(&PasswordResetRequest {
                email: address.clone(),
            })
            .await;
            busy.try_set(false);
            match result {
                Ok(()) => {
                    sent.try_set(Some(address));
                }
                Err(e) => match e.field("email") {
                    Some(m) => {
                        problem.try_set(Some(m));
                    }
                    None => {
                        failure.try_set(Some(e));
                    }
                },
            }
        });
    };
    view! {
        <PublicShell>
            <section class="card narrow" aria-labelledby="forgot-title">
                <h1 id="forgot-title">"Восстановление пароля"</h1>
                {move || match sent.get() {
                    Some(address) => {
                        view! {
                            <Alert kind=AlertKind::Success title="Проверьте почту">
                                <p>
                                    {format!(
                                        "Если адрес {address} зарегистрирован, на него отправлено письмо со ссылкой для нового пароля. Ссылка действует час.",
                                    )}
                                </p>
                                <p>"Письма нет? Проверьте папку «Спам» или обратитесь к координатору вашей организации."</p>
                            </Alert>
                            <p>
                                <a class="btn btn-secondary" href=routes::LOGIN>"Вернуться ко входу"</a>
                            </p>
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <p class="lead">
                                "Укажите адрес, с которым вы входите: пришлём ссылку, по которой можно задать новый пароль."
                            </p>
                            {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
                            <form class="form" on:submit=submit novalidate=true>
                                <TextField
                                    label="Адрес электронной почты"
                                    name="email"
                                    input_type="email"
                                    autocomplete="username"
                                    value=email
                                    error=Signal::derive(move || problem.get())
                                    required=true
                                />
                                <div class="form-buttons">
                                    <button
                                        type="submit"
                                        class="btn btn-primary"
                                        aria-disabled=move || busy.get().then_some("true")
                                    >
                                        {move || if busy.get() { "Отправляем…" } else { "Прислать ссылку" }}
                                    </button>
                                    <a class="btn btn-secondary" href=routes::LOGIN>"Отмена"</a>
                                </div>
                            </form>
                        }
                            .into_any()
                    }
                }}
            </section>
        </PublicShell>
    }
}
