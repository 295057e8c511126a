//! «Почта»: every message the platform sent or keeps. With no SMTP configured this is how
//! invitations reach people, so each message is shown whole, with its links clickable.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::dto::{MailMessageDto, MailStatus, Page};

use crate::api::{ApiRequest, endpoints, use_api};
use crate::components::{
    Alert, AlertKind, Badge, BadgeKind, Loading, PageHeader, WebLink, error_fallback,
};
use crate::format;
use crate::routes;

use super::Pager;

const PAGE_SIZE: u64 = 20;

fn status_badge(status: MailStatus) -> BadgeKind {
    match status {
        MailStatus::Queued => BadgeKind::Info,
        MailStatus::Sent => BadgeKind::Success,
        MailStatus::Stored => BadgeKind::Warning,
        MailStatus::Failed => BadgeKind::Danger,
    }
}

/// A message's text, its lines kept, links made clickable.
fn body_view(body: &str) -> impl IntoView + use<> {
    body.lines()
        .map(|line| {
            let trimmed = line.trim();
            // A one-time link is shown without its secret, and not as a link.
            let redacted = trimmed.contains(shared::dto::REDACTED_SECRET);
            if !redacted && shared::links::is_web_link(trimmed) {
                view! {
                    <WebLink href=trimmed.to_owned() testid="mail-link" />
                    <br />
                }
                .into_any()
            } else {
                view! {
                    {line.to_owned()}
                    <br />
                }
                .into_any()
            }
        })
        .collect_view()
}

#[component]
pub fn OutboxPage() -> impl IntoView {
    let api = use_api();
    let query = use_query_map();
    let offset = move || {
        query.with(|q| {
            q.get("offset")
                .and_then(|o| o.parse::<u64>().ok())
                .unwrap_or(0)
        })
    };
    let list = LocalResource::new(move || {
        let offset = offset();
        async move {
            api.call::<Page<MailMessageDto>>(
                ApiRequest::new(gloo_net::http::Method::GET, endpoints::OUTBOX)
                    .query("offset", offset)
                    .query("limit", PAGE_SIZE),
            )
            .await
        }
    });
    let navigate = use_navigate();
    let go = Callback::new(move |offset: u64| {
        let path = if offset == 0 {
            routes::ADMIN_OUTBOX.to_owned()
        } else {
            format!("{}?offset={offset}", routes::ADMIN_OUTBOX)
        };
        navigate(&path, Default::default());
    });
    view! {
        <PageHeader
            title="Почта"
            lead="Письма платформы: приглашения, ссылки для восстановления пароля, уведомления. Новые — сверху."
        />
        <Alert kind=AlertKind::Info>
            <p>
                "Если SMTP-сервер не настроен, письма не уходят адресатам, а остаются здесь со статусом «Сохранено». "
                "Одноразовые ссылки (приглашения, восстановление пароля, подтверждение адреса) здесь скрыты: "
                "по ним можно войти от имени адресата, поэтому их видит только он сам в своей почте. "
                "Чтобы приглашения доходили, настройте отправку почты (IOM_SMTP_URL)."
            </p>
        </Alert>
        <button type="button" class="btn btn-secondary btn-small" on:click=move |_| list.refetch()>
            "Обновить"
        </button>
        <Transition fallback=|| view! { <Loading label="Загружаем письма…" /> }>
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
                                            words=("письма", "писем", "писем")
                                            go=go
                                        />
                                    };
                                    if page.items.is_empty() {
                                        return view! { <p class="empty">"Писем пока нет."</p> }
                                            .into_any();
                                    }
                                    let items = page
                                        .items
                                        .into_iter()
                                        .map(|m| view! { <MailCard mail=m /> })
                                        .collect_view();
                                    view! {
                                        <ul class="plain mail-list">{items}</ul>
                                        {pager}
                                    }
                                        .into_any()
                                })
                        })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn MailCard(mail: MailMessageDto) -> impl IntoView {
    let when = format::date_time(mail.created_at);
    let sent = mail.sent_at.map(format::date_time);
    view! {
        <li class="card mail" data-testid="mail" data-to=mail.to.clone()>
            <div class="card-head">
                <h2 class="card-title">{mail.subject.clone()}</h2>
                <Badge kind=status_badge(mail.status)>{mail.status.title_ru()}</Badge>
            </div>
            <p class="small muted">
                "Кому: " <strong>{mail.to.clone()}</strong> " · создано " {when}
                {sent.map(|s| format!(" · отправлено {s}"))}
                {(mail.attempts > 1).then(|| format!(" · попыток: {}", mail.attempts))}
            </p>
            {mail
                .last_error
                .clone()
                .map(|e| {
                    view! {
                        <Alert kind=AlertKind::Error>
                            <p>{format!("Ошибка отправки: {e}")}</p>
                        </Alert>
                    }
                })}
            <div class="mail-body">{body_view(&mail.body)}</div>
        </li>
    }
}
