//! Section 1, information: the route's own fields, the people around it, the teacher's profile
//! as it was taken, and the electronic signatures.

use leptos::prelude::*;
use shared::dto::{RouteDto, UpdateRoute};
use shared::workflow::RouteAction;
use validator::Validate;

use super::use_route;
use crate::api::endpoints;
use crate::components::{AlertKind, DetailRow, Details, FormAlert, FormState, Input, opt};
use crate::format;

#[component]
pub fn InfoTab() -> impl IntoView {
    view! {
        <div class="stack">
            <RouteFields />
            <Snapshot />
            <Signatures />
        </div>
    }
}

fn people(list: &[shared::dto::PersonRef]) -> Option<String> {
    (!list.is_empty()).then(|| {
        list.iter()
            .map(|p| p.full_name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    })
}

#[component]
fn RouteFields() -> impl IntoView {
    let ctx = use_route();
    let editing = RwSignal::new(false);
    let editable = Memo::new(move |_| ctx.plan_editable());
    let view_mode = move || {
        let r = ctx.route.get();
        view! {
            <Details>
                <DetailRow label="Название" value=Some(r.title.clone()) />
                <DetailRow label="Тематический трек" value=r.track.clone() />
                <DetailRow
                    label="Срок реализации"
                    value=Some(format::period(r.period_start, r.period_end))
                />
                {r
                    .original_end
                    .map(|orig| {
                        view! {
                            <DetailRow
                                label="Продление"
                                value=Some(
                                    format!(
                                        "Первоначально до {}. Причина: {}",
                                        format::date(orig),
                                        r.extension_reason.clone().unwrap_or_default(),
                                    ),
                                )
                            />
                        }
                    })}
                <DetailRow label="Педагог" value=Some(r.teacher.full_name.clone()) />
                <DetailRow label="Образовательная организация" value=Some(r.school.name.clone()) />
                <DetailRow label="Тьютор" value=people(&r.tutors) />
                <DetailRow label="Методист-наставник" value=people(&r.mentors) />
                <DetailRow label="Эксперт" value=people(&r.experts) />
                <DetailRow label="Этап" value=Some(format!("{} из 5: {}", r.stage.number(), r.stage.title_ru())) />
                <DetailRow
                    label="Версия"
                    value=Some(format!("{} от {}", r.version, format::date_time(r.updated_at)))
                />
                {r
                    .previous_route_id
                    .map(|id| {
                        view! {
                            <div class="details-row">
                                <dt>"Предыдущий маршрут"</dt>
                                <dd>
                                    <a href=crate::routes::route_page(id)>"Открыть предыдущий маршрут"</a>
                                </dd>
                            </div>
                        }
                    })}
            </Details>
        }
    };
    view! {
        <section class="card" aria-labelledby="route-fields-title">
            <div class="card-head">
                <h2 class="card-title" id="route-fields-title">"Основные сведения"</h2>
                {move || {
                    (editable.get() && !editing.get())
                        .then(|| {
                            view! {
                                <button type="button" class="btn btn-secondary btn-small" on:click=move |_| editing.set(true)>
                                    "Изменить"
                                </button>
                            }
                        })
                }}
            </div>
            {move || {
                if editing.get() && editable.get() {
                    let r = ctx.route.get_untracked();
                    view! { <RouteFieldsForm route=r editing=editing /> }.into_any()
                } else {
                    view_mode().into_any()
                }
            }}
        </section>
    }
}

#[component]
fn RouteFieldsForm(route: RouteDto, editing: RwSignal<bool>) -> impl IntoView {
    let ctx = use_route();
    let form = FormState::new();
    let title = RwSignal::new(route.title.clone());
    let track = RwSignal::new(route.track.clone().unwrap_or_default());
    let start = RwSignal::new(format::iso_date(route.period_start));
    let end = RwSignal::new(format::iso_date(route.period_end));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let (Some(period_start), Some(period_end)) = (
            format::parse_iso_date(&start.get_untracked()),
            format::parse_iso_date(&end.get_untracked()),
        ) else {
            form.fail("period_end", "Укажите даты начала и окончания.");
            return;
        };
        let request = ctx.route.with_untracked(|r| UpdateRoute {
            version: r.version,
            title: title.get_untracked().trim().to_owned(),
            track: opt(track),
            period_start,
            period_end,
            educational_request: r.diagnostic.educational_request.clone(),
        });
        if !form.check(request.validate()) {
            return;
        }
        if period_end < period_start {
            form.fail("period_end", "Дата окончания раньше даты начала.");
            return;
        }
        let api = ctx.api;
        form.run(
            async move {
                ctx.apply(api.put(&endpoints::route(ctx.id), &request).await)
                    .await
            },
            move || {
                editing.try_set(false);
                ctx.say(AlertKind::Success, "Сведения сохранены.");
            },
        );
    };
    view! {
        <form class="form" on:submit=submit novalidate=true>
            <FormAlert form=form />
            <Input label="Название маршрута" id="route-title-input" value=title error=form.field("title") required=true />
            <Input
                label="Тематический трек"
                id="route-track"
                value=track
                hint="Если у вас несколько маршрутов, трек помогает их различать."
                error=form.field("track")
            />
            <div class="form-row">
                <Input label="Начало" id="route-start" input_type="date" value=start error=form.field("period_start") required=true />
                <Input label="Окончание" id="route-end" input_type="date" value=end error=form.field("period_end") required=true />
            </div>
            <p class="hint">"Изменение срока после утверждения потребует повторного согласования."</p>
            <div class="form-buttons">
                <button type="submit" class="btn btn-primary" aria-disabled=move || form.busy.get().then_some("true")>
                    "Сохранить"
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| editing.set(false)>
                    "Отмена"
                </button>
            </div>
        </form>
    }
}

