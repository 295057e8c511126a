//! `/unsubscribe/{token}`: the link every notice letter ends with. Opening it stops letters of
//! that kind at once, without signing in; the notices stay in the platform.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::auth;
use crate::components::{Alert, AlertKind, ErrorAlert, Loading, PublicShell, set_title};
use crate::routes;

#[component]
pub fn UnsubscribePage() -> impl IntoView {
    set_title("Отписка от писем");
    let params = use_params_map();
    let token = params.with_untracked(|p| p.get(routes::TOKEN_PARAM).unwrap_or_default());
    let done = LocalResource::new(move || {
        let token = token.clone();
        async move { auth::unsubscribe(&token).await }
    });
    view! {
        <PublicShell>
            <section class="card narrow" aria-labelledby="unsubscribe-title">
                <h1 id="unsubscribe-title">"Письма с уведомлениями"</h1>
                <Transition fallback=|| view! { <Loading label="Отписываем…" /> }>
                    {move || {
                        done.get()
                            .map(|result| match result {
                                Ok(done) => {
                                    view! {
                                        <Alert kind=AlertKind::Success>
                                            <p data-testid="unsubscribed">
                                                {format!("Вы отписались от писем: «{}».", done.title)}
                                            </p>
                                        </Alert>
                                        <p>
                                            "Такие уведомления по-прежнему видны на платформе. Вернуть письма можно в профиле, в разделе «Уведомления на почту»."
                                        </p>
                                        <p>
                                            <a class="btn btn-primary" href=routes::PROFILE>
                                                "Открыть профиль"
                                            </a>
                                        </p>
                                    }
                                        .into_any()
                                }
                                Err(e) => {
                                    view! {
                                        <p>"Ссылка для отписки неверна или повреждена."</p>
                                        <ErrorAlert error=e />
                                    }
                                        .into_any()
                                }
                            })
                    }}
                </Transition>
            </section>
        </PublicShell>
    }
}
