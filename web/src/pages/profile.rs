//! «Мой профиль и роли»: the information section of the route card, and the roles held.

use leptos::prelude::*;
use shared::dto::{MeResponse, NotificationSetting, NotificationSettings};
use shared::events::NoticeChannel;

use crate::api::{ApiError, endpoints, use_api};
use crate::components::{DetailRow, Details, ErrorAlert, Loading, PageHeader};
use crate::format;
use crate::pages::admin::PendingEmail;
use crate::session::use_session;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let me = use_session().me().get_untracked();
    view! {
        <PageHeader
            title="Мой профиль и роли"
            lead="Эти сведения попадают в информационный раздел вашего маршрута."
        />
        {me.map(|me| view! { <Profile me=me /> })}
    }
}

#[component]
fn Profile(me: MeResponse) -> impl IntoView {
    let p = me.person.clone();
    let is_teacher = me.roles.iter().any(|g| g.role == shared::Role::Teacher);
    let roles = me
        .roles
        .into_iter()
        .map(|grant| {
            let (kind, name) = match grant.unit {
                Some(unit) => (unit.kind.title_ru(), unit.name),
                None => ("Платформа", "Вся платформа".to_owned()),
            };
            view! {
                <tr>
                    <td data-label="Роль">
                        <strong>{grant.role.title_ru()}</strong>
                    </td>
                    <td data-label="Подразделение">
                        <span class="unit-kind">{kind}</span>
                        <br />
                        {name}
                    </td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <div class="stack">
            <section class="card" aria-labelledby="info-title">
                <h2 class="card-title" id="info-title">
                    "Информация о педагоге"
                </h2>
                <Details>
                    <DetailRow label="Фамилия, имя, отчество" value=Some(p.full_name()) />
                    <DetailRow label="Электронная почта" value=Some(p.email.clone()) />
                    {me.pending_email.clone().map(|pending| view! { <PendingEmail pending=pending /> })}
                    <DetailRow label="Телефон" value=p.phone.clone() />
                    <DetailRow
                        label="Место работы"
                        value=p.workplace.as_ref().map(|w| w.name.clone())
                    />
                    <DetailRow label="Должность" value=p.position.clone() />
                    <DetailRow
                        label="Стаж педагогической работы"
                        value=p.teaching_experience_years.map(format::years)
                    />
                    <DetailRow
                        label="Стаж работы в данной должности"
                        value=p.position_experience_years.map(format::years)
                    />
                    <DetailRow label="Квалификационная категория" value=p.qualification_category.clone() />
                    <DetailRow
                        label="Дата присвоения категории"
                        value=p.qualification_date.map(format::date)
                    />
                </Details>
            </section>

            {is_teacher.then(|| view! { <crate::pages::attestation::AttestationCard /> })}
            {is_teacher.then(|| view! { <crate::pages::portfolio::PortfolioCard /> })}

            <section class="card" aria-labelledby="roles-title">
                <h2 class="card-title" id="roles-title">
                    "Мои роли"
                </h2>
                <div class="table-wrap">
                    <table class="table table-stack">
                        <thead>
                            <tr>
                                <th scope="col">"Роль"</th>
                                <th scope="col">"Подразделение"</th>
                            </tr>
                        </thead>
                        <tbody>{roles}</tbody>
                    </table>
                </div>
            </section>

            <MailSettings />

            <crate::pages::consents::MyConsentsCard />

            <crate::pages::consents::MyErasureCard />

            <section class="card" aria-labelledby="access-title">
                <h2 class="card-title" id="access-title">
                    "Мои персональные данные"
                </h2>
                <p>"Кто, кроме вас, открывал ваш маршрут, профиль, файлы и результаты диагностики — и в какой роли."</p>
                <p>
                    <a class="link-arrow" href=crate::routes::ACCESS_LOG>
                        "Кто видел мои данные"
                    </a>
                </p>
            </section>

            <crate::pages::access_log::MyDataExport />
        </div>
    }
}

/// «Уведомления на почту»: a switch per kind of notice (on: a letter as well as the notice in
/// the platform), and one choice for how letters come: each at once, or one digest a morning.
#[component]
fn MailSettings() -> impl IntoView {
    let api = use_api();
    let settings = RwSignal::new(None::<Vec<NotificationSetting>>);
    let quiet = RwSignal::new(None::<shared::dto::QuietHours>);
    let failure = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let loaded = LocalResource::new(move || async move {
        api.get::<NotificationSettings>(endpoints::NOTIFICATION_SETTINGS)
            .await
    });
    Effect::new(move || match loaded.get() {
        Some(Ok(s)) => {
            settings.set(Some(s.items));
            quiet.set(s.quiet_hours);
        }
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    // Letters come one by one unless some kind is already in the digest.
    let digest = Memo::new(move |_| {
        settings.with(|s| {
            s.as_ref()
                .is_some_and(|items| items.iter().any(|i| i.channel == NoticeChannel::Digest))
        })
    });
    let mailed = move || {
        if digest.get_untracked() {
            NoticeChannel::Digest
        } else {
            NoticeChannel::Email
        }
    };
    let send = move |body: NotificationSettings| {
        failure.set(None);
        saved.set(false);
        leptos::task::spawn_local(async move {
            match api
                .put::<_, NotificationSettings>(endpoints::NOTIFICATION_SETTINGS, &body)
                .await
            {
                Ok(s) => {
                    settings.try_set(Some(s.items));
                    quiet.try_set(s.quiet_hours);
                    saved.try_set(true);
                }
                Err(e) => {
                    failure.try_set(Some(e));
                }
            }
        });
    };
    let save = move |items: Vec<NotificationSetting>| {
        send(NotificationSettings {
            items,
            quiet_hours: None,
        });
    };
    // Quiet hours, 22:00 to 08:00 of this device's time (an empty window turns them off).
    let set_quiet = move |on: bool| {
        let offset = -(js_sys::Date::new_0().get_timezone_offset() as i32);
        let (from_hour, to_hour) = if on { (22, 8) } else { (0, 0) };
        send(NotificationSettings {
            items: Vec::new(),
            quiet_hours: Some(shared::dto::QuietHours {
                from_hour,
                to_hour,
                utc_offset_minutes: offset,
            }),
        });
    };
    let choose = move |item: NotificationSetting, email: bool| {
        save(vec![NotificationSetting {
            channel: if email {
                mailed()
            } else {
                NoticeChannel::Platform
            },
            ..item
        }]);
    };
    // Switching the mode moves every kind that comes by mail.
    let set_mode = move |to_digest: bool| {
        let to = if to_digest {
            NoticeChannel::Digest
        } else {
            NoticeChannel::Email
        };
        let items: Vec<NotificationSetting> = settings
            .get_untracked()
            .unwrap_or_default()
            .into_iter()
            .filter(|i| i.channel != NoticeChannel::Platform && i.channel != to)
            .map(|i| NotificationSetting { channel: to, ..i })
            .collect();
        if !items.is_empty() {
            save(items);
        }
    };
    view! {
        <section class="card" aria-labelledby="mail-title" data-testid="mail-settings">
            <h2 class="card-title" id="mail-title">
                "Уведомления на почту"
            </h2>
            <p>
                "Все уведомления видны на платформе. Отмеченные приходят ещё и на вашу почту."
            </p>
            <fieldset class="checks" data-testid="mail-mode">
                <legend>"Как присылать письма"</legend>
                <label class="check" for="mail-mode-now">
                    <input
                        type="radio"
                        name="mail-mode"
                        id="mail-mode-now"
                        prop:checked=move || !digest.get()
                        on:change=move |_| set_mode(false)
                    />
                    <span>"Сразу, отдельным письмом о каждом событии"</span>
                </label>
                <label class="check" for="mail-mode-digest">
                    <input
                        type="radio"
                        name="mail-mode"
                        id="mail-mode-digest"
                        prop:checked=move || digest.get()
                        on:change=move |_| set_mode(true)
                    />
                    <span>"Одной сводкой раз в день, утром"</span>
                </label>
            </fieldset>
            <label class="check" for="mail-quiet">
                <input
                    type="checkbox"
                    id="mail-quiet"
                    prop:checked=move || quiet.get().is_some()
                    on:change=move |ev| set_quiet(event_target_checked(&ev))
                />
                <span>"Не присылать письма с 22:00 до 08:00 — они придут утром"</span>
            </label>
            {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
            <p class="hint" role="status" data-testid="mail-saved">
                {move || if saved.get() { "Сохранено" } else { "" }}
            </p>
            {move || match settings.get() {
                None => view! { <Loading label="Загружаем настройки…" /> }.into_any(),
                Some(items) => {
                    view! {
                        <div class="checks">
                            {items
                                .into_iter()
                                .map(|item| {
                                    let id = format!("mail-{}", item.kind.as_str());
                                    let for_id = id.clone();
                                    let on = item.channel != NoticeChannel::Platform;
                                    let title = item.title.clone();
                                    view! {
                                        <label class="check" for=for_id>
                                            <input
                                                type="checkbox"
                                                role="switch"
                                                id=id
                                                data-kind=item.kind.as_str()
                                                prop:checked=on
                                                on:change=move |ev| {
                                                    choose(item.clone(), event_target_checked(&ev))
                                                }
                                            />
                                            <span>{title}</span>
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </div>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