#[component]
fn Snapshot() -> impl IntoView {
    let ctx = use_route();
    let editable = Memo::new(move |_| ctx.plan_editable());
    let form = FormState::new();
    let refresh = move |_| {
        let version = ctx.route.with_untracked(|r| r.version);
        let api = ctx.api;
        form.run(
            async move {
                ctx.apply(
                    api.post_empty(
                        &endpoints::route_part(ctx.id, "information/refresh"),
                        &[("version", version.to_string())],
                    )
                    .await,
                )
                .await
            },
            move || ctx.say(AlertKind::Success, "Сведения обновлены из профиля."),
        );
    };
    view! {
        <section class="card" aria-labelledby="snapshot-title">
            <div class="card-head">
                <h2 class="card-title" id="snapshot-title">"Информационная справка"</h2>
                {move || {
                    editable
                        .get()
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="btn btn-secondary btn-small"
                                    on:click=refresh
                                    aria-disabled=move || form.busy.get().then_some("true")
                                >
                                    "Обновить из профиля"
                                </button>
                            }
                        })
                }}
            </div>
            <FormAlert form=form />
            {move || {
                let info = ctx.route.with(|r| r.information.clone());
                let p = info.profile;
                let full = shared::text::full_name(&p.surname, &p.first_name, p.patronymic.as_deref());
                view! {
                    <p class="small muted">
                        {format!("Сведения из профиля педагога на {}.", format::date_time(info.taken_at))}
                    </p>
                    <Details>
                        <DetailRow label="Фамилия, имя, отчество" value=Some(full) />
                        <DetailRow label="Электронная почта" value=Some(p.email.clone()) />
                        <DetailRow label="Телефон" value=p.phone.clone() />
                        <DetailRow label="Место работы" value=p.workplace.clone() />
                        <DetailRow label="Должность" value=p.position.clone() />
                        <DetailRow label="Стаж педагогической работы" value=p.teaching_experience_years.map(format::years) />
                        <DetailRow label="Стаж работы в данной должности" value=p.position_experience_years.map(format::years) />
                        <DetailRow label="Квалификационная категория" value=p.qualification_category.clone() />
                        <DetailRow label="Дата присвоения категории" value=p.qualification_date.map(format::date) />
                    </Details>
                }
            }}
        </section>
    }
}

#[component]
fn Signatures() -> impl IntoView {
    let ctx = use_route();
    view! {
        <section class="card" aria-labelledby="signatures-title">
            <h2 class="card-title" id="signatures-title">"Согласование и утверждение"</h2>
            <p class="small muted">
                "Электронные подписи: кто, в какой роли, когда и какую версию маршрута согласовал или утвердил."
            </p>
            {move || {
                let approvals = ctx.route.with(|r| r.approvals.clone());
                if approvals.is_empty() {
                    return view! { <p>"Маршрут ещё не согласован."</p> }.into_any();
                }
                view! {
                    <div class="table-wrap">
                        <table class="table table-stack">
                            <thead>
                                <tr>
                                    <th scope="col">"Отметка"</th>
                                    <th scope="col">"Кто"</th>
                                    <th scope="col">"Версия"</th>
                                    <th scope="col">"Когда"</th>
                                    <th scope="col">"Комментарий"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {approvals
                                    .into_iter()
                                    .map(|a| {
                                        let mark = match a.action {
                                            RouteAction::Approve => "УТВЕРЖДАЮ",
                                            RouteAction::Agree => "СОГЛАСОВАНО",
                                            _ => "Согласовано тьютором",
                                        };
                                        view! {
                                            <tr>
                                                <td data-label="Отметка"><strong>{mark}</strong></td>
                                                <td data-label="Кто">
                                                    {a.person.full_name.clone()}
                                                    <br />
                                                    <span class="small muted">{a.role_title.clone()}</span>
                                                </td>
                                                <td data-label="Версия">{a.version}</td>
                                                <td data-label="Когда">{format::date_time(a.at)}</td>
                                                <td data-label="Комментарий">{a.comment.clone().unwrap_or_default()}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
        </section>
    }
}
